//! Service levels and background jobs on PostgreSQL. Schedulers of several
//! replicas claim work with `FOR UPDATE SKIP LOCKED`, so no two claim the
//! same timer or delivery.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::rows::{self, ANY};
use super::{
    Attempt, Claim, Delivery, DeliveryState, DirtyFacts, Expired, Jobs, Levels, Purged, Rollup,
    SlaPolicy, Survey, Webhook,
};
use crate::store::codec::{self, all, millis};
use crate::store::{Commit, PgStore, StoreError, Timer};

/// Delete the timers a commit fired, if this process still holds their
/// claims; otherwise the whole commit fails with `ClaimLost`.
pub(crate) async fn fire(
    tx: &mut Transaction<'_, Postgres>,
    commit: &Commit,
) -> Result<(), StoreError> {
    for claim in &commit.fired {
        let fired = sqlx::query("DELETE FROM timers WHERE id = $1 AND claimed_by = $2")
            .bind(claim.id)
            .bind(&claim.owner)
            .execute(&mut **tx)
            .await?;
        if fired.rows_affected() != 1 {
            return Err(StoreError::ClaimLost(claim.id));
        }
    }
    Ok(())
}

/// The service-level parts of a commit, inside its transaction.
pub(crate) async fn commit(
    tx: &mut Transaction<'_, Postgres>,
    commit: &Commit,
) -> Result<(), StoreError> {
    for d in &commit.deliveries {
        sqlx::query(
            "INSERT INTO deliveries (id, tenant_id, webhook_id, event_id, event_type, payload, state,
                attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)",
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
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) DO NOTHING",
        )
        .bind(s.id)
        .bind(s.tenant_id)
        .bind(s.ticket_id)
        .bind(&s.token_key)
        .bind(millis(s.issued_at))
        .bind(millis(s.expires_at))
        .execute(&mut **tx)
        .await?;
    }
    for a in &commit.answers {
        let answered = sqlx::query(
            "UPDATE surveys SET answered_at = $1, answer = $2 WHERE id = $3 AND answered_at IS NULL",
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
             VALUES ($1, $2, $3, $4, 1, true)
             ON CONFLICT (ticket_id) DO UPDATE SET
                day = excluded.day, facts = excluded.facts,
                revision = ticket_facts.revision + 1, dirty = true",
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
impl Levels for PgStore {
    async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError> {
        let value: Option<Json<Value>> =
            sqlx::query_scalar("SELECT value FROM settings WHERE tenant_id = $1 AND key = $2")
                .bind(tenant)
                .bind(key)
                .fetch_optional(&self.pool)
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError> {
        all(sqlx::query_as::<_, rows::PolicyRow>(
            "SELECT kind, priority, metric, minutes, business_time FROM sla_policies
             WHERE tenant_id = $1 ORDER BY kind, priority, metric",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_sla_policies(
        &self,
        tenant: Uuid,
        policies: &[SlaPolicy],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn webhooks(&self, tenant: Uuid) -> Result<Vec<Webhook>, StoreError> {
        all(sqlx::query_as::<_, rows::WebhookRow>(
            "SELECT * FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
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
        .execute(&self.pool)
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
            sqlx::QueryBuilder::<Postgres>::new("SELECT * FROM deliveries WHERE tenant_id = ");
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
            .fetch_all(&self.pool)
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
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError> {
        sqlx::query_as::<_, rows::SurveyRow>("SELECT * FROM surveys WHERE token = $1")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?
            .map(Survey::try_from)
            .transpose()
    }

    async fn rekey_survey_tokens(
        &self,
        len: usize,
        rekey: for<'t> fn(&'t str) -> String,
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
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
        .fetch_optional(&self.pool)
        .await?
        .map(Survey::try_from)
        .transpose()
    }

    async fn facts_of_days(
        &self,
        tenant: Uuid,
        days: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut query = sqlx::QueryBuilder::<Postgres>::new(
            "SELECT facts::text FROM ticket_facts WHERE tenant_id = ",
        );
        query.push_bind(tenant).push(" AND day IN (");
        let mut list = query.separated(", ");
        for day in days {
            list.push_bind(day);
        }
        query.push(")");
        Ok(query.build_query_scalar().fetch_all(&self.pool).await?)
    }

    async fn rollups(
        &self,
        tenant: Uuid,
        dimension: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Rollup>, StoreError> {
        let rows = sqlx::query_as::<_, rows::RollupRow>(
            "SELECT dimension, day, value, summary::text AS summary FROM metric_rollups
             WHERE tenant_id = $1 AND dimension = $2 AND day >= $3 AND day <= $4 ORDER BY day, value",
        )
        .bind(tenant)
        .bind(dimension)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Rollup::from).collect())
    }
}

#[async_trait]
impl Jobs for PgStore {
    async fn claim_timers(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Timer>, StoreError> {
        all(sqlx::query_as::<_, codec::TimerRow>(
            "UPDATE timers SET claimed_by = $1, claimed_until = $2
             WHERE id IN (SELECT id FROM timers
                          WHERE due_at <= $3 AND (claimed_until IS NULL OR claimed_until < $4)
                          ORDER BY due_at LIMIT $5 FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(owner)
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
        // Window functions and row locks cannot share a query level: the
        // turns are taken inside, the locks outside, where the claim is
        // checked again against the row as it is once locked.
        all(sqlx::query_as::<_, rows::DeliveryRow>(
            "UPDATE deliveries SET claimed_by = $1, claimed_until = $2
             WHERE id IN (
                 SELECT id FROM deliveries
                  WHERE id IN (
                      SELECT id FROM (
                          SELECT id, tenant_id, next_attempt_at,
                                 ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at) AS turn
                            FROM deliveries
                           WHERE state = 'pending' AND next_attempt_at <= $3
                             AND (claimed_until IS NULL OR claimed_until < $3)
                      ) AS due
                      WHERE due.turn + (SELECT count(*) FROM deliveries AS busy
                                         WHERE busy.tenant_id = due.tenant_id
                                           AND busy.claimed_until >= $3) <= $4
                      ORDER BY due.turn, due.next_attempt_at
                      LIMIT $5)
                    AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $3)
                  FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(owner)
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(i64::from(per_tenant))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
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
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError> {
        let limit = i64::from(limit);
        let delete = async |sql: &'static str, before: Timestamp| {
            sqlx::query(sql)
                .bind(millis(before))
                .bind(limit)
                .execute(&self.pool)
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
        Ok(
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM ticket_facts WHERE dirty")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError> {
        // Earliest days first, and whole days: a rebuild reads every facts
        // row of the days it touches, so a batch spread over the whole year
        // would read the whole year for each batch.
        let rows = sqlx::query_as::<_, rows::DirtyRow>(
            "SELECT ticket_id, revision, day FROM ticket_facts
             WHERE tenant_id = $1 AND dirty AND day <= COALESCE(
                (SELECT day FROM ticket_facts WHERE tenant_id = $1 AND dirty
                 ORDER BY day OFFSET $2 LIMIT 1), '9999-12-31')",
        )
        .bind(tenant)
        .bind(i64::from(limit.max(1)) - 1)
        .fetch_all(&self.pool)
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
        // A rebuild covers thousands of facts: one statement each for the
        // deletes, inserts and updates, with arrays, rather than one per row.
        let mut tx = self.pool.begin().await?;
        // Two rebuilds of one tenant at once (two report requests, or a
        // request and the job) would each delete the days' rows and insert
        // theirs, and the second insert would collide with the first's:
        // one rebuild of a tenant at a time, until its commit.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7401))")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM metric_rollups WHERE tenant_id = $1 AND day = ANY($2)")
            .bind(tenant)
            .bind(days)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO metric_rollups (tenant_id, dimension, day, value, summary)
             SELECT $1, dimension, day, value, summary::json
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[]) AS r (dimension, day, value, summary)",
        )
        .bind(tenant)
        .bind(rollups.iter().map(|r| r.dimension.as_str()).collect::<Vec<_>>())
        .bind(rollups.iter().map(|r| r.day.as_str()).collect::<Vec<_>>())
        .bind(rollups.iter().map(|r| r.value.as_str()).collect::<Vec<_>>())
        .bind(rollups.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE ticket_facts f SET dirty = false
             FROM UNNEST($1::uuid[], $2::bigint[]) AS b (ticket_id, revision)
             WHERE f.ticket_id = b.ticket_id AND f.revision = b.revision",
        )
        .bind(built_from.iter().map(|f| f.ticket_id).collect::<Vec<_>>())
        .bind(built_from.iter().map(|f| f.revision).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
