//! One decision for many tickets: take a transition, assign, or move them
//! to a team's queue. Each ticket is its own change, at the version it has
//! when its turn comes, so one refusal (a guard, a stale version, a ticket
//! of another tenant) stops nothing but itself, and each outcome is told.

use serde_json::Map;
use uuid::Uuid;

use super::tickets::{EditInput, TransitionInput};
use super::{Caller, ServiceError, Services};
use crate::domain::Ticket;
use crate::domain::access::Permission;

/// Most tickets one request changes.
pub const MAX_BULK: usize = 100;

/// What to do to every ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkChange {
    /// Take the named transition, with the note, if any.
    Transition { name: String, note: Option<String> },
    /// Assign (`None` unassigns).
    Assign(Option<String>),
    /// Put in a team's queue (`None` takes out of any).
    Team(Option<String>),
}

impl Services {
    /// Apply `change` to each ticket in turn; the outcome of each, in order.
    pub async fn bulk(
        &self,
        caller: &Caller,
        ids: &[Uuid],
        change: &BulkChange,
    ) -> Result<Vec<(Uuid, Result<Ticket, ServiceError>)>, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        if ids.is_empty() || ids.len() > MAX_BULK {
            return Err(ServiceError::Invalid(format!(
                "tickets lists 1 to {MAX_BULK} ticket ids"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = ids.iter().find(|id| !seen.insert(**id)) {
            return Err(ServiceError::Invalid(format!(
                "ticket {twice} is listed twice"
            )));
        }
        let mut outcomes = Vec::with_capacity(ids.len());
        for &id in ids {
            let outcome = self.bulk_one(caller, id, change).await;
            outcomes.push((id, outcome));
        }
        Ok(outcomes)
    }

    async fn bulk_one(
        &self,
        caller: &Caller,
        id: Uuid,
        change: &BulkChange,
    ) -> Result<Ticket, ServiceError> {
        let version = self.ticket(caller, id).await?.version;
        let edit = |assignee, team| EditInput {
            attributes: Map::new(),
            priority: None,
            assignee,
            team,
            note: None,
        };
        match change {
            BulkChange::Transition { name, note } => {
                let input = TransitionInput {
                    name: name.clone(),
                    attributes: Map::new(),
                    note: note.clone(),
                };
                self.transition(caller, id, input, version).await
            }
            BulkChange::Assign(assignee) => {
                self.edit(caller, id, edit(Some(assignee.clone()), None), version)
                    .await
            }
            BulkChange::Team(team) => {
                self.edit(caller, id, edit(None, Some(team.clone())), version)
                    .await
            }
        }
    }
}
