//! The statements of a [`Commit`] on PostgreSQL, in one transaction.

use jiff::Timestamp;
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};

use super::PgStore;
use crate::store::codec::{self, millis};
use crate::store::{Commit, StoreError, TimerOp};

impl PgStore {
    /// Write a change atomically.
    pub(in crate::store) async fn write(&self, commit: &Commit) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let tenant = commit.tenant_id;
        let now = millis(Timestamp::now());
        if let Some(record) = &commit.idempotency {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, ticket_id, response, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(&record.key)
            .bind(&record.request_hash)
            .bind(record.ticket_id)
            .bind(Json(&record.response))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::IdempotencyKeyTaken);
            }
        }
        for t in &commit.inserts {
            sqlx::query(
                "INSERT INTO tickets (id, tenant_id, kind, title, description, channel, customer,
                    product, priority, state, category, assignee, attributes, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(t.id)
            .bind(tenant)
            .bind(&t.kind)
            .bind(&t.title)
            .bind(&t.description)
            .bind(codec::name(&t.channel))
            .bind(Json(&t.customer))
            .bind(t.product.as_ref().map(Json))
            .bind(codec::name(&t.priority))
            .bind(&t.state)
            .bind(codec::name(&t.category))
            .bind(&t.assignee)
            .bind(Json(&t.attributes))
            .bind(t.version)
            .bind(millis(t.created_at))
            .bind(millis(t.updated_at))
            .execute(&mut *tx)
            .await?;
        }
        for (t, expected) in &commit.updates {
            let updated = sqlx::query(
                "UPDATE tickets SET title = $1, description = $2, customer = $3, product = $4, priority = $5,
                    state = $6, category = $7, assignee = $8, attributes = $9, version = $10, updated_at = $11
                 WHERE tenant_id = $12 AND id = $13 AND version = $14",
            )
            .bind(&t.title)
            .bind(&t.description)
            .bind(Json(&t.customer))
            .bind(t.product.as_ref().map(Json))
            .bind(codec::name(&t.priority))
            .bind(&t.state)
            .bind(codec::name(&t.category))
            .bind(&t.assignee)
            .bind(Json(&t.attributes))
            .bind(t.version)
            .bind(millis(t.updated_at))
            .bind(tenant)
            .bind(t.id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Conflict { ticket: t.id });
            }
        }
        for e in &commit.events {
            let inserted = sqlx::query(
                "INSERT INTO events (id, tenant_id, ticket_id, seq, at, actor_id, actor_role, kind, data, plugin)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(e.id)
            .bind(tenant)
            .bind(e.ticket_id)
            .bind(e.seq)
            .bind(millis(e.at))
            .bind(&e.actor.id)
            .bind(codec::name(&e.actor.role))
            .bind(e.data.kind())
            .bind(Json(e.data.to_json()))
            .bind(&e.plugin)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    return Err(StoreError::Conflict {
                        ticket: e.ticket_id,
                    });
                }
                other => {
                    other?;
                }
            }
        }
        // Fired timers go first: rescheduling under the same name replaces
        // the row, and the claim must be checked against the row it took.
        fire(&mut tx, commit).await?;
        for op in &commit.timers {
            match op {
                TimerOp::Schedule(t) => {
                    sqlx::query(
                        "INSERT INTO timers (id, tenant_id, ticket_id, name, due_at, payload, plugin, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                         ON CONFLICT (ticket_id, name) DO UPDATE SET
                            id = excluded.id, due_at = excluded.due_at, payload = excluded.payload,
                            plugin = excluded.plugin, created_at = excluded.created_at,
                            claimed_by = NULL, claimed_until = NULL",
                    )
                    .bind(t.id)
                    .bind(tenant)
                    .bind(t.ticket_id)
                    .bind(&t.name)
                    .bind(millis(t.due_at))
                    .bind(Json(&t.payload))
                    .bind(&t.plugin)
                    .bind(millis(t.created_at))
                    .execute(&mut *tx)
                    .await?;
                }
                TimerOp::Cancel { ticket_id, name } => {
                    sqlx::query(
                        "DELETE FROM timers WHERE tenant_id = $1 AND ticket_id = $2 AND name = $3",
                    )
                    .bind(tenant)
                    .bind(ticket_id)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        for link in &commit.links {
            sqlx::query(
                "INSERT INTO ticket_links (tenant_id, from_ticket, to_ticket, relation, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(link.from)
            .bind(link.to)
            .bind(&link.relation)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        service_levels(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Delete the timers a commit fired, if this process still holds their
/// claims; otherwise the whole commit fails with `ClaimLost`.
async fn fire(tx: &mut Transaction<'_, Postgres>, commit: &Commit) -> Result<(), StoreError> {
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
async fn service_levels(
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
