//! The use cases: what a caller can do with tenants and tickets.
//!
//! Handlers in `api` translate HTTP into calls here; this layer loads what a
//! decision needs, asks the domain and the plugins, and hands the store one
//! [`Commit`](crate::store::Commit) per change.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod board;
pub mod bulk;
pub mod catalog;
mod change;
pub mod dispatch;
mod error;
pub mod import;
pub mod metrics;
pub mod parts;
pub mod plugins;
pub mod publishers;
pub mod service_points;
pub mod sla;
pub mod snapshot;
pub mod surveys;
pub mod teams;
pub mod technicians;
pub mod tenants;
pub mod throttle;
pub mod tickets;
pub mod timers;
pub mod users;
pub mod views;
pub mod webhooks;

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::access::Permission;
use crate::domain::{Actor, Role};
use crate::plugins::Runtime;
use crate::store::SharedStore;

pub use attachments::{Files, Upload};
pub use catalog::{Bound, Bundle, Catalog, Installed};
pub use error::{SchemaError, ServiceError};
pub use plugins::{Grant, PluginDetails, Supervision, Viewer};

/// The current instant at the precision the store keeps (milliseconds), so
/// what a change returns is exactly what a later read finds.
pub fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now)
}

/// Who is asking: a tenant and an actor with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub tenant_id: Uuid,
    pub actor: Actor,
}

impl Caller {
    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// `Ok` when the caller's role holds `permission`, else 403.
    pub fn may(&self, permission: Permission) -> Result<(), ServiceError> {
        permission
            .check(self.role())
            .map_err(|denied| ServiceError::Forbidden(denied.to_string()))
    }

    /// The host acting on its own (timers, requested transitions).
    pub fn system(tenant_id: Uuid) -> Self {
        Caller {
            tenant_id,
            actor: Actor::system(),
        }
    }
}

/// Everything the use cases share.
#[derive(Clone)]
pub struct Services {
    pub store: SharedStore,
    pub runtime: Arc<Runtime>,
    pub catalog: Arc<Catalog>,
    pub supervision: Supervision,
    /// Failed sign-ins and password hashing slots.
    pub throttle: Arc<throttle::Throttle>,
    /// Where attachments' bytes go (memory unless told otherwise: `serve`
    /// gives it a directory).
    pub files: Files,
}

impl Services {
    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    pub fn new(store: SharedStore, runtime: Arc<Runtime>) -> Self {
        let catalog = Arc::new(Catalog::new(store.clone(), runtime.clone()));
        Services {
            store,
            runtime,
            catalog,
            supervision: Supervision::default(),
            throttle: Arc::default(),
            files: Files::default(),
        }
    }
}
