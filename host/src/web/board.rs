//! The dispatch board: technicians down, the week's days across; each day
//! shows how many visits are booked of what the technician can take, and
//! the visits themselves, each opening its ticket.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::jobs::DayQuery;
use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::Console;
use crate::api::AppState;
use crate::service::ServiceError;
use crate::service::board::BOARD_DAYS;

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
    let today = console.tz.to_datetime(crate::service::now()).date();
    let from = q.day.unwrap_or(today);
    let rows = state.services.board(&console.desk.caller, from).await?;
    let days: Vec<_> = rows
        .first()
        .map(|r| r.days.iter().map(|d| d.day).collect())
        .unwrap_or_default();
    let week = i64::try_from(BOARD_DAYS).unwrap_or(7);
    let (before, after) = (
        from.checked_sub(jiff::Span::new().days(week)).ok(),
        from.checked_add(jiff::Span::new().days(week)).ok(),
    );
    let body = html! {
        nav.days aria-label=(tr.t("jobs-days")) {
            @if let Some(d) = before { a href=(format!("/dispatch?day={d}")) { "← " (d) } }
            " " strong { (from) } " "
            @if let Some(d) = after { a href=(format!("/dispatch?day={d}")) { (d) " →" } }
        }
        @if rows.is_empty() {
            p.empty { (tr.t("board-none")) }
        } @else {
            div.scroll {
                table.board {
                    thead { tr {
                        th scope="col" { (tr.t("board-technician")) }
                        @for d in &days { th scope="col" { (d) } }
                    } }
                    tbody {
                        @for row in &rows {
                            tr data-technician=(row.technician) {
                                th scope="row" { (row.technician) }
                                @for day in &row.days {
                                    @let full = day.load.capacity > 0 && day.load.booked >= day.load.capacity;
                                    td.full[full] {
                                        span.load { (day.load.booked) " / " (day.load.capacity) }
                                        @for (visit, ticket) in &day.visits {
                                            a.visit href=(format!("/tickets/{}", ticket.id)) {
                                                (console.time(visit.slot.starts_at).rsplit(' ').next().unwrap_or_default())
                                                " " (ticket.title)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Board, &tr.t("board-title"), body),
    ))
}
