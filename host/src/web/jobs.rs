//! A technician's day on a phone: the jobs booked for them, earliest first,
//! with where to go, whom to call, the state of each ticket and the parts
//! set aside for it. Each job opens its ticket, where checking in, the
//! checklist and acceptance are the workflow's buttons.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use maud::html;
use serde::Deserialize;

use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::Console;
use crate::api::AppState;
use crate::domain::part::{self, Held, MovementKind};
use crate::service::ServiceError;

/// Which day; today in the tenant's time zone when absent.
#[derive(Debug, Deserialize)]
pub struct DayQuery {
    pub day: Option<Date>,
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<DayQuery>,
) -> Response {
    match render(&state, &console, q).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn render(
    state: &AppState,
    console: &Console,
    q: DayQuery,
) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let today = console.tz.to_datetime(crate::service::now()).date();
    let day = q.day.unwrap_or(today);
    let login = &console.desk.user.login;
    let jobs = state.services.jobs(caller, login, day).await?;
    let bundle = state.services.catalog.bundle(caller.tenant_id).await?;
    let state_label = |kind: &str, name: &str| {
        bundle
            .kind(kind)
            .ok()
            .and_then(|b| b.kind().workflow.state(name).map(|s| s.label.clone()))
            .unwrap_or_else(|| name.to_string())
    };
    let mut cards = Vec::with_capacity(jobs.len());
    for (appointment, ticket) in jobs {
        let lines = state.services.ticket_parts(caller, ticket.id).await?;
        let held: Vec<Held> = part::held(&lines);
        let used = lines.iter().any(|m| m.kind == MovementKind::Consume);
        cards.push((appointment, ticket, held, used));
    }
    let (before, after) = (day.yesterday().ok(), day.tomorrow().ok());
    let body = html! {
        nav.days aria-label=(tr.t("jobs-days")) {
            @if let Some(d) = before { a href=(format!("/jobs?day={d}")) { "← " (d) } }
            " " strong { (day) } " "
            @if let Some(d) = after { a href=(format!("/jobs?day={d}")) { (d) " →" } }
        }
        @if cards.is_empty() {
            p.empty { (tr.t("jobs-none")) }
        }
        @for (appointment, ticket, held, used) in &cards {
            article.job data-ticket=(ticket.id) {
                h2 {
                    (console.time(appointment.slot.starts_at)) " – "
                    (console.time(appointment.slot.ends_at).rsplit(' ').next().unwrap_or_default())
                }
                p { a href=(format!("/tickets/{}", ticket.id)) { (ticket.title) } }
                p.state data-state=(ticket.state) { (state_label(&ticket.kind, &ticket.state)) }
                p {
                    (ticket.customer.name)
                    @if let Some(phone) = &ticket.customer.phone { " · " a href=(format!("tel:{phone}")) { (phone) } }
                }
                @if let Some(address) = &ticket.customer.address { p { (address) } }
                @if let Some(model) = ticket.product.as_ref().and_then(|p| p.model.as_ref()) { p { (model) } }
                @if !held.is_empty() {
                    p.parts {
                        (tr.t("jobs-parts")) ": "
                        @for h in held { code { (h.sku) } " × " (h.quantity) " " }
                    }
                } @else if *used {
                    p.parts { (tr.t("jobs-parts-used")) }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Jobs, &tr.t("jobs-title"), body),
    ))
}
