//! The WebAssembly side of the contract: generated bindings and the adapter
//! between them and [`Plugin`](crate::Plugin). Plugin authors never see this
//! module; [`export_plugin!`](crate::export_plugin) wires it up.

use crate::json::{Attributes, Json};
use crate::types::{self as t, Timestamp};
use crate::{Decision, Plugin};

#[allow(clippy::all, missing_docs)]
pub mod wit {
    wit_bindgen::generate!({
        path: "../wit/1.2.0",
        world: "plugin-with-surveys",
        pub_export_macro: true,
        export_macro_name: "__export_hooks",
        default_bindings_module: "aftersale_sdk::__private::wit",
        runtime_path: "aftersale_sdk::__private::wit_bindgen_rt",
    });
}

use wit::aftersale::plugin::context as wc;
use wit::aftersale::plugin::types as w;
pub use wit::exports::aftersale::plugin::hooks::Guest;
use wit::exports::aftersale::plugin::survey_hooks as ws;
pub use wit::exports::aftersale::plugin::survey_hooks::Guest as SurveyGuest;

fn timestamp(ms: i64) -> Timestamp {
    // The host only sends instants it can represent; clamp anything else
    // rather than trap.
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

fn wit_category(c: t::Category) -> w::Category {
    match c {
        t::Category::New => w::Category::New,
        t::Category::Active => w::Category::Active,
        t::Category::Waiting => w::Category::Waiting,
        t::Category::Resolved => w::Category::Resolved,
        t::Category::Closed => w::Category::Closed,
        t::Category::Cancelled => w::Category::Cancelled,
    }
}

fn role(r: w::Role) -> t::Role {
    match r {
        w::Role::Admin => t::Role::Admin,
        w::Role::Agent => t::Role::Agent,
        w::Role::Technician => t::Role::Technician,
        w::Role::Partner => t::Role::Partner,
        w::Role::Viewer => t::Role::Viewer,
        w::Role::Customer => t::Role::Customer,
        w::Role::System => t::Role::System,
    }
}

fn wit_role(r: t::Role) -> w::Role {
    match r {
        t::Role::Admin => w::Role::Admin,
        t::Role::Agent => w::Role::Agent,
        t::Role::Technician => w::Role::Technician,
        t::Role::Partner => w::Role::Partner,
        t::Role::Viewer => w::Role::Viewer,
        t::Role::Customer => w::Role::Customer,
        t::Role::System => w::Role::System,
    }
}

fn channel(c: w::Channel) -> t::Channel {
    match c {
        w::Channel::Phone => t::Channel::Phone,
        w::Channel::Online => t::Channel::Online,
        w::Channel::WalkIn => t::Channel::WalkIn,
        w::Channel::Onsite => t::Channel::Onsite,
        w::Channel::Email => t::Channel::Email,
        w::Channel::Api => t::Channel::Api,
    }
}

fn priority(p: w::Priority) -> t::Priority {
    match p {
        w::Priority::P1 => t::Priority::P1,
        w::Priority::P2 => t::Priority::P2,
        w::Priority::P3 => t::Priority::P3,
        w::Priority::P4 => t::Priority::P4,
        w::Priority::P5 => t::Priority::P5,
    }
}

fn wit_priority(p: t::Priority) -> w::Priority {
    match p {
        t::Priority::P1 => w::Priority::P1,
        t::Priority::P2 => w::Priority::P2,
        t::Priority::P3 => w::Priority::P3,
        t::Priority::P4 => w::Priority::P4,
        t::Priority::P5 => w::Priority::P5,
    }
}

fn audience(a: t::Audience) -> w::Audience {
    match a {
        t::Audience::Customer => w::Audience::Customer,
        t::Audience::Assignee => w::Audience::Assignee,
        t::Audience::GroupLead => w::Audience::GroupLead,
        t::Audience::Manager => w::Audience::Manager,
        t::Audience::Stakeholders => w::Audience::Stakeholders,
        t::Audience::Admins => w::Audience::Admins,
    }
}

fn sla_metric(m: t::SlaMetric) -> w::SlaMetric {
    match m {
        t::SlaMetric::Response => w::SlaMetric::Response,
        t::SlaMetric::Resolution => w::SlaMetric::Resolution,
        t::SlaMetric::OnSite => w::SlaMetric::OnSite,
    }
}

fn actor(a: w::Actor) -> t::Actor {
    t::Actor {
        id: a.id,
        role: role(a.role),
    }
}

fn product(p: w::Product) -> t::Product {
    t::Product {
        sku: p.sku,
        category: p.category,
        model: p.model,
        serial: p.serial,
        price: p.price,
        purchase_date: p.purchase_date,
        invoice_date: p.invoice_date,
        has_invoice: p.has_invoice,
        has_warranty_card: p.has_warranty_card,
    }
}

fn event(e: w::Event) -> t::Event {
    t::Event {
        id: e.id,
        at: timestamp(e.at),
        actor: actor(e.actor),
        kind: e.kind,
        data: Json::from_text(e.data),
    }
}

fn snapshot(s: w::Snapshot) -> Result<t::Snapshot, t::Rejection> {
    let ticket = s.ticket;
    Ok(t::Snapshot {
        tenant: s.tenant,
        time_zone: s.time_zone,
        now: timestamp(s.now),
        actor: actor(s.actor),
        ticket: t::Ticket {
            attributes: Attributes::from_text(&ticket.attributes)?,
            id: ticket.id,
            kind: ticket.kind,
            title: ticket.title,
            description: ticket.description,
            channel: channel(ticket.channel),
            customer: t::Customer {
                name: ticket.customer.name,
                phone: ticket.customer.phone,
                email: ticket.customer.email,
                address: ticket.customer.address,
            },
            product: ticket.product.map(product),
            priority: priority(ticket.priority),
            state: ticket.state,
            assignee: ticket.assignee,
            version: ticket.version,
            created_at: timestamp(ticket.created_at),
            updated_at: timestamp(ticket.updated_at),
        },
        history: s.history.into_iter().map(event).collect(),
        config: Json::from_text(s.config),
        unit_history: unit_history()?,
        appointment: wc::appointment().map(|a| t::Appointment {
            technician: a.technician,
            starts_at: timestamp(a.starts_at),
            ends_at: timestamp(a.ends_at),
        }),
    })
}

/// The unit's earlier tickets, as the host read them before the call.
fn unit_history() -> Result<Vec<t::PriorTicket>, t::Rejection> {
    wc::unit_history()
        .into_iter()
        .map(|p| {
            Ok(t::PriorTicket {
                attributes: Attributes::from_text(&p.attributes)?,
                id: p.id,
                kind: p.kind,
                state: p.state,
                category: category(p.category),
                created_at: timestamp(p.created_at),
                resolved_at: p.resolved_at.map(timestamp),
            })
        })
        .collect()
}

fn category(c: w::Category) -> t::Category {
    match c {
        w::Category::New => t::Category::New,
        w::Category::Active => t::Category::Active,
        w::Category::Waiting => t::Category::Waiting,
        w::Category::Resolved => t::Category::Resolved,
        w::Category::Closed => t::Category::Closed,
        w::Category::Cancelled => t::Category::Cancelled,
    }
}

fn effect(e: t::Effect) -> w::Effect {
    match e {
        t::Effect::SetAttribute { name, value } => w::Effect::SetAttribute(w::AttributeChange {
            name,
            value: value.to_string(),
        }),
        t::Effect::SetPriority { priority } => w::Effect::SetPriority(wit_priority(priority)),
        t::Effect::ScheduleTimer { name, at, payload } => w::Effect::ScheduleTimer(w::Timer {
            name,
            at: millis(at),
            payload: payload.into_text(),
        }),
        t::Effect::CancelTimer { name } => w::Effect::CancelTimer(name),
        t::Effect::CreateTicket(f) => w::Effect::CreateTicket(w::FollowUp {
            kind: f.kind,
            title: f.title,
            description: f.description,
            priority: f.priority.map(wit_priority),
            attributes: f.attributes.to_text(),
            relation: f.relation,
        }),
        t::Effect::Notify {
            audience: a,
            template,
            subject,
            body,
        } => w::Effect::Notify(w::Notice {
            audience: audience(a),
            template,
            subject,
            body,
        }),
        t::Effect::AddNote { body, internal } => w::Effect::AddNote(w::Note { body, internal }),
        t::Effect::RequestTransition { transition } => w::Effect::RequestTransition(transition),
        t::Effect::Escalate { tier, reason } => w::Effect::Escalate(w::Escalation { tier, reason }),
        t::Effect::ReservePart {
            sku,
            quantity,
            node,
        } => w::Effect::ReservePart(w::PartReservation {
            sku,
            quantity,
            node,
        }),
    }
}

fn effects(list: Vec<t::Effect>) -> Vec<w::Effect> {
    list.into_iter().map(effect).collect()
}

fn rejection(r: t::Rejection) -> w::Rejection {
    w::Rejection {
        code: r.code,
        message: r.message,
        rule: r.rule,
        details: r.details,
    }
}

fn decision(d: Decision) -> Result<Vec<w::Effect>, w::Rejection> {
    d.map(effects).map_err(rejection)
}

fn manifest_of(m: t::Manifest) -> w::PluginManifest {
    w::PluginManifest {
        name: m.name,
        version: m.version,
        description: m.description,
        kinds: m
            .kinds
            .into_iter()
            .map(|k| w::Kind {
                name: k.name,
                label: k.label,
                workflow: w::Workflow {
                    initial: k.workflow.initial,
                    states: k
                        .workflow
                        .states
                        .into_iter()
                        .map(|s| w::State {
                            name: s.name,
                            label: s.label,
                            category: wit_category(s.category),
                        })
                        .collect(),
                    transitions: k
                        .workflow
                        .transitions
                        .into_iter()
                        .map(|t| w::Transition {
                            name: t.name,
                            label: t.label,
                            from: t.from,
                            to: t.to,
                            roles: t.roles.into_iter().map(wit_role).collect(),
                        })
                        .collect(),
                },
                attributes_schema: k.attributes_schema.to_string(),
                default_priority: wit_priority(k.default_priority),
                sla: k
                    .sla
                    .into_iter()
                    .map(|s| w::SlaTarget {
                        metric: sla_metric(s.metric),
                        priority: s.priority.map(wit_priority),
                        minutes: s.minutes,
                        business_time: s.business_time,
                    })
                    .collect(),
            })
            .collect(),
        actions: m
            .actions
            .into_iter()
            .map(|a| w::Action {
                name: a.name,
                label: a.label,
                kinds: a.kinds,
                roles: a.roles.into_iter().map(wit_role).collect(),
                input_schema: a.input_schema.to_string(),
            })
            .collect(),
        config_schema: m.config_schema.to_string(),
        default_config: m.default_config.to_string(),
        resources: w::ResourceRequest {
            fuel: m.resources.fuel,
            memory_bytes: m.resources.memory_bytes,
            deadline_ms: m.resources.deadline_ms,
        },
    }
}

/// A snapshot the host should never send; `after` and `on-timer` cannot
/// reject, so they trap with the reason instead.
fn expect_snapshot(s: w::Snapshot) -> t::Snapshot {
    match snapshot(s) {
        Ok(s) => s,
        Err(r) => panic!("the host sent a malformed snapshot: {r}"),
    }
}

pub fn manifest<P: Plugin>() -> w::PluginManifest {
    manifest_of(P::manifest())
}

pub fn on_create<P: Plugin>(s: w::Snapshot) -> Result<Vec<w::Effect>, w::Rejection> {
    let s = snapshot(s).map_err(rejection)?;
    decision(P::on_create(&s))
}

pub fn guard<P: Plugin>(
    s: w::Snapshot,
    tr: w::TransitionRequest,
) -> Result<Vec<w::Effect>, w::Rejection> {
    let s = snapshot(s).map_err(rejection)?;
    let tr = t::TransitionRequest {
        name: tr.name,
        from: tr.from,
        to: tr.to,
        note: tr.note,
        changed_attributes: tr.changed_attributes,
    };
    decision(P::guard(&s, &tr))
}

pub fn after<P: Plugin>(s: w::Snapshot, e: w::Event) -> Vec<w::Effect> {
    effects(P::after(&expect_snapshot(s), &event(e)))
}

pub fn on_timer<P: Plugin>(s: w::Snapshot, timer: w::FiredTimer) -> Vec<w::Effect> {
    let timer = t::FiredTimer {
        name: timer.name,
        due: timestamp(timer.due),
        payload: Json::from_text(timer.payload),
    };
    effects(P::on_timer(&expect_snapshot(s), &timer))
}

pub fn action<P: Plugin>(
    s: w::Snapshot,
    name: String,
    input: String,
) -> Result<w::ActionOutput, w::Rejection> {
    let s = snapshot(s).map_err(rejection)?;
    let out = P::action(&s, &name, &Json::from_text(input)).map_err(rejection)?;
    Ok(w::ActionOutput {
        output: out.output.to_string(),
        effects: effects(out.effects),
    })
}

pub fn on_survey<P: Plugin>(s: w::Snapshot, answer: ws::SurveyAnswer) -> Vec<w::Effect> {
    let answer = t::SurveyAnswer {
        survey: answer.survey,
        ratings: answer
            .ratings
            .into_iter()
            .map(|r| t::Rating {
                attribute: r.attribute,
                score: r.score,
            })
            .collect(),
        nps: answer.nps,
        comment: answer.comment,
    };
    effects(P::on_survey(&expect_snapshot(s), &answer))
}

/// Forward a log line to the host.
pub fn log(level: crate::log::Level, message: &str) {
    use crate::log::Level;
    use wit::aftersale::plugin::host::{self, Level as L};
    let level = match level {
        Level::Trace => L::Trace,
        Level::Debug => L::Debug,
        Level::Info => L::Info,
        Level::Warn => L::Warn,
        Level::Error => L::Error,
    };
    host::log(level, message);
}
