//! Spare parts: the catalogue with each part's stock across the network,
//! points at or below the reorder point first, and one part's stock per
//! service point with its ledger.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::Console;
use crate::api::AppState;
use crate::domain::part::Movement;
use crate::service::ServiceError;

/// Ledger lines the part page shows.
const LEDGER_LINES: u32 = 50;

pub async fn list(State(state): State<AppState>, console: Console) -> Response {
    match render_list(&state, &console).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(sku): Path<String>,
) -> Response {
    match render_part(&state, &console, &sku).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn render_list(state: &AppState, console: &Console) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let mut rows: Vec<_> = state
        .services
        .parts_with_stock(caller)
        .await?
        .into_iter()
        .map(|(part, stock)| {
            let low = stock.points.iter().filter(|p| p.low).count();
            (part, stock, low)
        })
        .collect();
    // Parts short somewhere first.
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.sku.cmp(&b.0.sku)));
    let body = html! {
        @if rows.is_empty() {
            p.empty { (tr.t("parts-empty")) }
        } @else {
            table #parts {
                thead { tr {
                    th scope="col" { (tr.t("parts-sku")) }
                    th scope="col" { (tr.t("parts-name")) }
                    th scope="col" { (tr.t("parts-price")) }
                    th scope="col" { (tr.t("parts-on-hand")) }
                    th scope="col" { (tr.t("parts-reserved")) }
                    th scope="col" { (tr.t("parts-available")) }
                    th scope="col" { (tr.t("parts-low-points")) }
                } }
                tbody {
                    @for (part, stock, low) in &rows {
                        tr data-sku=(part.sku) {
                            td { a href=(format!("/parts/{}", part.sku)) { code { (part.sku) } } }
                            td { (part.name) }
                            td { (part.price) }
                            td { (stock.on_hand) }
                            td { (stock.reserved) }
                            td { (stock.available) }
                            td {
                                @if *low > 0 { span.badge.sla-breached { (low) } } @else { "—" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Parts, &tr.t("parts-title"), body),
    ))
}

async fn render_part(
    state: &AppState,
    console: &Console,
    sku: &str,
) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let part = state.services.part(caller, sku).await?;
    let stock = state.services.part_stock(caller, sku).await?;
    let ledger = state
        .services
        .part_movements(caller, sku, LEDGER_LINES)
        .await?;
    let body = html! {
        p { (part.name) " · " (part.category) " · " (part.price) " / " (part.unit) }
        p.hint { (tr.ta("parts-reorder-point", &[("n", part.reorder_point.to_string())])) }
        section aria-labelledby="stock-title" {
            h2 #stock-title { (tr.t("parts-stock")) }
            table #stock {
                thead { tr {
                    th scope="col" { (tr.t("parts-point")) }
                    th scope="col" { (tr.t("parts-on-hand")) }
                    th scope="col" { (tr.t("parts-reserved")) }
                    th scope="col" { (tr.t("parts-available")) }
                } }
                tbody {
                    @for p in &stock.points {
                        tr data-low=(p.low) {
                            td { (p.name) @if p.low { " " span.badge.sla-breached { (tr.t("parts-low")) } } }
                            td { (p.on_hand) }
                            td { (p.reserved) }
                            td { (p.available) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="ledger-title" {
            h2 #ledger-title { (tr.t("parts-ledger")) }
            table #ledger {
                thead { tr {
                    th scope="col" { (tr.t("parts-at")) }
                    th scope="col" { (tr.t("parts-movement")) }
                    th scope="col" { (tr.t("parts-quantity")) }
                    th scope="col" { (tr.t("parts-ticket")) }
                } }
                tbody {
                    @for m in &ledger {
                        tr {
                            td { (console.time(m.at)) }
                            td { code { (m.kind.as_str()) } }
                            td { (m.quantity) }
                            td {
                                @if let Some(ticket) = m.ticket {
                                    a href=(format!("/tickets/{ticket}")) { (ticket.to_string()) }
                                } @else { (m.note.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(
            console,
            Nav::Parts,
            &format!("{} {}", tr.t("parts-title"), part.sku),
            body,
        ),
    ))
}

/// The ticket page's section on its parts: what it reserved, used up and
/// gave back, oldest first.
pub fn of_ticket(console: &Console, lines: &[Movement]) -> Markup {
    let tr = console.tr;
    html! {
        section aria-labelledby="parts-title" {
            h2 #parts-title { (tr.t("parts-title")) }
            table #ticket-parts {
                thead { tr {
                    th scope="col" { (tr.t("parts-at")) }
                    th scope="col" { (tr.t("parts-sku")) }
                    th scope="col" { (tr.t("parts-movement")) }
                    th scope="col" { (tr.t("parts-quantity")) }
                } }
                tbody {
                    @for m in lines {
                        tr data-movement=(m.kind.as_str()) {
                            td { (console.time(m.at)) }
                            td { a href=(format!("/parts/{}", m.sku)) { code { (m.sku) } } }
                            td { (m.kind.as_str()) }
                            td { (m.quantity) }
                        }
                    }
                }
            }
        }
    }
}
