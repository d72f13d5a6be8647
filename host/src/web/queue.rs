//! The queue: the tenant's tickets, newest first, filtered by state, kind,
//! priority, assignee and SLA status, a page at a time.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::{Console, url_encode};
use super::sla::{self, Status};
use crate::api::AppState;
use crate::domain::Priority;
use crate::domain::export::tickets_csv;
use crate::domain::search::Query as Search;
use crate::domain::view::ViewFilter;
use crate::service::ServiceError;
use crate::store::TicketFilter;

/// Tickets on a page.
const PAGE: usize = 25;
/// Tickets examined for one page when filtering by SLA status, which the
/// database cannot do.
const SLA_SCAN: u32 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    state: Option<String>,
    kind: Option<String>,
    priority: Option<String>,
    assignee: Option<String>,
    team: Option<String>,
    sla: Option<String>,
    /// Search text (the header's search box).
    q: Option<String>,
    cursor: Option<String>,
}

fn blank_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// What the queue's query selects, `limit` at a time (the SLA status
/// aside: it is read from each ticket's clocks).
fn filter_of(q: &QueueQuery, limit: u32) -> TicketFilter {
    TicketFilter {
        state: blank_none(&q.state),
        kind: blank_none(&q.kind),
        priority: blank_none(&q.priority)
            .and_then(|p| serde_json::from_value::<Priority>(serde_json::Value::String(p)).ok()),
        assignee: blank_none(&q.assignee),
        team: blank_none(&q.team),
        q: q.q.as_deref().and_then(Search::parse),
        serial: None,
        cursor: blank_none(&q.cursor).and_then(|c| c.parse::<Uuid>().ok()),
        limit,
    }
}

