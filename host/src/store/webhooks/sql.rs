//! Webhooks and the outbox: the statements, once for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    Attempt, Delivery, DeliveryRow, DeliveryState, Webhook, WebhookRow, Webhooks, state_name,
};
use crate::store::codec::{all, millis};
use crate::store::{Claim, StoreError};

on_each_backend! {
    #[async_trait]
    impl Webhooks for DbStore {
        async fn create_webhook(&self, w: &Webhook) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO webhooks (id, tenant_id, url, secret, events, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(w.id)
            .bind(w.tenant_id)
            .bind(&w.url)
            .bind(&w.secret)
            .bind(Json(&w.events))
            .bind(millis(w.created_at))
            .execute(self.writer())
            .await?;
            Ok(())
        }

        async fn webhooks(&self, tenant: Uuid) -> Result<Vec<Webhook>, StoreError> {
            all(sqlx::query_as::<_, WebhookRow>(
                "SELECT * FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn delete_webhook(
            &self,
            tenant: Uuid,
            id: Uuid,
            at: Timestamp,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE webhooks SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL",
            )
            .bind(millis(at))
            .bind(tenant)
            .bind(id)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn deliveries(
            &self,
            tenant: Uuid,
            state: Option<DeliveryState>,
            limit: u32,
        ) -> Result<Vec<Delivery>, StoreError> {
            let mut query =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM deliveries WHERE tenant_id = ");
            query.push_bind(tenant);
            if let Some(state) = state {
                query.push(" AND state = ").push_bind(state_name(state));
            }
            query
                .push(" ORDER BY created_at DESC, id DESC LIMIT ")
                .push_bind(i64::from(limit));
            all(query
                .build_query_as::<DeliveryRow>()
                .fetch_all(self.reader())
                .await?)
        }

        async fn retry_delivery(
            &self,
            tenant: Uuid,
            id: Uuid,
            at: Timestamp,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, claimed_by = NULL, claimed_until = NULL
                 WHERE tenant_id = $2 AND id = $3 AND state = 'dead'",
            )
            .bind(millis(at))
            .bind(tenant)
            .bind(id)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn claim_deliveries(
            &self,
            owner: &str,
            now: Timestamp,
            lease_until: Timestamp,
            limit: u32,
            per_tenant: u32,
        ) -> Result<Vec<Delivery>, StoreError> {
            self.claim_due_deliveries(owner, now, lease_until, limit, per_tenant)
                .await
        }

        async fn finish_delivery(
            &self,
            claim: &Claim,
            attempt: &Attempt,
        ) -> Result<bool, StoreError> {
            let query = match attempt {
                Attempt::Delivered { at } => sqlx::query(
                    "UPDATE deliveries SET state = 'delivered', delivered_at = $1, attempts = attempts + 1,
                        last_error = NULL, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $2 AND claimed_by = $3",
                )
                .bind(millis(*at)),
                Attempt::Failed { error, retry_at } => sqlx::query(
                    "UPDATE deliveries SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at),
                        attempts = attempts + 1, last_error = $3, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $4 AND claimed_by = $5",
                )
                .bind(if retry_at.is_some() { "pending" } else { "dead" })
                .bind(retry_at.map(millis))
                .bind(error.clone()),
            };
            let done = query
                .bind(claim.id)
                .bind(&claim.owner)
                .execute(self.writer())
                .await?;
            Ok(done.rows_affected() == 1)
        }
    }
}
