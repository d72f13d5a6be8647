//! The audit log: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Audit, AuditEntry, AuditRow};
use crate::store::StoreError;
use crate::store::codec::{self, all, millis};

on_each_backend! {
    #[async_trait]
    impl Audit for DbStore {
        async fn record_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO audit_log (id, tenant_id, at, actor_id, actor_role, action, target, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(e.id)
            .bind(e.tenant_id)
            .bind(millis(e.at))
            .bind(&e.actor_id)
            .bind(codec::name(&e.actor_role))
            .bind(&e.action)
            .bind(&e.target)
            .bind(Json(&e.detail))
            .execute(self.writer())
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
                 WHERE tenant_id = $1 AND ($2 IS NULL OR id < $3)
                 ORDER BY id DESC LIMIT $4",
            )
            .bind(tenant)
            .bind(before)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?)
        }
    }
}
