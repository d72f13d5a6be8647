//! A ticket's events as people read them, oldest first.

use maud::{Markup, html};
use serde_json::Value;

use super::form::{label, show};
use super::session::Console;
use crate::domain::attachment::Attachment;
use crate::domain::notification::{Audience, Fallback, Recipient};
use crate::domain::part::MovementKind;
use crate::domain::{Event, EventData};

fn who(console: &Console, event: &Event) -> String {
    let id = &event.actor.id;
    if let Some(login) = id.strip_prefix("user:") {
        login.to_string()
    } else if id.starts_with("survey:") {
        console.tr.t("actor-customer")
    } else {
        super::role_label(console.tr, event.actor.role)
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn metric(console: &Console, m: crate::domain::SlaMetric) -> String {
    console.tr.t(match m {
        crate::domain::SlaMetric::Response => "metric-response",
        crate::domain::SlaMetric::Resolution => "metric-resolution",
        crate::domain::SlaMetric::OnSite => "metric-on-site",
    })
}

/// What one event says. `state_label` names a state of the ticket's kind;
/// `files` are the ticket's attachments, shown where they were attached.
fn describe(
    console: &Console,
    event: &Event,
    files: &[Attachment],
    state_label: &dyn Fn(&str) -> String,
) -> Markup {
    let tr = console.tr;
    match &event.data {
        EventData::Created(c) => html! { (tr.ta("event-created", &[("title", c.title.clone())])) },
        EventData::Transitioned { from, to, note, .. } => html! {
            (tr.ta("event-transitioned", &[("from", state_label(from)), ("to", state_label(to))]))
            @if let Some(note) = note { blockquote { (note) } }
        },
        EventData::AttributeSet {
            name,
            before,
            after,
        } => html! {
            (tr.ta("event-attribute", &[("name", label(name))]))
            " " span.before { (if before.is_null() { "—".to_string() } else { show(before, &console.tz) }) }
            " → " span.after { (show(after, &console.tz)) }
        },
        EventData::PrioritySet { before, after } => {
            html! { (tr.ta("event-priority", &[("before", format!("{before:?}")), ("after", format!("{after:?}"))])) }
        }
        EventData::Assigned { after, .. } => {
            html! { (tr.ta("event-assigned", &[("who", after.clone().unwrap_or_else(|| "—".into()))])) }
        }
        EventData::TeamSet { after, .. } => {
            html! { (tr.ta("event-team", &[("team", after.clone().unwrap_or_else(|| "—".into()))])) }
        }
        EventData::Dispatched {
            technician,
            starts_at,
            ends_at,
            ..
        } => html! {
            (tr.ta("event-dispatched", &[
                ("technician", technician.clone()),
                ("from", console.time(*starts_at)),
                ("to", console.time(*ends_at)),
            ]))
        },
        EventData::PartMoved {
            kind,
            sku,
            quantity,
            ..
        } => {
            let key = match kind {
                MovementKind::Reserve => "event-part-reserved",
                MovementKind::Consume => "event-part-consumed",
                MovementKind::Release => "event-part-released",
                _ => "event-part-moved",
            };
            html! { (tr.ta(key, &[("sku", sku.clone()), ("quantity", quantity.to_string())])) }
        }
        EventData::PartBackOrdered {
            sku,
            quantity,
            available,
            ..
        } => html! {
            (tr.ta("event-part-back-ordered", &[
                ("sku", sku.clone()),
                ("quantity", quantity.to_string()),
                ("available", available.to_string()),
            ]))
        },
        EventData::Escalated { tier, reason, team } => html! {
            @match team {
                Some(team) => (tr.ta("event-escalated", &[("tier", tier.to_string()), ("team", team.clone())])),
                None => (tr.ta("event-escalated-nowhere", &[("tier", tier.to_string())])),
            }
            blockquote { (reason) }
        },
        EventData::Commented { body, internal } => html! {
            (if *internal { tr.t("event-internal-note") } else { tr.t("event-comment") })
            blockquote { (body) }
        },
        EventData::Attached {
            attachment,
            name,
            size,
            ..
        } => html! {
            (tr.ta("event-attached", &[("name", name.clone()), ("size", super::attachments::size(*size))]))
            @if let Some(file) = files.iter().find(|f| f.id == *attachment) {
                div { (super::attachments::preview(file)) }
            }
        },
        EventData::Linked {
            relation, ticket, ..
        } => html! {
            (tr.ta("event-linked", &[("relation", label(relation))])) " "
            a href=(format!("/tickets/{ticket}")) { (ticket.to_string()) }
        },
        EventData::PluginEffect { effect } => html! {
            (tr.ta("event-plugin-effect", &[("effect", compact(&effect["effect"]))]))
            " " code { (effect.to_string()) }
        },
        EventData::Notification {
            audience,
            subject,
            body,
            recipients,
            fallback,
            ..
        } => html! {
            (tr.ta("event-notification", &[("audience", tr.t(audience_key(*audience)))]))
            " " strong { (subject) }
            blockquote { (body) }
            ul.recipients {
                @for r in recipients { li { (recipient(r)) } }
            }
            @if let Some(why) = fallback { p.fallback { (tr.t(fallback_key(*why))) } }
        },
        EventData::TimerFired { name, .. } => {
            html! { (tr.ta("event-timer", &[("name", name.clone())])) }
        }
        EventData::SlaWarning {
            metric: m, percent, ..
        } => {
            html! { (tr.ta("event-sla-warning", &[("metric", metric(console, *m)), ("percent", percent.to_string())])) }
        }
        EventData::SlaBreached { metric: m, .. } => {
            html! { (tr.ta("event-sla-breached", &[("metric", metric(console, *m))])) }
        }
        EventData::SurveyIssued { expires_at, .. } => {
            html! { (tr.ta("event-survey-issued", &[("until", console.time(*expires_at))])) }
        }
        EventData::PluginQuarantined {
            plugin,
            version,
            failures,
            cause,
            ..
        } => html! {
            (tr.ta("event-plugin-quarantined", &[
                ("plugin", format!("{plugin}@{version}")),
                ("failures", failures.to_string()),
            ]))
            " " code { (cause) }
        },
        EventData::SurveyAnswered {
            ratings,
            nps,
            comment,
            ..
        } => html! {
            (tr.t("event-survey-answered")) " "
            @for (name, rating) in ratings { span.rating { (label(name)) " " (compact(rating)) "/5" } " " }
            @if let Some(nps) = nps { span.rating { "NPS " (nps) "/10" } }
            @if let Some(comment) = comment { blockquote { (comment) } }
        },
    }
}

/// A recipient as the timeline shows it: name and the contact used.
fn recipient(r: &Recipient) -> String {
    match r {
        Recipient::Customer { name, email, phone } => match email.as_deref().or(phone.as_deref()) {
            Some(contact) => format!("{name} <{contact}>"),
            None => name.clone(),
        },
        Recipient::User { name, login, .. } => format!("{name} ({login})"),
    }
}

fn audience_key(audience: Audience) -> &'static str {
    match audience {
        Audience::Customer => "audience-customer",
        Audience::Assignee => "audience-assignee",
        Audience::GroupLead => "audience-group-lead",
        Audience::Manager => "audience-manager",
        Audience::Stakeholders => "audience-stakeholders",
        Audience::Admins => "audience-admins",
    }
}

fn fallback_key(why: Fallback) -> &'static str {
    match why {
        Fallback::NoAssignee => "notification-fallback-no-assignee",
        Fallback::AssigneeNotAnAccount => "notification-fallback-assignee",
        Fallback::NoTeams => "notification-fallback-no-teams",
        Fallback::NoTeam => "notification-fallback-no-team",
        Fallback::NoManager => "notification-fallback-no-manager",
        Fallback::NotAnAccount => "notification-fallback-not-an-account",
        Fallback::NoTeamForTier => "notification-fallback-no-team-for-tier",
    }
}

pub fn render(
    console: &Console,
    events: &[Event],
    files: &[Attachment],
    state_label: &dyn Fn(&str) -> String,
) -> Markup {
    html! {
        ol.timeline {
            @for event in events {
                li {
                    div.meta {
                        time datetime=(event.at.to_string()) { (console.time(event.at)) }
                        " · " (who(console, event))
                        @if let Some(plugin) = &event.plugin { " · " span.plugin { (plugin) } }
                    }
                    div { (describe(console, event, files, state_label)) }
                }
            }
        }
    }
}
