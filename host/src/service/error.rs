//! What a use case can refuse or fail with.

use aftersale_sdk::Rejection;
use serde::Serialize;

use crate::domain::{TicketError, WorkflowError};
use crate::plugins::PluginError;
use crate::store::StoreError;

/// One violation of a JSON Schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SchemaError {
    /// JSON Pointer to the offending value, e.g. `/checklist/leak_test`.
    pub pointer: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Ticket(#[from] TicketError),
    #[error("the attributes do not match the schema of `{kind}`")]
    SchemaViolation {
        kind: String,
        errors: Vec<SchemaError>,
    },
    #[error("unknown ticket kind `{kind}`; this tenant's bundle has: {}", known.join(", "))]
    UnknownKind { kind: String, known: Vec<String> },
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error("{0}")]
    Forbidden(String),
    /// Something that existed and is no longer usable (an answered or
    /// expired survey).
    #[error("{0}")]
    Gone(String),
    #[error("{plugin} rejected the request: {rejection}")]
    Rejected {
        plugin: String,
        rejection: Rejection,
    },
    #[error(transparent)]
    PluginFailed(#[from] PluginError),
    #[error("the ticket is at version {current}; reload it and try again")]
    StaleVersion { current: i64 },
    #[error("the Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    /// An uploaded component is not a usable plugin.
    #[error("{0}")]
    InvalidPlugin(String),
    /// The name and version are taken by another component.
    #[error("{0}")]
    PluginConflict(String),
    /// The plugin name belongs to another publisher or to the operator.
    #[error("the plugin name `{name}` belongs to someone else")]
    PluginNameTaken { name: String },
    /// The plugin name is one of the first-party plugins'.
    #[error("the plugin name `{name}` is reserved for a first-party plugin")]
    PluginNameReserved { name: String },
    /// A publisher's upload would exceed one of its quotas.
    #[error("the {quota} quota would be exceeded: {usage} used of {limit}")]
    QuotaExceeded {
        /// `plugins` or `bytes`.
        quota: &'static str,
        usage: u64,
        limit: u64,
    },
    /// The plugin version failed too often in a row and is quarantined for
    /// the tenant until an operator releases it.
    #[error("{plugin}@{version} is quarantined for this tenant since {since}")]
    Quarantined {
        plugin: String,
        version: String,
        hash: String,
        since: jiff::Timestamp,
        cause: Option<String>,
    },
    /// The host cannot take the work now (e.g. every compile slot is busy);
    /// the same request may succeed later.
    #[error("{0}")]
    Busy(String),
    /// Too many failed attempts lately; the same request may succeed after
    /// `retry_after`.
    #[error("too many failed attempts; try again in {} s", retry_after.as_secs())]
    Throttled { retry_after: std::time::Duration },
    /// The tenant's bundle names a plugin the host cannot load.
    #[error("the plugin bundle is broken: {0}")]
    Bundle(String),
    /// What the change was computed from changed while it ran (another
    /// writer committed first, or another process took over its claim).
    #[error("the ticket changed while the request ran")]
    Changed,
    /// Another change booked the technician's slot first.
    #[error("the slot is booked already")]
    SlotTaken,
    /// A change takes more of a part than the point has available, and the
    /// plugin's configuration refuses rather than back-orders; or another
    /// change took the stock first.
    #[error("{0}")]
    OutOfStock(String),
    /// An uploaded file is larger than the host takes.
    #[error("{0}")]
    TooLarge(String),
    /// An uploaded file is of a kind the host does not take.
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { .. } | StoreError::ClaimLost(_) => ServiceError::Changed,
            StoreError::SlotTaken => ServiceError::SlotTaken,
            StoreError::OutOfStock => ServiceError::OutOfStock(
                "another change took the stock this one needs first; try again".into(),
            ),
            other => ServiceError::Store(other),
        }
    }
}

impl ServiceError {
    /// Whether this is a plugin failing or quarantined (rather than the
    /// request, the store or the host): the answer of the calls after which
    /// a timer or a survey answer stands without the plugin's reaction.
    pub fn is_plugin_failure(&self) -> bool {
        matches!(
            self,
            ServiceError::PluginFailed(_) | ServiceError::Quarantined { .. }
        )
    }
}
