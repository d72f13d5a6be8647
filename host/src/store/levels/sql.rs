//! Service levels and background jobs: the statements, once for both
//! backends. Claiming due work, finding dirty facts and writing rollups
//! differ (row locks, arrays, SQLite's partial index on `dirty = 1`): each
//! backend's `jobs.rs` holds those.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::rows::{self, ANY};
use super::{
    Attempt, Claim, Delivery, DeliveryState, DirtyFacts, Expired, Jobs, Levels, Purged, Rollup,
    SlaPolicy, Survey, Webhook,
};
use crate::store::codec::{self, all, millis};
use crate::store::{StoreError, Timer};

on_each_backend! {
    #[async_trait]
    impl Levels for DbStore {
        async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError> {
            let value: Option<Json<Value>> =
                sqlx::query_scalar("SELECT value FROM settings WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant)
                    .bind(key)
                    .fetch_optional(self.reader())
                    .await?;
            Ok(value.map(|v| v.0))
        }

        async fn set_setting(
            &self,
            tenant: Uuid,
            key: &str,
            value: &Value,
            at: Timestamp,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO settings (tenant_id, key, value, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(tenant)
            .bind(key)
            .bind(Json(value))
            .bind(millis(at))
            .execute(self.writer())
            .await?;
            Ok(())
        }

        async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError> {
            all(sqlx::query_as::<_, rows::PolicyRow>(
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
            all(sqlx::query_as::<_, rows::WebhookRow>(
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
                query
                    .push(" AND state = ")
                    .push_bind(rows::state_name(state));
            }
            query
                .push(" ORDER BY created_at DESC, id DESC LIMIT ")
                .push_bind(i64::from(limit));
            all(query
                .build_query_as::<rows::DeliveryRow>()
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

        async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError> {
            sqlx::query_as::<_, rows::SurveyRow>("SELECT * FROM surveys WHERE token = $1")
                .bind(token)
                .fetch_optional(self.reader())
                .await?
                .map(Survey::try_from)
                .transpose()
        }

        async fn rekey_survey_tokens(
            &self,
            len: usize,
            rekey: for<'t> fn(&'t str) -> String,
        ) -> Result<u64, StoreError> {
            let mut tx = self.writer().begin().await?;
            let kept: Vec<(Uuid, String)> =
                sqlx::query_as("SELECT id, token FROM surveys WHERE length(token) = $1")
                    .bind(i64::try_from(len).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, token) in &kept {
                sqlx::query("UPDATE surveys SET token = $1 WHERE id = $2")
                    .bind(rekey(token))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(kept.len() as u64)
        }

        async fn survey_of(&self, tenant: Uuid, ticket: Uuid) -> Result<Option<Survey>, StoreError> {
            sqlx::query_as::<_, rows::SurveyRow>(
                "SELECT * FROM surveys WHERE tenant_id = $1 AND ticket_id = $2",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_optional(self.reader())
            .await?
            .map(Survey::try_from)
            .transpose()
        }

        async fn facts_of_days(
            &self,
            tenant: Uuid,
            days: &[String],
        ) -> Result<Vec<String>, StoreError> {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT CAST(facts AS TEXT) FROM ticket_facts WHERE tenant_id = ",
            );
            query.push_bind(tenant).push(" AND day IN (");
            let mut list = query.separated(", ");
            for day in days {
                list.push_bind(day);
            }
            query.push(")");
            Ok(query.build_query_scalar().fetch_all(self.reader()).await?)
        }

        async fn rollups(
            &self,
            tenant: Uuid,
            dimension: &str,
            from: &str,
            to: &str,
        ) -> Result<Vec<Rollup>, StoreError> {
            let rows = sqlx::query_as::<_, rows::RollupRow>(
                "SELECT dimension, day, value, CAST(summary AS TEXT) AS summary FROM metric_rollups
                 WHERE tenant_id = $1 AND dimension = $2 AND day >= $3 AND day <= $4 ORDER BY day, value",
            )
            .bind(tenant)
            .bind(dimension)
            .bind(from)
            .bind(to)
            .fetch_all(self.reader())
            .await?;
            Ok(rows.into_iter().map(Rollup::from).collect())
        }
    }

    #[async_trait]
    impl Jobs for DbStore {
        async fn claim_timers(
            &self,
            owner: &str,
            now: Timestamp,
            lease_until: Timestamp,
            limit: u32,
        ) -> Result<Vec<Timer>, StoreError> {
            self.claim_due_timers(owner, now, lease_until, limit).await
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

        async fn finish_delivery(&self, claim: &Claim, attempt: &Attempt) -> Result<bool, StoreError> {
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

        async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError> {
            let limit = i64::from(limit);
            let delete = async |sql: &'static str, before: Timestamp| {
                sqlx::query(sql)
                    .bind(millis(before))
                    .bind(limit)
                    .execute(self.writer())
                    .await
                    .map(|done| done.rows_affected())
            };
            Ok(Purged {
                idempotency: delete(
                    "DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
                        (SELECT tenant_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
                    expired.idempotency,
                )
                .await?,
                deliveries: delete(
                    "DELETE FROM deliveries WHERE id IN
                        (SELECT id FROM deliveries
                          WHERE state = 'delivered' AND delivered_at < $1 LIMIT $2)",
                    expired.delivered,
                )
                .await?,
                invites: delete(
                    "DELETE FROM console_invites WHERE token_hash IN
                        (SELECT token_hash FROM console_invites WHERE expires_at < $1 LIMIT $2)",
                    expired.invites,
                )
                .await?,
            })
        }

        async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError> {
            self.tenants_with_dirty_facts().await
        }

        async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError> {
            self.dirty_facts_of(tenant, limit).await
        }

        async fn replace_rollups(
            &self,
            tenant: Uuid,
            days: &[String],
            rollups: &[Rollup],
            built_from: &[DirtyFacts],
        ) -> Result<(), StoreError> {
            self.write_rollups(tenant, days, rollups, built_from).await
        }
    }
}