/// The queue as CSV (`/queue.csv`), with the filters of the page but the
/// SLA status, from the first ticket on.
pub async fn csv(
    State(state): State<AppState>,
    console: Console,
    Query(mut q): Query<QueueQuery>,
) -> Response {
    q.cursor = None;
    let filter = filter_of(&q, PAGE as u32);
    match state.services.export(&console.desk.caller, filter).await {
        Ok((tickets, _)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tickets.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            tickets_csv(&tickets),
        )
            .into_response(),
        Err(e) => service_failure(console.tr, &e),
    }
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<QueueQuery>,
) -> Response {
    match render(&state, &console, q).await {
        Ok(response) => response,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn render(
    state: &AppState,
    console: &Console,
    q: QueueQuery,
) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let services = &state.services;
    let caller = &console.desk.caller;
    let bundle = services.catalog.bundle(caller.tenant_id).await?;
    let teams = services.teams(caller).await?;
    let sla_filter = blank_none(&q.sla).and_then(|s| Status::parse(&s));
    let filter = filter_of(
        &q,
        if sla_filter.is_some() {
            SLA_SCAN
        } else {
            PAGE as u32 + 1
        },
    );
    let cursor = filter.cursor;
    let views = services.views_among(caller, &teams).await?;
    let admin = console.desk.user.role == crate::domain::Role::Admin;
    let login = &console.desk.user.login;
    let mine: Vec<_> = teams
        .iter()
        .filter(|t| admin || t.has(login))
        .cloned()
        .collect();
    let current = ViewFilter {
        state: filter.state.clone(),
        kind: filter.kind.clone(),
        priority: filter.priority,
        assignee: filter.assignee.clone(),
        team: filter.team.clone(),
        q: blank_none(&q.q),
    };
    let tickets = services.tickets(caller, filter).await?;
    let now = crate::service::now();
    let warn_at = bundle
        .sla
        .settings
        .warnings
        .iter()
        .copied()
        .min()
        .unwrap_or(50);
    let mut rows = Vec::new();
    let mut more = false;
    for ticket in tickets {
        if rows.len() == PAGE {
            more = true;
            break;
        }
        let events = services.events_of(caller, &ticket).await?;
        let clocks =
            crate::service::sla::clocks(&bundle, &ticket, &events, now).unwrap_or_default();
        let badge = sla::badge(&clocks, warn_at, now);
        if sla_filter.is_some_and(|f| f != badge.status) {
            continue;
        }
        rows.push((ticket, badge));
    }
    // Every state of every kind, for the filter.
    let mut states: BTreeMap<String, String> = BTreeMap::new();
    let mut kinds = Vec::new();
    for (name, bound) in bundle.kinds() {
        kinds.push((name.to_string(), bound.kind().label.clone()));
        for s in &bound.kind().workflow.states {
            states
                .entry(s.name.clone())
                .or_insert_with(|| s.label.clone());
        }
    }
    let state_label = |kind: &str, state: &str| {
        bundle
            .kind(kind)
            .ok()
            .and_then(|b| b.kind().workflow.state(state).map(|s| s.label.clone()))
            .unwrap_or_else(|| state.to_string())
    };
    let kind_label = |kind: &str| {
        bundle
            .kind(kind)
            .map_or_else(|_| kind.to_string(), |b| b.kind().label.clone())
    };
    let selected = |v: &Option<String>, option: &str| v.as_deref() == Some(option);
    let query_without_cursor = {
        let mut parts = Vec::new();
        for (name, value) in [
            ("state", &q.state),
            ("kind", &q.kind),
            ("priority", &q.priority),
            ("assignee", &q.assignee),
            ("team", &q.team),
            ("sla", &q.sla),
            ("q", &q.q),
        ] {
            if let Some(v) = blank_none(value) {
                parts.push(format!("{name}={}", url_encode(&v)));
            }
        }
        parts.join("&")
    };
    let next_link = more.then(|| {
        let last = rows
            .last()
            .map(|(t, _)| t.id.to_string())
            .unwrap_or_default();
        if query_without_cursor.is_empty() {
            format!("/?cursor={last}")
        } else {
            format!("/?{query_without_cursor}&cursor={last}")
        }
    });

    let searched = blank_none(&q.q);
    let body = html! {
        (super::views::bar(console, &views, &mine, &current))
        @if let Some(text) = &searched {
            p.searched { (tr.ta("search-results", &[("q", text.clone())])) }
        }
        form.filters method="get" action="/" role="search" aria-label=(tr.t("queue-filters")) {
            @if let Some(text) = &searched { input type="hidden" name="q" value=(text); }
            div {
                label for="f-state" { (tr.t("field-state")) }
                select #f-state name="state" {
                    option value="" { (tr.t("any")) }
                    @for (name, label) in &states { option value=(name) selected[selected(&q.state, name)] { (label) } }
                }
            }
            div {
                label for="f-kind" { (tr.t("field-kind")) }
                select #f-kind name="kind" {
                    option value="" { (tr.t("any")) }
                    @for (name, label) in &kinds { option value=(name) selected[selected(&q.kind, name)] { (label) } }
                }
            }
            div {
                label for="f-priority" { (tr.t("field-priority")) }
                select #f-priority name="priority" {
                    option value="" { (tr.t("any")) }
                    @for p in ["P1", "P2", "P3", "P4", "P5"] { option value=(p) selected[selected(&q.priority, p)] { (p) } }
                }
            }
            div {
                label for="f-assignee" { (tr.t("field-assignee")) }
                input #f-assignee type="text" name="assignee" value=(q.assignee.clone().unwrap_or_default());
            }
            @if !teams.is_empty() {
                div {
                    label for="f-team" { (tr.t("field-team")) }
                    select #f-team name="team" {
                        option value="" { (tr.t("any")) }
                        @for t in &teams { option value=(t.name) selected[selected(&q.team, &t.name)] { (t.title) } }
                    }
                }
            }
            div {
                label for="f-sla" { (tr.t("field-sla")) }
                select #f-sla name="sla" {
                    option value="" { (tr.t("any")) }
                    @for s in [Status::Running, Status::Warning, Status::Breached, Status::Paused, Status::Met, Status::None] {
                        option value=(s.name()) selected[selected(&q.sla, s.name())] { (tr.t(&format!("sla-filter-{}", s.name()))) }
                    }
                }
            }
            div.actions {
                button type="submit" { (tr.t("filter")) }
                a href="/" { (tr.t("filter-clear")) }
            }
        }
        @if rows.is_empty() {
            p.empty { (tr.t("queue-empty")) " " a href="/tickets/new" { (tr.t("nav-new-ticket")) } }
        } @else {
            table.queue {
                caption.visually-hidden { (tr.t("queue-title")) }
                thead { tr {
                    th scope="col" { (tr.t("field-title")) }
                    th scope="col" { (tr.t("field-kind")) }
                    th scope="col" { (tr.t("field-state")) }
                    th scope="col" { (tr.t("field-priority")) }
                    th scope="col" { (tr.t("field-assignee")) }
                    th scope="col" { (tr.t("field-sla")) }
                    th scope="col" { (tr.t("field-updated")) }
                } }
                tbody {
                    @for (ticket, badge) in &rows {
                        tr {
                            td { a href=(format!("/tickets/{}", ticket.id)) { (ticket.title) } }
                            td { (kind_label(&ticket.kind)) }
                            td { (state_label(&ticket.kind, &ticket.state)) }
                            td { (format!("{:?}", ticket.priority)) }
                            td { (ticket.assignee.clone().unwrap_or_else(|| "—".into())) }
                            td { (sla::render(tr, *badge)) }
                            td { time datetime=(ticket.updated_at.to_string()) { (console.time(ticket.updated_at)) } }
                        }
                    }
                }
            }
        }
        nav.paging aria-label=(tr.t("paging")) {
            @if cursor.is_some() {
                a href=(if query_without_cursor.is_empty() { "/".to_string() } else { format!("/?{query_without_cursor}") }) { (tr.t("page-first")) }
            }
            @if let Some(next) = next_link { a href=(next) rel="next" { (tr.t("page-next")) } }
            a href=(format!("/queue.csv?{query_without_cursor}")) download { (tr.t("export-csv")) }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Queue, &tr.t("queue-title"), body),
    ))
}
