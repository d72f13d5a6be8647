//! Service levels and background jobs on SQLite.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use super::rows::{self, ANY};
use super::{
    Attempt, Claim, Delivery, DeliveryState, DirtyFacts, Jobs, Levels, Rollup, SlaPolicy, Survey,
    Webhook,
};
use crate::store::codec::{self, all, millis};
use crate::store::{Commit, SqliteStore, StoreError, Timer};

/// The service-level parts of a commit, inside its transaction.
pub(crate) async fn commit(
    tx: &mut Transaction<'_, Sqlite>,
    commit: &Commit,
) -> Result<(), StoreError> {
    for claim in &commit.fired {
        let fired = sqlx::query("DELETE FROM timers WHERE id = ? AND claimed_by = ?")
            .bind(claim.id)
            .bind(&claim.owner)
            .execute(&mut **tx)
            .await?;
        if fired.rows_affected() != 1 {
            return Err(StoreError::ClaimLost(claim.id));
        }
    }
    for d in &commit.deliveries {
        sqlx::query(
            "INSERT INTO deliveries (id, tenant_id, webhook_id, event_id, event_type, payload, state,
                attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(d.id)
        .bind(d.tenant_id)
        .bind(d.webhook_id)
        .bind(d.event_id)
        .bind(&d.event_type)
        .bind(Json(&d.payload))
        .bind(millis(d.next_attempt_at))
        .bind(millis(d.created_at))
        .execute(&mut **tx)
        .await?;
    }
    for s in &commit.surveys {
        sqlx::query(
            "INSERT INTO surveys (id, tenant_id, ticket_id, token, issued_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING",
        )
        .bind(s.id)
        .bind(s.tenant_id)
        .bind(s.ticket_id)
        .bind(&s.token)
        .bind(millis(s.issued_at))
        .bind(millis(s.expires_at))
        .execute(&mut **tx)
        .await?;
    }
    for a in &commit.answers {
        let answered = sqlx::query(
            "UPDATE surveys SET answered_at = ?, answer = ? WHERE id = ? AND answered_at IS NULL",
        )
        .bind(millis(a.at))
        .bind(Json(&a.answer))
        .bind(a.survey_id)
        .execute(&mut **tx)
        .await?;
        if answered.rows_affected() != 1 {
            return Err(StoreError::AlreadyAnswered);
        }
    }
    for f in &commit.facts {
        sqlx::query(
            "INSERT INTO ticket_facts (ticket_id, tenant_id, day, facts, revision, dirty)
             VALUES (?, ?, ?, ?, 1, 1)
             ON CONFLICT (ticket_id) DO UPDATE SET
                day = excluded.day, facts = excluded.facts,
                revision = ticket_facts.revision + 1, dirty = 1",
        )
        .bind(f.ticket_id)
        .bind(f.tenant_id)
        .bind(&f.day)
        .bind(Json(&f.facts))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl Levels for SqliteStore {
    async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError> {
        let value: Option<Json<Value>> =
            sqlx::query_scalar("SELECT value FROM settings WHERE tenant_id = ? AND key = ?")
                .bind(tenant)
                .bind(key)
                .fetch_optional(&self.reader)
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
            "INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(key)
        .bind(Json(value))
        .bind(millis(at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError> {
        all(sqlx::query_as::<_, rows::PolicyRow>(
            "SELECT kind, priority, metric, minutes, business_time FROM sla_policies
             WHERE tenant_id = ? ORDER BY kind, priority, metric",
        )
        .bind(tenant)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn set_sla_policies(
        &self,
        tenant: Uuid,
        policies: &[SlaPolicy],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM sla_policies WHERE tenant_id = ?")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        for p in policies {
            sqlx::query(
                "INSERT INTO sla_policies (tenant_id, kind, priority, metric, minutes, business_time, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
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
            "INSERT INTO webhooks (id, tenant_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(w.id)
        .bind(w.tenant_id)
        .bind(&w.url)
        .bind(&w.secret)
        .bind(Json(&w.events))
        .bind(millis(w.created_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn webhooks(&self, tenant: Uuid) -> Result<Vec<Webhook>, StoreError> {
        all(sqlx::query_as::<_, rows::WebhookRow>(
            "SELECT * FROM webhooks WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .bind(tenant)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn delete_webhook(
        &self,
        tenant: Uuid,
        id: Uuid,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhooks SET deleted_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
        )
        .bind(millis(at))
        .bind(tenant)
        .bind(id)
        .execute(&self.writer)
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
            sqlx::QueryBuilder::<Sqlite>::new("SELECT * FROM deliveries WHERE tenant_id = ");
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
            .fetch_all(&self.reader)
            .await?)
    }

    async fn retry_delivery(
        &self,
        tenant: Uuid,
        id: Uuid,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL
             WHERE tenant_id = ? AND id = ? AND state = 'dead'",
        )
        .bind(millis(at))
        .bind(tenant)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError> {
        sqlx::query_as::<_, rows::SurveyRow>("SELECT * FROM surveys WHERE token = ?")
            .bind(token)
            .fetch_optional(&self.reader)
            .await?
            .map(Survey::try_from)
            .transpose()
    }

    async fn survey_of(&self, tenant: Uuid, ticket: Uuid) -> Result<Option<Survey>, StoreError> {
        sqlx::query_as::<_, rows::SurveyRow>(
            "SELECT * FROM surveys WHERE tenant_id = ? AND ticket_id = ?",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_optional(&self.reader)
        .await?
        .map(Survey::try_from)
        .transpose()
    }

    async fn facts_of_days(&self, tenant: Uuid, days: &[String]) -> Result<Vec<Value>, StoreError> {
        let mut query =
            sqlx::QueryBuilder::<Sqlite>::new("SELECT facts FROM ticket_facts WHERE tenant_id = ");
        query.push_bind(tenant).push(" AND day IN (");
        let mut list = query.separated(", ");
        for day in days {
            list.push_bind(day);
        }
        query.push(")");
        let facts: Vec<Json<Value>> = query.build_query_scalar().fetch_all(&self.reader).await?;
        Ok(facts.into_iter().map(|f| f.0).collect())
    }

    async fn rollups(
        &self,
        tenant: Uuid,
        dimension: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Rollup>, StoreError> {
        let rows = sqlx::query_as::<_, rows::RollupRow>(
            "SELECT dimension, day, value, summary FROM metric_rollups
             WHERE tenant_id = ? AND dimension = ? AND day >= ? AND day <= ? ORDER BY day, value",
        )
        .bind(tenant)
        .bind(dimension)
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(Rollup::from).collect())
    }
}

#[async_trait]
impl Jobs for SqliteStore {
    async fn claim_timers(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Timer>, StoreError> {
        // One writer: the UPDATE is atomic without row locks.
        all(sqlx::query_as::<_, codec::TimerRow>(
            "UPDATE timers SET claimed_by = ?, claimed_until = ?
             WHERE id IN (SELECT id FROM timers
                          WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
                          ORDER BY due_at LIMIT ?)
             RETURNING *",
        )
        .bind(owner)
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.writer)
        .await?)
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        all(sqlx::query_as::<_, rows::DeliveryRow>(
            "UPDATE deliveries SET claimed_by = ?, claimed_until = ?
             WHERE id IN (SELECT id FROM deliveries
                          WHERE state = 'pending' AND next_attempt_at <= ?
                            AND (claimed_until IS NULL OR claimed_until < ?)
                          ORDER BY next_attempt_at LIMIT ?)
             RETURNING *",
        )
        .bind(owner)
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.writer)
        .await?)
    }

    async fn finish_delivery(&self, claim: &Claim, attempt: &Attempt) -> Result<bool, StoreError> {
        let query = match attempt {
            Attempt::Delivered { at } => sqlx::query(
                "UPDATE deliveries SET state = 'delivered', delivered_at = ?, attempts = attempts + 1,
                    last_error = NULL, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ? AND claimed_by = ?",
            )
            .bind(millis(*at)),
            Attempt::Failed { error, retry_at } => sqlx::query(
                "UPDATE deliveries SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at),
                    attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ? AND claimed_by = ?",
            )
            .bind(if retry_at.is_some() { "pending" } else { "dead" })
            .bind(retry_at.map(millis))
            .bind(error.clone()),
        };
        let done = query
            .bind(claim.id)
            .bind(&claim.owner)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM ticket_facts WHERE dirty = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError> {
        let rows = sqlx::query_as::<_, rows::DirtyRow>(
            "SELECT ticket_id, revision, day FROM ticket_facts WHERE tenant_id = ? AND dirty = 1 LIMIT ?",
        )
        .bind(tenant)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(DirtyFacts::from).collect())
    }

    async fn replace_rollups(
        &self,
        tenant: Uuid,
        days: &[String],
        rollups: &[Rollup],
        built_from: &[DirtyFacts],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        for day in days {
            sqlx::query("DELETE FROM metric_rollups WHERE tenant_id = ? AND day = ?")
                .bind(tenant)
                .bind(day)
                .execute(&mut *tx)
                .await?;
        }
        for r in rollups {
            sqlx::query(
                "INSERT INTO metric_rollups (tenant_id, dimension, day, value, summary) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(tenant)
            .bind(&r.dimension)
            .bind(&r.day)
            .bind(&r.value)
            .bind(Json(&r.summary))
            .execute(&mut *tx)
            .await?;
        }
        for f in built_from {
            sqlx::query("UPDATE ticket_facts SET dirty = 0 WHERE ticket_id = ? AND revision = ?")
                .bind(f.ticket_id)
                .bind(f.revision)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
