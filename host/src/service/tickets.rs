//! Tickets: open, read, list, move through the workflow, edit, comment, and
//! ask a plugin for a named decision.

use aftersale_sdk::{self as c};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::catalog::Bundle;
use super::change::Change;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::Priority;
use crate::domain::access::Permission;
use crate::domain::workflow;
use crate::domain::{Event, EventData, NewTicket, Ticket};
use crate::plugins::Hook;
use crate::store::{Idempotent, StoreError, TicketFilter, Timer};

/// How often a change that needs no version from the caller (a comment, an
/// action's effects) is retried when someone else changed the ticket first.
pub(super) const RETRIES: usize = 3;

/// Largest page of a ticket list.
pub const MAX_PAGE: u32 = 200;
/// Most tickets one export holds.
pub const MAX_EXPORT: usize = 10_000;
/// Most events one page of a timeline holds.
pub const MAX_EVENTS_PAGE: u32 = 1000;

/// An Idempotency-Key with the fingerprint of the request that carried it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// A transition as a client requests it.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub name: String,
    pub attributes: Map<String, Value>,
    pub note: Option<String>,
}

/// An edit that moves no state.
#[derive(Debug, Clone, Default)]
pub struct EditInput {
    pub attributes: Map<String, Value>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
    /// `Some(None)` takes the ticket out of any team's queue.
    pub team: Option<Option<String>>,
    pub note: Option<String>,
}

/// The answer of a named action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswer {
    pub output: Value,
    /// The ticket after the action's effects, if it had any.
    pub ticket: Ticket,
}

/// A created ticket, and whether it is the replay of an earlier request.
#[derive(Debug, Clone)]
pub struct Opened {
    pub ticket: Ticket,
    pub replayed: bool,
}

