//! The audit log: every admin action on a tenant's setup, recorded once it
//! has taken effect, readable by the tenant's admins.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::store::AuditEntry;

/// Most entries on one page of the log.
pub const MAX_PAGE: u32 = 200;

/// One entry as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// `user:<login>` for a person, the key's id for a key.
    pub actor: String,
    #[schema(value_type = String)]
    pub role: crate::domain::Role,
    /// e.g. `key.create`, `bundle.set`, `user.disable`.
    pub action: String,
    pub target: String,
    #[schema(value_type = Object)]
    pub detail: Value,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        AuditView {
            id: e.id,
            at: e.at,
            actor: e.actor_id,
            role: e.actor_role,
            action: e.action,
            target: e.target,
            detail: e.detail,
        }
    }
}

impl Services {
    /// Record that `caller` did `action` to `target`. The action has taken
    /// effect already, so a failure to record it is logged, not answered.
    pub(crate) async fn record(
        &self,
        caller: &Caller,
        action: &str,
        target: impl std::fmt::Display,
        detail: Value,
    ) {
        let entry = AuditEntry {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            at: super::now(),
            actor_id: caller.actor.id.clone(),
            actor_role: caller.actor.role,
            action: action.to_string(),
            target: target.to_string(),
            detail,
        };
        if let Err(e) = self.store.record_audit(&entry).await {
            tracing::error!(
                tenant = %caller.tenant_id,
                "the audit log lost `{action}` on `{}` by {}: {e}",
                entry.target,
                entry.actor_id
            );
        }
    }

    /// A page of the tenant's audit log, newest first (admin).
    pub async fn audit_log(
        &self,
        caller: &Caller,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditView>, ServiceError> {
        caller.may(Permission::ReadAudit)?;
        let entries = self
            .store
            .audit(caller.tenant_id, before, limit.clamp(1, MAX_PAGE))
            .await?;
        Ok(entries.into_iter().map(AuditView::from).collect())
    }
}
