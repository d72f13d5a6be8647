//! Background jobs on SQLite, where they differ from PostgreSQL: one writer
//! claims without row locks, dirty facts are found through the partial
//! index on `dirty = 1`, rebuilds write in chunks of rows.

use jiff::Timestamp;
use sqlx::Sqlite;
use uuid::Uuid;

use super::SqliteStore;
use crate::store::codec::{self, all, millis};
use crate::store::metrics::DirtyRow;
use crate::store::webhooks::DeliveryRow;
use crate::store::{Delivery, DirtyFacts, Rollup, StoreError, Timer};

/// Rows per statement when writing many: 5 bound values each stays far below
/// SQLite's limit of 32,766.
const ROWS_PER_STATEMENT: usize = 500;

impl SqliteStore {
    pub(in crate::store) async fn claim_due_timers(
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

    pub(in crate::store) async fn claim_due_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        per_tenant: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        all(sqlx::query_as::<_, DeliveryRow>(
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

    pub(in crate::store) async fn tenants_with_dirty_facts(&self) -> Result<Vec<Uuid>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM ticket_facts WHERE dirty = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    pub(in crate::store) async fn dirty_count_of(&self, tenant: Uuid) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_facts WHERE tenant_id = ?1 AND dirty = 1",
        )
        .bind(tenant)
        .fetch_one(&self.reader)
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

    pub(in crate::store) async fn write_rollups(
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
