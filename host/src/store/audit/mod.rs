//! The audit log: who changed a tenant's setup (keys, bundle, plugin
//! configuration, service levels, surveys, people, webhooks), when and how.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use super::StoreError;
use super::codec::{instant, parse};
use crate::domain::Role;

/// One admin action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Time-ordered (UUIDv7): the log's cursor.
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub at: Timestamp,
    /// `user:<login>` for a person, the key's id for a key, as on ticket
    /// events.
    pub actor_id: String,
    pub actor_role: Role,
    /// What was done, e.g. `key.create`, `bundle.set`, `user.disable`.
    pub action: String,
    /// What it was done to: a key's id, a kind, a login, a webhook's id.
    pub target: String,
    /// What changed, never a secret.
    pub detail: Value,
}

/// The audit log of every tenant.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// A tenant's entries, newest first, older than `before` when given.
    async fn audit(
        &self,
        tenant: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    tenant_id: Uuid,
    at: i64,
    actor_id: String,
    actor_role: String,
    action: String,
    target: String,
    detail: sqlx::types::Json<Value>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            id: r.id,
            tenant_id: r.tenant_id,
            at: instant(r.at)?,
            actor_id: r.actor_id,
            actor_role: parse(&r.actor_role, "role")?,
            action: r.action,
            target: r.target,
            detail: r.detail.0,
        })
    }
}
