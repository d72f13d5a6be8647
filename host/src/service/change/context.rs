//! What a plugin of contract 1.2.0 sees around the ticket: the unit's
//! earlier tickets (same serial) and the appointment booked for it. Read
//! once per ticket of a change, at the first snapshot a plugin that can
//! see them gets, and only what can exist: no unit history without a
//! serial, no stored appointment before a `dispatched` event. The
//! appointment follows what the change itself books or cancels.

use aftersale_sdk as c;
use uuid::Uuid;

use super::{Change, ServiceError, Slot};
use crate::domain::dispatch::Appointment;
use crate::domain::{Actor, Category, Event, EventData, Ticket};
use crate::plugins::{CONTEXT_CONTRACT, contract_at_least};
use crate::store::{AppointmentOp, TicketFilter};

/// A unit's earlier tickets handed to a plugin, newest first.
pub const UNIT_HISTORY_LIMIT: usize = 20;
/// The most text of earlier tickets' attributes handed in: older tickets
/// past it are left out, so that a long history never fills the snapshot.
pub const UNIT_HISTORY_BYTES: usize = 64 * 1024;

/// What the store holds around a ticket.
pub(super) struct Stored {
    unit_history: Vec<c::PriorTicket>,
    appointment: Option<Appointment>,
}

impl Change<'_> {
    /// The snapshot a plugin sees of a ticket now.
    pub async fn snapshot(
        &mut self,
        slot: Slot,
        actor: &Actor,
    ) -> Result<c::Snapshot, ServiceError> {
        let draft = &self.drafts[slot];
        let bound = self.bundle.kind(&draft.ticket.kind)?;
        let history: Vec<Event> = draft.stored.iter().chain(&draft.new).cloned().collect();
        let mut snapshot = crate::service::snapshot::snapshot(
            self.bundle,
            bound,
            &draft.ticket,
            &history,
            actor,
            self.now,
        );
        let contract = bound.installed.plugin.contract();
        if !contract_at_least(contract, CONTEXT_CONTRACT) {
            return Ok(snapshot);
        }
        if self.drafts[slot].context.is_none() {
            let draft = &self.drafts[slot];
            // Only a ticket dispatched before has an appointment stored.
            let dispatched = draft
                .stored
                .iter()
                .any(|e| matches!(e.data, EventData::Dispatched { .. }));
            let stored = self.read_context(&draft.ticket, dispatched).await?;
            self.drafts[slot].context = Some(stored);
        }
        let draft = &self.drafts[slot];
        let Some(stored) = &draft.context else {
            return Ok(snapshot);
        };
        snapshot.unit_history = stored.unit_history.clone();
        snapshot.appointment = self
            .standing(draft.ticket.id, stored.appointment.as_ref())
            .map(|a| c::Appointment {
                technician: a.technician.clone(),
                starts_at: a.slot.starts_at,
                ends_at: a.slot.ends_at,
            });
        Ok(snapshot)
    }

    /// The appointment that stands for `ticket` once this change's own
    /// bookings and cancellations are counted.
    fn standing<'s>(
        &'s self,
        ticket: Uuid,
        stored: Option<&'s Appointment>,
    ) -> Option<&'s Appointment> {
        self.appointments
            .iter()
            .fold(stored, |standing, op| match op {
                AppointmentOp::CancelFor { ticket_id, .. } if *ticket_id == ticket => None,
                AppointmentOp::Book(a) if a.ticket_id == ticket => Some(a),
                _ => standing,
            })
    }

    async fn read_context(
        &self,
        ticket: &Ticket,
        dispatched: bool,
    ) -> Result<Stored, ServiceError> {
        let store = &self.services.store;
        let tenant = ticket.tenant_id;
        let appointment = if dispatched {
            store
                .appointments_of(tenant, ticket.id)
                .await?
                .into_iter()
                .rfind(|a| a.cancelled_at.is_none())
        } else {
            None
        };
        let serial = ticket
            .product
            .as_ref()
            .and_then(|p| p.serial.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let Some(serial) = serial else {
            return Ok(Stored {
                unit_history: Vec::new(),
                appointment,
            });
        };
        let filter = TicketFilter {
            serial: Some(serial.to_string()),
            cursor: Some(ticket.id),
            limit: UNIT_HISTORY_LIMIT as u32,
            ..TicketFilter::default()
        };
        let earlier = store.tickets(tenant, &filter).await?;
        let ids: Vec<Uuid> = earlier.iter().map(|t| t.id).collect();
        let moves = store.transitions_of(tenant, &ids).await?;
        Ok(Stored {
            unit_history: prior_tickets(earlier, &moves),
            appointment,
        })
    }
}

/// Earlier tickets as a plugin sees them, newest first, each with when it
/// was first resolved (from `moves`, their transitions oldest first), cut
/// at [`UNIT_HISTORY_BYTES`] of attributes.
fn prior_tickets(earlier: Vec<Ticket>, moves: &[Event]) -> Vec<c::PriorTicket> {
    let mut bytes = 0;
    let mut out = Vec::new();
    for t in earlier {
        let attributes = c::Attributes::from(t.attributes);
        bytes += attributes.to_text().len();
        if bytes > UNIT_HISTORY_BYTES {
            break;
        }
        let resolved_at = moves
            .iter()
            .find(|e| {
                e.ticket_id == t.id
                    && matches!(
                        e.data,
                        EventData::Transitioned {
                            category: Category::Resolved,
                            ..
                        }
                    )
            })
            .map(|e| e.at);
        out.push(c::PriorTicket {
            id: t.id.to_string(),
            kind: t.kind,
            state: t.state,
            category: t.category.into(),
            created_at: t.created_at,
            resolved_at,
            attributes,
        });
    }
    out
}
