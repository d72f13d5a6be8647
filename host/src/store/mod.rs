//! Persistence: one [`Store`] interface, a SQLite and a PostgreSQL
//! implementation side by side, each with its own migrations.
//!
//! Every change of tickets goes through [`Store::commit`], which writes the
//! ticket rows, their events, timers and the idempotency record in one
//! transaction and refuses the whole change if any ticket moved on since it
//! was read.

mod accounts;
mod audit;
mod codec;
mod levels;
mod lifecycle;
mod postgres;
mod publishers;
mod secrets;
mod sqlite;

use std::sync::Arc;

use aftersale_sdk::{Priority, Role};
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{Event, Ticket};

pub use accounts::{Accounts, Invite, Session, User, UserChange};
pub use audit::{Audit, AuditEntry};
pub use levels::{
    Attempt, Claim, Delivery, DeliveryState, DirtyFacts, Expired, FactsRow, Jobs, Levels, Purged,
    Rollup, SlaPolicy, Survey, SurveyAnswer, Webhook,
};
pub use lifecycle::{Health, Lifecycle, PluginRecord};
pub use postgres::PgStore;
pub use publishers::{Admission, NameOwner, Publisher, PublisherUsage, Publishers, Quota, Usage};
pub use secrets::Secrets;
pub use sqlite::SqliteStore;

/// Everything a backend stores.
pub trait Backend:
    Store + Levels + Jobs + Lifecycle + Accounts + Audit + Publishers + Secrets
{
}

impl<T: Store + Levels + Jobs + Lifecycle + Accounts + Audit + Publishers + Secrets> Backend for T {}

/// A shared handle on the database.
pub type SharedStore = Arc<dyn Backend>;

/// Open the database a URL names (`sqlite://…` or `postgres://…`) and run its
/// migrations.
pub async fn open(url: &str) -> Result<SharedStore, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL `{url}`: use sqlite://FILE or postgres://…"
        )))
    }
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A ticket changed since it was read: the caller's version is stale.
    #[error("ticket {ticket} was changed by someone else")]
    Conflict { ticket: Uuid },
    /// The Idempotency-Key was used by a request that committed first.
    #[error("the idempotency key is already used")]
    IdempotencyKeyTaken,
    /// Another process took over a timer or delivery this one had claimed.
    #[error("the claim on {0} was lost")]
    ClaimLost(Uuid),
    /// A survey was answered already.
    #[error("the survey was answered already")]
    AlreadyAnswered,
    /// A plugin with this name and version but other bytes is installed.
    #[error("{0}")]
    Duplicate(String),
    #[error("bad database configuration: {0}")]
    Config(String),
    /// A row that does not decode: written by another program, or a bug.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The change was written in one transaction with others, and that
    /// transaction failed as a whole; nothing of it was kept.
    #[error("the transaction this change shared failed: {0}")]
    Aborted(String),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// An organisation using the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub created_at: Timestamp,
}

/// An API key as listed (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// A new API key: the SHA-256 of its token is all the database keeps.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key: ApiKey,
    pub token_hash: String,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
}

/// A stored plugin component.
#[derive(Debug, Clone)]
pub struct StoredPlugin {
    pub hash: String,
    pub name: String,
    pub version: String,
    pub contract: String,
    pub component: Vec<u8>,
    pub installed_at: Timestamp,
    /// Who uploaded it; `None` for the operator and the embedded plugins.
    pub publisher_id: Option<Uuid>,
    /// When tenants could first see and bind it; `None` while private to
    /// its publisher.
    pub published_at: Option<Timestamp>,
}

/// A tenant's choice of plugin version for one ticket kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub kind: String,
    pub plugin_name: String,
    pub plugin_version: String,
    pub bound_at: Timestamp,
}

/// Which tickets to list; newest first, `limit` at a time, continuing below
/// `cursor` (the id of the last ticket of the previous page).
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<Priority>,
    pub assignee: Option<String>,
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
}

/// The database, whichever it is.
#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    // Tenants and credentials.
    async fn create_tenant(
        &self,
        tenant: &Tenant,
        admin: &NewKey,
        bindings: &[Binding],
    ) -> Result<(), StoreError>;
    async fn tenant(&self, id: Uuid) -> Result<Option<Tenant>, StoreError>;
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    async fn create_key(&self, key: &NewKey) -> Result<(), StoreError>;
    async fn credential(&self, token_hash: &str) -> Result<Option<Credential>, StoreError>;
    async fn keys(&self, tenant: Uuid) -> Result<Vec<ApiKey>, StoreError>;
    async fn revoke_key(&self, tenant: Uuid, key: Uuid, at: Timestamp) -> Result<bool, StoreError>;

    // Plugins, bindings, configuration.
    /// Store a component unless one with its hash is stored; refuse one whose
    /// name and version are taken by other bytes.
    async fn put_plugin(&self, plugin: &StoredPlugin) -> Result<(), StoreError>;
    async fn plugin(&self, name: &str, version: &str) -> Result<Option<StoredPlugin>, StoreError>;
    async fn bindings(&self, tenant: Uuid) -> Result<Vec<Binding>, StoreError>;
    async fn bind(&self, tenant: Uuid, bindings: &[Binding]) -> Result<(), StoreError>;
    async fn plugin_config(&self, tenant: Uuid, plugin: &str) -> Result<Option<Value>, StoreError>;
    async fn set_plugin_config(
        &self,
        tenant: Uuid,
        plugin: &str,
        config: &Value,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    // Tickets.
    async fn ticket(&self, tenant: Uuid, id: Uuid) -> Result<Option<Ticket>, StoreError>;
    async fn tickets(&self, tenant: Uuid, filter: &TicketFilter)
    -> Result<Vec<Ticket>, StoreError>;
    /// The ticket's events, oldest first.
    async fn events(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Event>, StoreError>;
    async fn timers(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Timer>, StoreError>;
    async fn links(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Link>, StoreError>;
    async fn idempotent(&self, tenant: Uuid, key: &str) -> Result<Option<Idempotent>, StoreError>;
    /// Write a change atomically; [`StoreError::Conflict`] when an updated
    /// ticket's version moved on.
    async fn commit(&self, commit: &Commit) -> Result<(), StoreError>;
}
