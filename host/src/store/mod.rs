//! Persistence: one [`Store`] interface, a SQLite and a PostgreSQL
//! implementation side by side, each with its own migrations.
//!
//! The store is laid out by concern (`tickets`, `sla`, `surveys`, …):
//! each concern's `mod.rs` says what it keeps, and its `sql.rs` holds every
//! statement once, written with `$N` placeholders that both databases
//! understand, expanded for each backend by [`on_each_backend!`]. What the
//! two databases do differently (row locks, arrays, SQLite's group commit)
//! lives in `sqlite/` and `postgres/`.
//!
//! Every change of tickets goes through [`Store::commit`], which writes the
//! ticket rows, their events, timers and the idempotency record in one
//! transaction and refuses the whole change if any ticket moved on since it
//! was read.

/// Writes `items` once for each backend. Inside, `Db` names the sqlx
/// database (`Sqlite` or `Postgres`), `DbStore` the store type, whose
/// `reader()` and `writer()` give the pools to read and to write with, and
/// `DbScript` the backend's script of a commit's statements.
/// Expanded twice with concrete types: no dynamic dispatch, and a statement
/// either database refuses fails that backend's tests.
/// (rustfmt does not reach inside a macro's braces: keep its items within
/// 96 columns by hand, so they stay within 100 once indented.)
macro_rules! on_each_backend {
    ($($items:item)*) => {
        const _: () = {
            #[allow(unused)]
            type Db = ::sqlx::Sqlite;
            #[allow(unused)]
            type DbStore = $crate::store::SqliteStore;
            #[allow(unused)]
            type DbScript = $crate::store::sqlite::Script;
            $($items)*
        };
        const _: () = {
            #[allow(unused)]
            type Db = ::sqlx::Postgres;
            #[allow(unused)]
            type DbStore = $crate::store::PgStore;
            #[allow(unused)]
            type DbScript = $crate::store::postgres::Script;
            $($items)*
        };
    };
}

mod accounts;
pub mod announce;
mod appointments;
mod attachments;
mod audit;
mod codec;
mod metrics;
pub mod objects;
mod parts;
mod plugins;
mod postgres;
mod publishers;
mod retention;
mod search;
mod secrets;
mod service_points;
mod sla;
mod sqlite;
mod surveys;
mod teams;
mod technicians;
mod tenants;
mod tickets;
mod views;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

pub use accounts::{Accounts, Invite, Session, User, UserChange};
pub use appointments::Appointments;
pub use attachments::{Attachments, Usage as AttachmentUsage};
pub use audit::{Audit, AuditEntry};
pub use metrics::{DirtyFacts, FactsRow, Rollup, Rollups};
pub use parts::{PartFilter, Parts};
pub use plugins::{Binding, Health, Lifecycle, PluginRecord, Plugins, StoredPlugin};
pub use postgres::{Listener, PgStore};
pub use publishers::{Admission, NameOwner, Publisher, PublisherUsage, Publishers, Quota, Usage};
pub use retention::{Expired, Purged, Retention};
pub use secrets::Secrets;
pub use service_points::{PointFilter, ServicePoints};
pub use sla::{SlaPolicies, SlaPolicy};
pub use sqlite::SqliteStore;
pub use surveys::{Survey, SurveyAnswer, Surveys};
pub use teams::Teams;
pub use technicians::Technicians;
pub use tenants::{ApiKey, Credential, NewKey, Tenant, Tenants};
pub use tickets::{
    AppointmentOp, Claim, Commit, Idempotent, Link, TicketFilter, Tickets, Timer, TimerOp,
};
pub use views::Views;
pub use webhooks::{Attempt, Delivery, DeliveryState, Webhook, Webhooks};

/// Everything a backend stores.
pub trait Backend:
    Store
    + Tenants
    + Plugins
    + Lifecycle
    + Tickets
    + SlaPolicies
    + Surveys
    + Webhooks
    + Rollups
    + Retention
    + Accounts
    + Audit
    + Publishers
    + Secrets
    + Teams
    + ServicePoints
    + Technicians
    + Appointments
    + Attachments
    + Parts
    + Views
{
}

impl Backend for SqliteStore {}
impl Backend for PgStore {}

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
    /// The technician's slot was booked by another change first.
    #[error("the slot is booked already")]
    SlotTaken,
    /// A movement would take more stock than the point has free (or a
    /// ticket holds): another change took it first.
    #[error("the stock was taken by another change first")]
    OutOfStock,
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
    /// The object store that keeps attachments' bytes failed.
    #[error("{0}")]
    Objects(String),
}

/// The database, whichever it is.
#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Tell the other processes on this database that `what` changed.
    async fn announce(&self, what: &announce::Announcement) -> Result<(), StoreError>;

    /// Hear what the other processes announce; `None` when no other
    /// process can share the database (SQLite).
    async fn listen(&self) -> Result<Option<Listener>, StoreError>;
}
