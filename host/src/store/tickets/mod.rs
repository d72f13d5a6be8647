//! Tickets, their events, timers and links, and the unit every change of
//! them is written in: a [`Commit`].

mod commit;
mod sql;

pub(crate) use commit::{Refusal, Step};

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use super::{Delivery, FactsRow, StoreError, Survey, SurveyAnswer};
use crate::domain::Priority;
use crate::domain::{Event, Ticket};

/// Which tickets to list; newest first, `limit` at a time, continuing below
/// `cursor` (the id of the last ticket of the previous page).
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<Priority>,
    pub assignee: Option<String>,
    pub team: Option<String>,
    /// Text to search for; the page is then ranked (see
    /// [`crate::domain::search`]) instead of newest first.
    pub q: Option<crate::domain::search::Query>,
    /// Only the tickets of the unit with this serial number.
    pub serial: Option<String>,
    pub cursor: Option<Uuid>,
    pub limit: u32,
}

/// A pending timer of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Timer {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ticket_id: Uuid,
    pub name: String,
    pub due_at: Timestamp,
    pub payload: Value,
    pub plugin: Option<String>,
    pub created_at: Timestamp,
}

/// A change to a ticket's timers.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerOp {
    /// Schedule, replacing a pending timer of the same ticket and name.
    Schedule(Timer),
    Cancel {
        ticket_id: Uuid,
        name: String,
    },
}

/// A link between two tickets of one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: Uuid,
    pub to: Uuid,
    pub relation: String,
}

/// The first answer to an Idempotency-Key.
#[derive(Debug, Clone, PartialEq)]
pub struct Idempotent {
    pub key: String,
    pub request_hash: String,
    pub ticket_id: Uuid,
    pub response: Value,
}

/// Everything one change writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub tenant_id: Uuid,
    /// New tickets.
    pub inserts: Vec<Ticket>,
    /// Changed tickets with the version they had when read.
    pub updates: Vec<(Ticket, i64)>,
    pub events: Vec<Event>,
    pub timers: Vec<TimerOp>,
    pub links: Vec<Link>,
    pub idempotency: Option<Idempotent>,
    /// Timers this change fires: deleted if, and only if, the claim holds.
    pub fired: Vec<Claim>,
    /// Outbox entries for the change's events.
    pub deliveries: Vec<Delivery>,
    pub surveys: Vec<Survey>,
    pub answers: Vec<SurveyAnswer>,
    /// Metric facts of the tickets the change touched.
    pub facts: Vec<FactsRow>,
    /// Appointments cancelled, then booked.
    pub appointments: Vec<AppointmentOp>,
    /// Lines of the stock ledger, each moving the points' balances; one
    /// that takes more than is there refuses the commit
    /// ([`StoreError::OutOfStock`]).
    pub movements: Vec<crate::domain::part::Movement>,
    /// Files the change attaches; their bytes are in the object store
    /// already.
    pub attachments: Vec<crate::domain::attachment::Attachment>,
}

impl Commit {
    /// Take in everything `other` writes, so both land in one transaction
    /// or neither does (an import's tickets). `other` is of the same tenant
    /// and has no idempotency record.
    pub fn absorb(&mut self, other: Commit) {
        debug_assert_eq!(self.tenant_id, other.tenant_id);
        self.inserts.extend(other.inserts);
        self.updates.extend(other.updates);
        self.events.extend(other.events);
        self.timers.extend(other.timers);
        self.links.extend(other.links);
        self.fired.extend(other.fired);
        self.deliveries.extend(other.deliveries);
        self.surveys.extend(other.surveys);
        self.answers.extend(other.answers);
        self.facts.extend(other.facts);
        self.appointments.extend(other.appointments);
        self.movements.extend(other.movements);
        self.attachments.extend(other.attachments);
    }
}

/// What a change does to appointments.
#[derive(Debug, Clone, PartialEq)]
pub enum AppointmentOp {
    /// Cancel the ticket's booked appointments.
    CancelFor { ticket_id: Uuid, at: Timestamp },
    /// Book one; refused with [`StoreError::SlotTaken`] when the
    /// technician's slot is booked already.
    Book(crate::domain::dispatch::Appointment),
}

/// Proof that a scheduler holds a timer or a delivery for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: Uuid,
    pub owner: String,
}

/// Tickets and their history.
#[async_trait]
pub trait Tickets: Send + Sync {
    async fn ticket(&self, tenant: Uuid, id: Uuid) -> Result<Option<Ticket>, StoreError>;
    async fn tickets(&self, tenant: Uuid, filter: &TicketFilter)
    -> Result<Vec<Ticket>, StoreError>;
    /// The ticket's events, oldest first.
    async fn events(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Event>, StoreError>;
    /// At most `limit` of the ticket's events after sequence number `after`,
    /// oldest first.
    async fn events_after(
        &self,
        tenant: Uuid,
        ticket: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// The `transitioned` events of `tickets`, oldest first: when each
    /// moved, for a unit's history.
    async fn transitions_of(
        &self,
        tenant: Uuid,
        tickets: &[Uuid],
    ) -> Result<Vec<Event>, StoreError>;
    async fn timers(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Timer>, StoreError>;
    async fn links(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Link>, StoreError>;
    async fn idempotent(&self, tenant: Uuid, key: &str) -> Result<Option<Idempotent>, StoreError>;
    /// Write a change atomically; [`StoreError::Conflict`] when an updated
    /// ticket's version moved on.
    async fn commit(&self, commit: &Commit) -> Result<(), StoreError>;

    /// Claim timers due at `now`, oldest first. Claims are leases: a
    /// process that dies loses them when they expire, and only the holder
    /// of a claim can fire the timer (the commit checks it).
    async fn claim_timers(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Timer>, StoreError>;
}
