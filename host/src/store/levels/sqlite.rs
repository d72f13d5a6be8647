//! Service levels and background jobs on SQLite.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::Sqlite;
use sqlx::types::Json;
use uuid::Uuid;

use super::rows::{self, ANY};
use super::{
    Attempt, Claim, Delivery, DeliveryState, DirtyFacts, Expired, Jobs, Levels, Purged, Rollup,
    SlaPolicy, Survey, Webhook,
};
use crate::store::codec::{self, all, millis};
use crate::store::sqlite::script::{Refusal, Script};
use crate::store::{Commit, SqliteStore, StoreError, Timer};

/// Delete the timers a commit fired, if this process still holds their
/// claims; otherwise the whole commit fails with `ClaimLost`.
pub(crate) fn fire(script: &mut Script, commit: &Commit) {
    for claim in &commit.fired {
        script
            .push("DELETE FROM timers WHERE id = ? AND claimed_by = ?")
            .bind(claim.id)
            .bind(claim.owner.as_str())
            .one_row_or(Refusal::ClaimLost(claim.id));
    }
}

/// Rows per statement when writing many: 5 bound values each stays far below
/// SQLite's limit of 32,766.
const ROWS_PER_STATEMENT: usize = 500;

/// The service-level parts of a commit, inside its script.
pub(crate) fn commit(script: &mut Script, commit: &Commit) {
    for d in &commit.deliveries {
        script
            .push(
                "INSERT INTO deliveries (id, tenant_id, webhook_id, event_id, event_type, payload, state,
                    attempts, next_attempt_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
            )
            .bind(d.id)
            .bind(d.tenant_id)
            .bind(d.webhook_id)
            .bind(d.event_id)
            .bind(d.event_type.as_str())
            .bind(Json(&d.payload))
            .bind(millis(d.next_attempt_at))
            .bind(millis(d.created_at));
    }
    for s in &commit.surveys {
        script
            .push(
                "INSERT INTO surveys (id, tenant_id, ticket_id, token, issued_at, expires_at)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING",
            )
            .bind(s.id)
            .bind(s.tenant_id)
            .bind(s.ticket_id)
            .bind(s.token_key.as_str())
            .bind(millis(s.issued_at))
            .bind(millis(s.expires_at));
    }
    for a in &commit.answers {
        script
            .push(
                "UPDATE surveys SET answered_at = ?, answer = ? WHERE id = ? AND answered_at IS NULL",
            )
            .bind(millis(a.at))
            .bind(Json(&a.answer))
            .bind(a.survey_id)
            .one_row_or(Refusal::AlreadyAnswered);
    }
    for f in &commit.facts {
        script
            .push(
                "INSERT INTO ticket_facts (ticket_id, tenant_id, day, facts, revision, dirty)
                 VALUES (?, ?, ?, ?, 1, 1)
                 ON CONFLICT (ticket_id) DO UPDATE SET
                    day = excluded.day, facts = excluded.facts,
                    revision = ticket_facts.revision + 1, dirty = 1",
            )
            .bind(f.ticket_id)
            .bind(f.tenant_id)
            .bind(f.day.as_str())
            .bind(Json(&f.facts));
    }
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

    async fn rekey_survey_tokens(
        &self,
        len: usize,
        rekey: for<'t> fn(&'t str) -> String,
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let kept: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, token FROM surveys WHERE length(token) = ?")
                .bind(i64::try_from(len).unwrap_or(i64::MAX))
                .fetch_all(&mut *tx)
                .await?;
        for (id, token) in &kept {
            sqlx::query("UPDATE surveys SET token = ? WHERE id = ?")
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
            "SELECT * FROM surveys WHERE tenant_id = ? AND ticket_id = ?",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_optional(&self.reader)
        .await?
        .map(Survey::try_from)
        .transpose()
    }

    async fn facts_of_days(
        &self,
        tenant: Uuid,
        days: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut query =
            sqlx::QueryBuilder::<Sqlite>::new("SELECT facts FROM ticket_facts WHERE tenant_id = ");
        query.push_bind(tenant).push(" AND day IN (");
        let mut list = query.separated(", ");
        for day in days {
            list.push_bind(day);
        }
        query.push(")");
        Ok(query.build_query_scalar().fetch_all(&self.reader).await?)
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
        per_tenant: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        all(sqlx::query_as::<_, rows::DeliveryRow>(
            "UPDATE deliveries SET claimed_by = ?, claimed_until = ?
             WHERE id IN (
                 SELECT id FROM (
                     SELECT id, tenant_id, next_attempt_at,
                            ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at) AS turn
                       FROM deliveries
                      WHERE state = 'pending' AND next_attempt_at <= ?
                        AND (claimed_until IS NULL OR claimed_until < ?)
                 ) AS due
                 WHERE due.turn + (SELECT count(*) FROM deliveries AS busy
                                    WHERE busy.tenant_id = due.tenant_id
                                      AND busy.claimed_until >= ?) <= ?
                 ORDER BY due.turn, due.next_attempt_at
                 LIMIT ?)
             RETURNING *",
        )
        .bind(owner)
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(millis(now))
        .bind(millis(now))
        .bind(i64::from(per_tenant))
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

    async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError> {
        let limit = i64::from(limit);
        let delete = async |sql: &'static str, before: Timestamp| {
            sqlx::query(sql)
                .bind(millis(before))
                .bind(limit)
                .execute(&self.writer)
                .await
                .map(|done| done.rows_affected())
        };
        Ok(Purged {
            idempotency: delete(
                "DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
                    (SELECT tenant_id, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)",
                expired.idempotency,
            )
            .await?,
            deliveries: delete(
                "DELETE FROM deliveries WHERE id IN
                    (SELECT id FROM deliveries
                      WHERE state = 'delivered' AND delivered_at < ? LIMIT ?)",
                expired.delivered,
            )
            .await?,
            invites: delete(
                "DELETE FROM console_invites WHERE token_hash IN
                    (SELECT token_hash FROM console_invites WHERE expires_at < ? LIMIT ?)",
                expired.invites,
            )
            .await?,
        })
    }

    async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM ticket_facts WHERE dirty = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError> {
        // Earliest days first, and whole days: a rebuild reads every facts
        // row of the days it touches, so a batch spread over the whole year
        // would read the whole year for each batch.
        let rows = sqlx::query_as::<_, rows::DirtyRow>(
            "SELECT ticket_id, revision, day FROM ticket_facts
             WHERE tenant_id = ?1 AND dirty = 1 AND day <= COALESCE(
                (SELECT day FROM ticket_facts WHERE tenant_id = ?1 AND dirty = 1
                 ORDER BY day LIMIT 1 OFFSET ?2), '9999-12-31')",
        )
        .bind(tenant)
        .bind(i64::from(limit.max(1)) - 1)
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
        // A rebuild covers thousands of facts: a few statements of many rows
        // each, rather than one statement per row.
        let mut tx = self.writer.begin().await?;
        for days in days.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                sqlx::QueryBuilder::<Sqlite>::new("DELETE FROM metric_rollups WHERE tenant_id = ");
            query.push_bind(tenant).push(" AND day IN (");
            let mut list = query.separated(", ");
            for day in days {
                list.push_bind(day);
            }
            query.push(")");
            query.build().execute(&mut *tx).await?;
        }
        for rollups in rollups.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::<Sqlite>::new(
                "INSERT INTO metric_rollups (tenant_id, dimension, day, value, summary) ",
            );
            query.push_values(rollups, |mut row, r| {
                row.push_bind(tenant)
                    .push_bind(&r.dimension)
                    .push_bind(&r.day)
                    .push_bind(&r.value)
                    .push_bind(&r.summary);
            });
            query.build().execute(&mut *tx).await?;
        }
        for facts in built_from.chunks(ROWS_PER_STATEMENT) {
            // Each term is looked up by primary key (a multi-index OR).
            let mut query =
                sqlx::QueryBuilder::<Sqlite>::new("UPDATE ticket_facts SET dirty = 0 WHERE ");
            for (i, f) in facts.iter().enumerate() {
                if i > 0 {
                    query.push(" OR ");
                }
                query
                    .push("(ticket_id = ")
                    .push_bind(f.ticket_id)
                    .push(" AND revision = ")
                    .push_bind(f.revision)
                    .push(")");
            }
            query.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
