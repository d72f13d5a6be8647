//! A ticket: its facts and SLA clocks, the attributes form generated from
//! the plugin's schema with the transitions the workflow allows the
//! person's role, the plugin's refusal beside the form, named actions and
//! their answers, notes, the survey link, and the timeline.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::Value;
use uuid::Uuid;

use super::form;
use super::layout::{Nav, failure, html_response, page};
use super::session::{Console, Fields};
use super::sla;
use super::timeline;
use super::{role_label, service_failure};
use crate::api::AppState;
use crate::domain::access::Permission;
use crate::service::ServiceError;
use crate::service::tickets::{EditInput, TransitionInput};

/// What a page shows besides the ticket: the answer to a form just sent.
#[derive(Default)]
struct Extra {
    status: Option<StatusCode>,
    notice: Option<Markup>,
    submitted: Option<Fields>,
    answer: Option<(String, Value)>,
}

fn not_found(tr: &super::i18n::Catalog) -> Response {
    failure(tr, StatusCode::NOT_FOUND, None)
}

/// The ticket a form was posted for and its fields, once the id parses and
/// the form carries the session's CSRF token.
pub(super) fn posted(
    console: &Console,
    id: &str,
    sent: Vec<(String, String)>,
) -> Result<(Uuid, Fields), Box<Response>> {
    let tr = console.tr;
    let id = id.parse::<Uuid>().map_err(|_| Box::new(not_found(tr)))?;
    let fields = Fields(sent);
    if !console.csrf_ok(&fields) {
        let refused = failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
        return Err(Box::new(refused));
    }
    Ok((id, fields))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    match id.parse() {
        Ok(id) => render(&state, &console, id, Extra::default()).await,
        Err(_) => not_found(console.tr),
    }
}

/// Why a change was refused, beside the form.
fn notice(console: &Console, e: &ServiceError) -> Markup {
    let tr = console.tr;
    match e {
        ServiceError::Rejected { plugin, rejection } => html! {
            h2 { (tr.ta("rejected-title", &[("plugin", plugin.clone())])) }
            p { (rejection.message) }
            p.codes {
                @if let Some(rule) = &rejection.rule { span.rule { (tr.ta("rejected-rule", &[("rule", rule.clone())])) } " " }
                code { (rejection.code) }
            }
            @if !rejection.details.is_empty() {
                ul { @for d in &rejection.details { li { (d) } } }
            }
        },
        ServiceError::SchemaViolation { errors, .. } => html! {
            h2 { (tr.t("schema-title")) }
            ul { @for err in errors { li { code { (err.pointer) } " " (err.message) } } }
        },
        ServiceError::StaleVersion { .. } => {
            html! { h2 { (tr.t("stale-title")) } p { (tr.t("stale-hint")) } }
        }
        ServiceError::Forbidden(_) => {
            html! { h2 { (tr.t("error-forbidden")) } p { (e.to_string()) } }
        }
        other => html! { h2 { (tr.t("refused-title")) } p { (other.to_string()) } },
    }
}

fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Forbidden(_)
        | ServiceError::Workflow(crate::domain::WorkflowError::RoleNotAllowed { .. }) => {
            StatusCode::FORBIDDEN
        }
        ServiceError::StaleVersion { .. } => StatusCode::CONFLICT,
        ServiceError::PluginFailed(_) => StatusCode::BAD_GATEWAY,
        ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ServiceError::QuotaExceeded { .. } => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A refusal the page can show; anything else is a failure page.
fn shows_beside_form(e: &ServiceError) -> bool {
    !matches!(
        e,
        ServiceError::NotFound(_) | ServiceError::Store(_) | ServiceError::Bundle(_)
    )
}

