//! A unit's earlier tickets, on the ticket page: what the desk needs to
//! see a re-repair coming.

use maud::{Markup, html};

use super::session::Console;
use crate::domain::Ticket;
use crate::service::catalog::Bundle;
use crate::service::{ServiceError, Services};
use crate::store::TicketFilter;

/// How many of the unit's other tickets the page lists.
const SHOWN: u32 = 20;

/// The section for `ticket`'s unit; nothing when it names no serial.
pub async fn of_unit(
    services: &Services,
    console: &Console,
    bundle: &Bundle,
    ticket: &Ticket,
) -> Result<Markup, ServiceError> {
    let Some(serial) = ticket
        .product
        .as_ref()
        .and_then(|p| p.serial.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(html! {});
    };
    let filter = TicketFilter {
        serial: Some(serial.to_owned()),
        limit: SHOWN + 1,
        ..TicketFilter::default()
    };
    let others: Vec<Ticket> = services
        .tickets(&console.desk.caller, filter)
        .await?
        .into_iter()
        .filter(|t| t.id != ticket.id)
        .take(SHOWN as usize)
        .collect();
    let tr = console.tr;
    // A kind or state the bundle no longer has shows by its name.
    let kind = |t: &Ticket| {
        bundle
            .kind(&t.kind)
            .map_or_else(|_| t.kind.clone(), |b| b.kind().label.clone())
    };
    let state = |t: &Ticket| {
        bundle
            .kind(&t.kind)
            .ok()
            .and_then(|b| b.kind().workflow.state(&t.state).map(|s| s.label.clone()))
            .unwrap_or_else(|| t.state.clone())
    };
    Ok(html! {
        section aria-labelledby="history-title" {
            h2 #history-title { (tr.t("product-history")) " · " code { (serial) } }
            @if others.is_empty() {
                p { (tr.t("product-history-none")) }
            } @else {
                table #unit-history {
                    thead { tr {
                        th scope="col" { (tr.t("field-created")) }
                        th scope="col" { (tr.t("field-kind")) }
                        th scope="col" { (tr.t("field-title")) }
                        th scope="col" { (tr.t("field-state")) }
                    } }
                    tbody {
                        @for t in &others {
                            tr {
                                td { (console.time(t.created_at)) }
                                td { (kind(t)) }
                                td { a href=(format!("/tickets/{}", t.id)) { (t.title) } }
                                td { (state(t)) }
                            }
                        }
                    }
                }
            }
        }
    })
}
