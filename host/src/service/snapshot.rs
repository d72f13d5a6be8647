//! The snapshot a plugin decides on, built from the host's records.

use aftersale_sdk as c;
use jiff::Timestamp;

use super::catalog::{Bound, Bundle};
use crate::domain::{Actor, Event, Ticket};

/// Plugins see at most this many of a ticket's most recent events.
pub const HISTORY_LIMIT: usize = 200;

/// Everything a plugin may base a decision about `ticket` on, but for the
/// unit's history and the appointment (contract 1.2.0), which a change
/// adds when the plugin can read them.
pub fn snapshot(
    bundle: &Bundle,
    bound: &Bound,
    ticket: &Ticket,
    history: &[Event],
    actor: &Actor,
    now: Timestamp,
) -> c::Snapshot {
    let recent = &history[history.len().saturating_sub(HISTORY_LIMIT)..];
    c::Snapshot {
        tenant: bundle.tenant.id.to_string(),
        time_zone: bundle.tenant.time_zone.clone(),
        now,
        actor: actor.clone().into(),
        ticket: contract_ticket(ticket),
        history: recent.iter().map(contract_event).collect(),
        config: bound.config.clone(),
        unit_history: Vec::new(),
        appointment: None,
    }
}

pub fn contract_ticket(ticket: &Ticket) -> c::Ticket {
    c::Ticket {
        id: ticket.id.to_string(),
        kind: ticket.kind.clone(),
        title: ticket.title.clone(),
        description: ticket.description.clone(),
        channel: ticket.channel.into(),
        customer: ticket.customer.clone().into(),
        product: ticket.product.clone().map(Into::into),
        priority: ticket.priority.into(),
        state: ticket.state.clone(),
        assignee: ticket.assignee.clone(),
        attributes: c::Attributes::from(ticket.attributes.clone()),
        version: u64::try_from(ticket.version).unwrap_or(0),
        created_at: ticket.created_at,
        updated_at: ticket.updated_at,
    }
}

pub fn contract_event(event: &Event) -> c::Event {
    c::Event {
        id: event.id.to_string(),
        at: event.at,
        actor: event.actor.clone().into(),
        kind: event.data.kind().to_string(),
        data: c::Json::from(event.data.to_json()),
    }
}