async fn render(state: &AppState, console: &Console, id: Uuid, extra: Extra) -> Response {
    match page_of(state, console, id, extra).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn page_of(
    state: &AppState,
    console: &Console,
    id: Uuid,
    extra: Extra,
) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let services = &state.services;
    let caller = &console.desk.caller;
    let ticket = services.ticket(caller, id).await?;
    let bundle = services.catalog.bundle(caller.tenant_id).await?;
    let bound = bundle.kind(&ticket.kind)?;
    let kind = bound.kind();
    let transitions = services.available_transitions(caller, &ticket).await?;
    let events = services.events(caller, id).await?;
    let appointment = services
        .appointments(caller, id)
        .await?
        .into_iter()
        .rfind(|a| a.cancelled_at.is_none());
    let parts = services.ticket_parts(caller, id).await?;
    let files = services.attachments(caller, id).await?;
    let history = super::history::of_unit(services, console, &bundle, &ticket).await?;
    let now = crate::service::now();
    let clocks = crate::service::sla::clocks(&bundle, &ticket, &events, now)?;
    let warn_at = bundle
        .sla
        .settings
        .warnings
        .iter()
        .copied()
        .min()
        .unwrap_or(50);
    let survey = match services.ticket_survey(caller, id).await {
        Ok(s) => Some(s),
        Err(ServiceError::NotFound(_) | ServiceError::Forbidden(_)) => None,
        Err(e) => return Err(e),
    };
    let role = caller.role();
    let writer = Permission::WriteTickets.granted_to(role);
    let actions: Vec<_> = bound
        .installed
        .manifest()
        .actions
        .iter()
        .filter(|a| {
            (a.kinds.is_empty() || a.kinds.contains(&ticket.kind)) && a.roles.contains(&role.into())
        })
        .collect();
    let fields = form::fields(&kind.attributes_schema);
    let state_label = |s: &str| {
        kind.workflow
            .state(s)
            .map_or_else(|| s.to_string(), |st| st.label.clone())
    };
    let set_by_plugin = form::read_only(&console.tz, &fields, &ticket.attributes);
    let tz = &console.tz;
    let action_url = format!("/tickets/{id}");

    let body = html! {
        section.summary aria-label=(tr.t("ticket-summary")) {
            dl.facts {
                dt { (tr.t("field-kind")) } dd { (kind.label) }
                dt { (tr.t("field-state")) } dd #ticket-state data-state=(ticket.state) { (state_label(&ticket.state)) }
                dt { (tr.t("field-priority")) } dd { (format!("{:?}", ticket.priority)) }
                dt { (tr.t("field-assignee")) } dd { (ticket.assignee.clone().unwrap_or_else(|| "—".into())) }
                dt { (tr.t("field-team")) } dd { (ticket.team.clone().unwrap_or_else(|| "—".into())) }
                @if let Some(a) = &appointment {
                    dt { (tr.t("field-appointment")) } dd #appointment {
                        (a.technician) " · " (console.time(a.slot.starts_at)) " – " (console.time(a.slot.ends_at))
                    }
                }
                dt { (tr.t("field-customer")) } dd {
                    (ticket.customer.name)
                    @for contact in [&ticket.customer.phone, &ticket.customer.email, &ticket.customer.address].into_iter().flatten() { " · " (contact) }
                }
                @if let Some(p) = &ticket.product {
                    dt { (tr.t("field-product")) } dd {
                        @for part in [&p.category, &p.model, &p.serial, &p.price, &p.invoice_date].into_iter().flatten() { span.part { (part) } " " }
                    }
                }
                dt { (tr.t("field-created")) } dd { (console.time(ticket.created_at)) }
                dt { (tr.t("field-sla")) } dd { (sla::render(tr, sla::badge(&clocks, warn_at, now))) }
            }
            @if !ticket.description.is_empty() { p.description { (ticket.description) } }
            @if !clocks.is_empty() {
                table.clocks {
                    caption { (tr.t("clocks-title")) }
                    thead { tr {
                        th scope="col" { (tr.t("clock-metric")) }
                        th scope="col" { (tr.t("clock-target")) }
                        th scope="col" { (tr.t("clock-due")) }
                        th scope="col" { (tr.t("field-sla")) }
                    } }
                    tbody {
                        @for (target, clock) in &clocks {
                            tr {
                                td { (tr.t(match target.metric {
                                    crate::domain::SlaMetric::Response => "metric-response",
                                    crate::domain::SlaMetric::Resolution => "metric-resolution",
                                    crate::domain::SlaMetric::OnSite => "metric-on-site",
                                })) }
                                td { (sla::duration(tr, jiff::SignedDuration::from_mins(i64::from(target.minutes))))
                                     @if target.business_time { " (" (tr.t("business-time")) ")" } }
                                td { (clock.due_at().map(|d| console.time(d)).unwrap_or_else(|| "—".into())) }
                                td { (sla::render(tr, sla::badge(std::slice::from_ref(&(*target, clock.clone())), warn_at, now))) }
                            }
                        }
                    }
                }
            }
        }
        div.work {
            section.work-form aria-labelledby="work-title" {
                h2 #work-title { (tr.t("work-title")) }
                @if writer || !transitions.is_empty() {
                    form method="post" action=(action_url) {
                        input type="hidden" name="csrf" value=(console.csrf());
                        input type="hidden" name="version" value=(ticket.version);
                        fieldset.attributes {
                            legend { (tr.t("attributes-title")) }
                            (form::controls(tr, tz, &fields, &ticket.attributes, extra.submitted.as_ref()))
                        }
                        div.field {
                            label for="note" { (tr.t("transition-note")) }
                            textarea #note name="note" rows="2" { (extra.submitted.as_ref().and_then(|f| f.get("note")).unwrap_or("")) }
                        }
                        div.buttons {
                            @if writer { button.secondary type="submit" name="transition" value="" { (tr.t("save-attributes")) } }
                            @for t in &transitions {
                                button type="submit" name="transition" value=(t.name) data-transition=(t.name) { (t.label) }
                            }
                        }
                        @if transitions.is_empty() { p.hint { (tr.ta("no-transitions", &[("role", role_label(tr, role))])) } }
                    }
                } @else {
                    p.hint { (tr.ta("read-only-role", &[("role", role_label(tr, role))])) }
                }
            }
            @if let Some(n) = &extra.notice {
                aside.rejection #rejection role="alert" aria-live="assertive" { (n) }
            }
        }
        @if !set_by_plugin.is_empty() {
            section aria-labelledby="plugin-set-title" {
                h2 #plugin-set-title { (tr.t("set-by-plugin-title")) }
                dl.facts { @for (name, value) in &set_by_plugin { dt { (name) } dd { (value) } } }
            }
        }
        @if !actions.is_empty() {
            section aria-labelledby="actions-title" {
                h2 #actions-title { (tr.t("actions-title")) }
                @for a in &actions {
                    form.action method="post" action=(format!("/tickets/{id}/actions/{}", a.name)) {
                        input type="hidden" name="csrf" value=(console.csrf());
                        @let input_id = format!("action-{}-input", a.name);
                        label for=(input_id) { (tr.ta("action-input", &[("action", a.label.clone())])) }
                        textarea id=(input_id) name="input" rows="2" placeholder="{}" {}
                        button type="submit" data-action=(a.name) { (a.label) }
                    }
                    @if let Some((_, output)) = extra.answer.as_ref().filter(|(n, _)| *n == a.name) {
                        div.answer #action-answer role="status" {
                            h3 { (tr.ta("action-answer", &[("action", a.label.clone())])) }
                            @if let Some(o) = output.as_object() {
                                dl.facts { @for (k, v) in o { dt { (form::label(k)) } dd { (form::show(v, tz)) } } }
                            } @else {
                                pre { (output.to_string()) }
                            }
                        }
                    }
                }
            }
        }
        @if !parts.is_empty() { (super::parts::of_ticket(console, &parts)) }
        (history)
        @if let Some(s) = &survey {
            section aria-labelledby="survey-title" {
                h2 #survey-title { (tr.t("survey-title")) }
                @if s.answered_at.is_some() {
                    p { (tr.t("survey-answered")) }
                } @else if let Some(link) = &s.link {
                    p { (tr.ta("survey-send", &[("until", console.time(s.expires_at))])) }
                    p { a #survey-link href=(link) { (link) } }
                }
            }
        }
        (super::attachments::section(console, id, &files, writer))
        @if writer {
            section aria-labelledby="notes-title" {
                h2 #notes-title { (tr.t("notes-title")) }
                form method="post" action=(format!("/tickets/{id}/comments")) {
                    input type="hidden" name="csrf" value=(console.csrf());
                    label for="comment-body" { (tr.t("note-body")) }
                    textarea #comment-body name="body" rows="3" required {}
                    div.inline {
                        input #comment-internal type="checkbox" name="internal" value="1";
                        label for="comment-internal" { (tr.t("note-internal")) }
                    }
                    button type="submit" { (tr.t("note-add")) }
                }
            }
        }
        section aria-labelledby="timeline-title" {
            h2 #timeline-title { (tr.t("timeline-title")) }
            (timeline::render(console, &events, &files, &state_label))
        }
    };
    Ok(html_response(
        extra.status.unwrap_or(StatusCode::OK),
        page(console, Nav::Queue, &ticket.title, body),
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let (id, fields) = match posted(&console, &id, sent) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let services = &state.services;
    let caller = &console.desk.caller;
    let prepared = async {
        let ticket = services.ticket(caller, id).await?;
        let bundle = services.catalog.bundle(caller.tenant_id).await?;
        let schema = bundle.kind(&ticket.kind)?.kind().attributes_schema.clone();
        Ok::<_, ServiceError>((ticket, schema))
    };
    let (ticket, schema) = match prepared.await {
        Ok(p) => p,
        Err(e) => return service_failure(tr, &e),
    };
    let version = fields
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(ticket.version);
    let attributes = match form::collect(
        &form::fields(&schema),
        &fields,
        &ticket.attributes,
        &console.tz,
    ) {
        Ok(a) => a,
        Err(field) => {
            let notice = html! { h2 { (tr.t("refused-title")) } p { (tr.ta("form-unreadable", &[("field", field)])) } };
            let extra = Extra {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                notice: Some(notice),
                submitted: Some(fields),
                answer: None,
            };
            return render(&state, &console, id, extra).await;
        }
    };
    let note = fields.text("note");
    let result = match fields.text("transition") {
        Some(name) => services
            .transition(
                caller,
                id,
                TransitionInput {
                    name,
                    attributes,
                    note,
                },
                version,
            )
            .await
            .map(|_| ()),
        None if attributes.is_empty() && note.is_none() => Ok(()),
        None => services
            .edit(
                caller,
                id,
                EditInput {
                    attributes,
                    note,
                    ..EditInput::default()
                },
                version,
            )
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) if shows_beside_form(&e) => {
            let extra = Extra {
                status: Some(status_of(&e)),
                notice: Some(notice(&console, &e)),
                submitted: Some(fields),
                answer: None,
            };
            render(&state, &console, id, extra).await
        }
        Err(e) => service_failure(tr, &e),
    }
}

