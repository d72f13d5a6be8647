//! The audit log on SQLite.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Audit, AuditEntry, AuditRow};
use crate::store::codec::{self, all, millis};
use crate::store::{SqliteStore, StoreError};

#[async_trait]
impl Audit for SqliteStore {
    async fn record_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, at, actor_id, actor_role, action, target, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.id)
        .bind(e.tenant_id)
        .bind(millis(e.at))
        .bind(&e.actor_id)
        .bind(codec::name(&e.actor_role))
        .bind(&e.action)
        .bind(&e.target)
        .bind(Json(&e.detail))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn audit(
        &self,
        tenant: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        all(sqlx::query_as::<_, AuditRow>(
            "SELECT * FROM audit_log
             WHERE tenant_id = ? AND (? IS NULL OR id < ?)
             ORDER BY id DESC LIMIT ?",
        )
        .bind(tenant)
        .bind(before)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?)
    }
}
