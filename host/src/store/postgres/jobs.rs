//! Background jobs on PostgreSQL, where they differ from SQLite. Schedulers
//! of several replicas claim work with `FOR UPDATE SKIP LOCKED`, so no two
//! claim the same timer or delivery; rebuilds write with arrays.

use jiff::Timestamp;
use uuid::Uuid;

use super::PgStore;
use crate::store::codec::{self, all, millis};
use crate::store::metrics::DirtyRow;
use crate::store::webhooks::DeliveryRow;
use crate::store::{Delivery, DirtyFacts, Rollup, StoreError, Timer};

impl PgStore {
    pub(in crate::store) async fn claim_due_timers(
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

    pub(in crate::store) async fn claim_due_deliveries(
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
        all(sqlx::query_as::<_, DeliveryRow>(
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

    pub(in crate::store) async fn tenants_with_dirty_facts(&self) -> Result<Vec<Uuid>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM ticket_facts WHERE dirty")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub(in crate::store) async fn dirty_count_of(&self, tenant: Uuid) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ticket_facts WHERE tenant_id = $1 AND dirty")
                .bind(tenant)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(in crate::store) async fn dirty_facts_of(
        &self,
        tenant: Uuid,
        limit: u32,
    ) -> Result<Vec<DirtyFacts>, StoreError> {
        // Earliest days first, and whole days: a rebuild reads every facts
        // row of the days it touches, so a batch spread over the whole year
        // would read the whole year for each batch.
        let rows = sqlx::query_as::<_, DirtyRow>(
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

    pub(in crate::store) async fn write_rollups(
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