pub async fn comment(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let (id, fields) = match posted(&console, &id, sent) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let body = fields.get("body").unwrap_or("").to_string();
    let internal = fields.get("internal").is_some();
    match state
        .services
        .comment(&console.desk.caller, id, body, internal)
        .await
    {
        Ok(_) => Redirect::to(&format!("/tickets/{id}#timeline-title")).into_response(),
        Err(e) => refused(&state, &console, id, &e).await,
    }
}

pub async fn action(
    State(state): State<AppState>,
    console: Console,
    Path((id, name)): Path<(String, String)>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let (id, fields) = match posted(&console, &id, sent) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let input = match fields.text("input") {
        None => Value::Object(serde_json::Map::new()),
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(_) => {
                let notice =
                    html! { h2 { (tr.t("refused-title")) } p { (tr.t("action-input-not-json")) } };
                let extra = Extra {
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    notice: Some(notice),
                    ..Extra::default()
                };
                return render(&state, &console, id, extra).await;
            }
        },
    };
    match state
        .services
        .action(&console.desk.caller, id, &name, input)
        .await
    {
        Ok(answer) => {
            render(
                &state,
                &console,
                id,
                Extra {
                    answer: Some((name, answer.output)),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(e) => refused(&state, &console, id, &e).await,
    }
}

/// The ticket's page with why a form was refused beside it, or a failure
/// page when the refusal is not the form's.
pub(super) async fn refused(
    state: &AppState,
    console: &Console,
    id: Uuid,
    e: &ServiceError,
) -> Response {
    if !shows_beside_form(e) {
        return service_failure(console.tr, e);
    }
    let extra = Extra {
        status: Some(status_of(e)),
        notice: Some(notice(console, e)),
        ..Extra::default()
    };
    render(state, console, id, extra).await
}
