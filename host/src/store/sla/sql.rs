//! SLA policies: the statements, once for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::{ANY, PolicyRow, SlaPolicies, SlaPolicy};
use crate::store::StoreError;
use crate::store::codec::{self, all, millis};

on_each_backend! {
    #[async_trait]
    impl SlaPolicies for DbStore {
        async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError> {
            all(sqlx::query_as::<_, PolicyRow>(
                "SELECT kind, priority, metric, minutes, business_time FROM sla_policies
                 WHERE tenant_id = $1 ORDER BY kind, priority, metric",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn set_sla_policies(
            &self,
            tenant: Uuid,
            policies: &[SlaPolicy],
            at: Timestamp,
        ) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
            sqlx::query("DELETE FROM sla_policies WHERE tenant_id = $1")
                .bind(tenant)
                .execute(&mut *tx)
                .await?;
            for p in policies {
                sqlx::query(
                    "INSERT INTO sla_policies (tenant_id, kind, priority, metric, minutes, business_time, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(tenant)
                .bind(p.kind.as_deref().unwrap_or(ANY))
                .bind(p.priority.as_ref().map_or(ANY.to_string(), codec::name))
                .bind(codec::name(&p.metric))
                .bind(i64::from(p.minutes))
                .bind(p.business_time)
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }
    }
}