impl Services {
    /// Open a ticket: validate it, let the owning plugin's `on-create` decide,
    /// and store it with everything the plugin asked for.
    pub async fn create_ticket(
        &self,
        caller: &Caller,
        new: NewTicket,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Opened, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let tenant = caller.tenant_id;
        if let Some(key) = &idempotency
            && let Some(first) = self.store.idempotent(tenant, &key.key).await?
        {
            return replay(first, key);
        }
        let bundle = self.catalog.bundle(tenant).await?;
        let (change, slot) = self.opening(caller, &bundle, new).await?;
        let ticket = change.ticket(slot).clone();
        let record = idempotency.as_ref().map(|key| Idempotent {
            key: key.key.clone(),
            request_hash: key.request_hash.clone(),
            ticket_id: ticket.id,
            response: serde_json::to_value(&ticket).unwrap_or(Value::Null),
        });
        match self.store.commit(&change.into_commit(record).await?).await {
            Ok(()) => Ok(Opened {
                ticket,
                replayed: false,
            }),
            // A concurrent request with the same key committed first: the
            // store answers only once that commit is visible.
            Err(StoreError::IdempotencyKeyTaken) => {
                let Some(key) = idempotency else {
                    return Err(ServiceError::Changed);
                };
                let first = self
                    .store
                    .idempotent(tenant, &key.key)
                    .await?
                    .ok_or(ServiceError::Changed)?;
                replay(first, &key)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A new ticket's change, up to its commit: the ticket checked, opened
    /// and let in by its plugin's `on-create`, with the effects applied.
    pub(super) async fn opening<'a>(
        &'a self,
        caller: &Caller,
        bundle: &'a Bundle,
        new: NewTicket,
    ) -> Result<(Change<'a>, usize), ServiceError> {
        new.validate()?;
        if let Some(team) = &new.team {
            self.known_team(caller, team).await?;
        }
        let bound = bundle.kind(&new.kind)?;
        bound
            .installed
            .check_attributes(&new.kind, &Value::Object(new.attributes.clone()))?;

        let mut change = Change::new(self, bundle, super::now());
        let installed = bound.installed.clone();
        // `created` names the plugin version whose `on-create` let it in.
        let slot = change.create(bound, new, None, &caller.actor, Some(installed.label()));
        let snapshot = change.snapshot(slot, &caller.actor).await?;
        let called = change
            .call(
                &installed,
                Hook::OnCreate,
                None,
                self.runtime.on_create(&installed.plugin, &snapshot),
            )
            .await?;
        let effects = called.value.map_err(|rejection| ServiceError::Rejected {
            plugin: installed.label(),
            rejection,
        })?;
        change
            .apply(slot, effects, &installed, Hook::OnCreate, 0)
            .await?;
        Ok((change, slot))
    }

    pub async fn ticket(&self, caller: &Caller, id: Uuid) -> Result<Ticket, ServiceError> {
        self.store
            .ticket(caller.tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound("ticket"))
    }

    pub async fn tickets(
        &self,
        caller: &Caller,
        mut filter: TicketFilter,
    ) -> Result<Vec<Ticket>, ServiceError> {
        filter.limit = filter.limit.clamp(1, MAX_PAGE);
        Ok(self.store.tickets(caller.tenant_id, &filter).await?)
    }

    /// Every ticket a filter selects, in its order, for an export: at most
    /// [`MAX_EXPORT`], and whether more were left out.
    pub async fn export(
        &self,
        caller: &Caller,
        mut filter: TicketFilter,
    ) -> Result<(Vec<Ticket>, bool), ServiceError> {
        filter.limit = MAX_PAGE;
        let mut tickets = Vec::new();
        loop {
            let page = self.store.tickets(caller.tenant_id, &filter).await?;
            let full = page.len() == MAX_PAGE as usize;
            filter.cursor = page.last().map(|t| t.id);
            tickets.extend(page);
            if tickets.len() > MAX_EXPORT {
                tickets.truncate(MAX_EXPORT);
                return Ok((tickets, true));
            }
            if !full {
                return Ok((tickets, false));
            }
        }
    }

    /// The events of a ticket the caller has just read (a queue page), with
    /// no second look-up of the ticket.
    pub async fn events_of(
        &self,
        caller: &Caller,
        ticket: &Ticket,
    ) -> Result<Vec<Event>, ServiceError> {
        Ok(self.store.events(caller.tenant_id, ticket.id).await?)
    }

    pub async fn events(&self, caller: &Caller, id: Uuid) -> Result<Vec<Event>, ServiceError> {
        self.ticket(caller, id).await?;
        Ok(self.store.events(caller.tenant_id, id).await?)
    }

    /// A page of the ticket's timeline: at most `limit` (1–[`MAX_EVENTS_PAGE`])
    /// events after sequence number `after`, oldest first, and the cursor of
    /// the next page when there is one.
    pub async fn events_page(
        &self,
        caller: &Caller,
        id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<Event>, Option<i64>), ServiceError> {
        if !(1..=MAX_EVENTS_PAGE).contains(&limit) {
            return Err(ServiceError::Invalid(format!(
                "limit must be between 1 and {MAX_EVENTS_PAGE}"
            )));
        }
        self.ticket(caller, id).await?;
        let mut events = self
            .store
            .events_after(caller.tenant_id, id, after, limit + 1)
            .await?;
        let more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next = more.then(|| events.last().map(|e| e.seq)).flatten();
        Ok((events, next))
    }

    pub async fn timers(&self, caller: &Caller, id: Uuid) -> Result<Vec<Timer>, ServiceError> {
        self.ticket(caller, id).await?;
        Ok(self.store.timers(caller.tenant_id, id).await?)
    }

    /// The transitions `caller` may take on a ticket now.
    pub async fn available_transitions(
        &self,
        caller: &Caller,
        ticket: &Ticket,
    ) -> Result<Vec<c::Transition>, ServiceError> {
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let bound = bundle.kind(&ticket.kind)?;
        Ok(
            workflow::available(bound.kind(), &ticket.state, caller.role())
                .cloned()
                .collect(),
        )
    }

    /// Move a ticket along its workflow, at the version the caller read.
    pub async fn transition(
        &self,
        caller: &Caller,
        id: Uuid,
        input: TransitionInput,
        version: i64,
    ) -> Result<Ticket, ServiceError> {
        let ticket = self.ticket(caller, id).await?;
        if ticket.version != version {
            return Err(ServiceError::StaleVersion {
                current: ticket.version,
            });
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let bound = bundle.kind(&ticket.kind)?;
        let step = workflow::step(bound.kind(), &ticket.state, &input.name, caller.role())?;
        let (to, category) = (step.to.name.clone(), step.category);
        let history = self.store.events(caller.tenant_id, id).await?;
        let installed = bound.installed.clone();

        let mut change = Change::new(self, &bundle, super::now());
        let slot = change.open(ticket.clone(), history);
        let changed = change.set_attributes(slot, &caller.actor, None, input.attributes);
        let attributes = Value::Object(change.ticket(slot).attributes.clone());
        installed.check_attributes(&ticket.kind, &attributes)?;
        let request = c::TransitionRequest {
            name: input.name.clone(),
            from: ticket.state.clone(),
            to: to.clone(),
            note: input.note.clone(),
            changed_attributes: changed,
        };
        let snapshot = change.snapshot(slot, &caller.actor).await?;
        let called = change
            .call(
                &installed,
                Hook::Guard,
                Some(ticket.id),
                self.runtime.guard(&installed.plugin, &snapshot, &request),
            )
            .await?;
        let effects = called.value.map_err(|rejection| ServiceError::Rejected {
            plugin: installed.label(),
            rejection,
        })?;
        let transitioned = change.recorded(slot);
        change.record(
            slot,
            &caller.actor,
            Some(installed.label()),
            EventData::Transitioned {
                transition: input.name,
                from: ticket.state,
                to,
                category,
                note: input.note,
            },
        );
        change
            .apply(slot, effects, &installed, Hook::Guard, 0)
            .await?;
        change.after(slot, transitioned, caller).await?;
        self.commit(caller, change, slot).await
    }

    /// `name` is a team of the caller's tenant, or the request is invalid.
    async fn known_team(&self, caller: &Caller, name: &str) -> Result<(), ServiceError> {
        match self.team(caller, name).await {
            Ok(_) => Ok(()),
            Err(ServiceError::NotFound(_)) => Err(ServiceError::Invalid(format!(
                "`{name}` is not a team of the tenant; name one from GET /teams"
            ))),
            Err(e) => Err(e),
        }
    }

    /// The login of the active account `who` (a login or a user id) names,
    /// which is what a ticket's assignee holds.
    async fn assignable(&self, tenant: Uuid, who: &str) -> Result<String, ServiceError> {
        super::users::active_login(&self.people(tenant).await?, who)
    }

    /// Change attributes, priority, assignee or team without moving the state. The
    /// owning plugin's `guard` sees attribute and priority changes as `edit`.
    pub async fn edit(
        &self,
        caller: &Caller,
        id: Uuid,
        input: EditInput,
        version: i64,
    ) -> Result<Ticket, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let ticket = self.ticket(caller, id).await?;
        if ticket.version != version {
            return Err(ServiceError::StaleVersion {
                current: ticket.version,
            });
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let bound = bundle.kind(&ticket.kind)?;
        let installed = bound.installed.clone();
        let history = self.store.events(caller.tenant_id, id).await?;

        let mut change = Change::new(self, &bundle, super::now());
        let slot = change.open(ticket.clone(), history);
        let mut changed = change.set_attributes(slot, &caller.actor, None, input.attributes);
        if let Some(priority) = input.priority
            && priority != ticket.priority
        {
            change.record(
                slot,
                &caller.actor,
                None,
                EventData::PrioritySet {
                    before: ticket.priority,
                    after: priority,
                },
            );
            changed.push("priority".into());
        }
        let assignee = match input.assignee {
            Some(Some(who)) => Some(Some(self.assignable(caller.tenant_id, &who).await?)),
            other => other,
        };
        if let Some(assignee) = assignee
            && assignee != ticket.assignee
        {
            change.record(
                slot,
                &caller.actor,
                None,
                EventData::Assigned {
                    before: ticket.assignee.clone(),
                    after: assignee,
                },
            );
        }
        if let Some(team) = input.team
            && team != ticket.team
        {
            if let Some(name) = &team {
                self.known_team(caller, name).await?;
            }
            change.record(
                slot,
                &caller.actor,
                None,
                EventData::TeamSet {
                    before: ticket.team.clone(),
                    after: team,
                },
            );
        }
        if let Some(note) = &input.note {
            change.record(
                slot,
                &caller.actor,
                None,
                EventData::Commented {
                    body: note.clone(),
                    internal: true,
                },
            );
        }
        // What the caller did; plugins' effects are recorded after it.
        let primary = change.recorded(slot);
        if primary == 0 {
            return Ok(ticket);
        }
        if !changed.is_empty() {
            let attributes = Value::Object(change.ticket(slot).attributes.clone());
            installed.check_attributes(&ticket.kind, &attributes)?;
            let request = c::TransitionRequest {
                name: c::EDIT.into(),
                from: ticket.state.clone(),
                to: ticket.state.clone(),
                note: input.note,
                changed_attributes: changed,
            };
            let snapshot = change.snapshot(slot, &caller.actor).await?;
            let called = change
                .call(
                    &installed,
                    Hook::Guard,
                    Some(ticket.id),
                    self.runtime.guard(&installed.plugin, &snapshot, &request),
                )
                .await?;
            let effects = called.value.map_err(|rejection| ServiceError::Rejected {
                plugin: installed.label(),
                rejection,
            })?;
            change
                .apply(slot, effects, &installed, Hook::Guard, 0)
                .await?;
        }
        for index in 0..primary {
            change.after(slot, index, caller).await?;
        }
        self.commit(caller, change, slot).await
    }

    /// Add a comment (or an internal note) to a ticket's timeline.
    pub async fn comment(
        &self,
        caller: &Caller,
        id: Uuid,
        body: String,
        internal: bool,
    ) -> Result<Ticket, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        if body.trim().is_empty() {
            return Err(ServiceError::Invalid("a comment needs a body".into()));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ticket = self.ticket(caller, id).await?;
            let bundle = self.catalog.bundle(caller.tenant_id).await?;
            let history = self.store.events(caller.tenant_id, id).await?;
            let mut change = Change::new(self, &bundle, super::now());
            let slot = change.open(ticket, history);
            change.record(
                slot,
                &caller.actor,
                None,
                EventData::Commented {
                    body: body.clone(),
                    internal,
                },
            );
            change.after(slot, 0, caller).await?;
            match self.commit(caller, change, slot).await {
                Err(ServiceError::StaleVersion { .. }) if attempt < RETRIES => continue,
                other => return other,
            }
        }
    }

    /// Ask the owning plugin for a named decision, and apply its effects.
    pub async fn action(
        &self,
        caller: &Caller,
        id: Uuid,
        name: &str,
        input: Value,
    ) -> Result<ActionAnswer, ServiceError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ticket = self.ticket(caller, id).await?;
            let bundle = self.catalog.bundle(caller.tenant_id).await?;
            let bound = bundle.kind(&ticket.kind)?;
            let installed = bound.installed.clone();
            let action = installed
                .manifest()
                .actions
                .iter()
                .find(|a| a.name == name && (a.kinds.is_empty() || a.kinds.contains(&ticket.kind)))
                .ok_or(ServiceError::NotFound("action"))?;
            if !action.roles.contains(&caller.role().into()) {
                return Err(ServiceError::Forbidden(format!(
                    "the role {:?} may not run `{name}` (allowed: {:?})",
                    caller.role(),
                    action.roles
                )));
            }
            installed.check_action_input(name, &input)?;
            let history = self.store.events(caller.tenant_id, id).await?;
            let mut change = Change::new(self, &bundle, super::now());
            let slot = change.open(ticket.clone(), history);
            let snapshot = change.snapshot(slot, &caller.actor).await?;
            let input_json = c::Json::from(input.clone());
            let called = change
                .call(
                    &installed,
                    Hook::Action,
                    Some(ticket.id),
                    self.runtime
                        .action(&installed.plugin, &snapshot, name, &input_json),
                )
                .await?;
            let output = called.value.map_err(|rejection| ServiceError::Rejected {
                plugin: installed.label(),
                rejection,
            })?;
            if output.effects.is_empty() {
                return Ok(ActionAnswer {
                    output: output.output,
                    ticket,
                });
            }
            change
                .apply(slot, output.effects, &installed, Hook::Action, 0)
                .await?;
            match self.commit(caller, change, slot).await {
                Err(ServiceError::StaleVersion { .. }) if attempt < RETRIES => continue,
                Ok(ticket) => {
                    return Ok(ActionAnswer {
                        output: output.output,
                        ticket,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Write a change to an existing ticket; a lost race is a stale version.
    pub(super) async fn commit(
        &self,
        caller: &Caller,
        change: Change<'_>,
        slot: usize,
    ) -> Result<Ticket, ServiceError> {
        let ticket = change.ticket(slot).clone();
        match self.store.commit(&change.into_commit(None).await?).await {
            Ok(()) => Ok(ticket),
            Err(StoreError::Conflict { .. }) => {
                let current = self.ticket(caller, ticket.id).await?.version;
                Err(ServiceError::StaleVersion { current })
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn replay(first: Idempotent, key: &IdempotencyKey) -> Result<Opened, ServiceError> {
    if first.request_hash != key.request_hash {
        return Err(ServiceError::IdempotencyMismatch);
    }
    let ticket: Ticket = serde_json::from_value(first.response).map_err(|e| {
        ServiceError::Store(StoreError::Corrupt(format!("idempotent response: {e}")))
    })?;
    Ok(Opened {
        ticket,
        replayed: true,
    })
}
