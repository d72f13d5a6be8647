//! The statements of a [`Commit`] on SQLite, as one script.

use jiff::Timestamp;
use sqlx::types::Json;

use super::script::{Refusal, Script};
use crate::store::codec::{self, millis};
use crate::store::{Commit, TimerOp};

/// Everything `commit` writes, in the order it must be written.
pub(super) fn script(commit: &Commit) -> Script {
    let mut script = Script::default();
    let tenant = commit.tenant_id;
    let now = millis(Timestamp::now());
    if let Some(record) = &commit.idempotency {
        script
            .push(
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, ticket_id, response, created_at)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(record.key.as_str())
            .bind(record.request_hash.as_str())
            .bind(record.ticket_id)
            .bind(Json(&record.response))
            .bind(now)
            .one_row_or(Refusal::IdempotencyKeyTaken);
    }
    for t in &commit.inserts {
        script
            .push(
                "INSERT INTO tickets (id, tenant_id, kind, title, description, channel, customer,
                    product, priority, state, category, assignee, attributes, version, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(t.id)
            .bind(tenant)
            .bind(t.kind.as_str())
            .bind(t.title.as_str())
            .bind(t.description.as_str())
            .bind(codec::name(&t.channel))
            .bind(Json(&t.customer))
            .bind(t.product.as_ref().map(Json))
            .bind(codec::name(&t.priority))
            .bind(t.state.as_str())
            .bind(codec::name(&t.category))
            .bind(t.assignee.as_deref())
            .bind(Json(&t.attributes))
            .bind(t.version)
            .bind(millis(t.created_at))
            .bind(millis(t.updated_at));
    }
    for (t, expected) in &commit.updates {
        script
            .push(
                "UPDATE tickets SET title = ?, description = ?, customer = ?, product = ?, priority = ?,
                    state = ?, category = ?, assignee = ?, attributes = ?, version = ?, updated_at = ?
                 WHERE tenant_id = ? AND id = ? AND version = ?",
            )
            .bind(t.title.as_str())
            .bind(t.description.as_str())
            .bind(Json(&t.customer))
            .bind(t.product.as_ref().map(Json))
            .bind(codec::name(&t.priority))
            .bind(t.state.as_str())
            .bind(codec::name(&t.category))
            .bind(t.assignee.as_deref())
            .bind(Json(&t.attributes))
            .bind(t.version)
            .bind(millis(t.updated_at))
            .bind(tenant)
            .bind(t.id)
            .bind(*expected)
            .one_row_or(Refusal::Conflict(t.id));
    }
    for e in &commit.events {
        script
            .push(
                "INSERT INTO events (id, tenant_id, ticket_id, seq, at, actor_id, actor_role, kind, data, plugin)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.id)
            .bind(tenant)
            .bind(e.ticket_id)
            .bind(e.seq)
            .bind(millis(e.at))
            .bind(e.actor.id.as_str())
            .bind(codec::name(&e.actor.role))
            .bind(e.data.kind())
            .bind(Json(e.data.to_json()))
            .bind(e.plugin.as_deref())
            // A second change at the same version takes the same `seq`.
            .unique_or(Refusal::Conflict(e.ticket_id));
    }
    // Fired timers go first: rescheduling under the same name replaces the
    // row, and the claim must be checked against the row it took.
    crate::store::levels::sqlite::fire(&mut script, commit);
    for op in &commit.timers {
        match op {
            TimerOp::Schedule(t) => {
                script
                    .push(
                        "INSERT INTO timers (id, tenant_id, ticket_id, name, due_at, payload, plugin, created_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                         ON CONFLICT (ticket_id, name) DO UPDATE SET
                            id = excluded.id, due_at = excluded.due_at, payload = excluded.payload,
                            plugin = excluded.plugin, created_at = excluded.created_at,
                            claimed_by = NULL, claimed_until = NULL",
                    )
                    .bind(t.id)
                    .bind(tenant)
                    .bind(t.ticket_id)
                    .bind(t.name.as_str())
                    .bind(millis(t.due_at))
                    .bind(Json(&t.payload))
                    .bind(t.plugin.as_deref())
                    .bind(millis(t.created_at));
            }
            TimerOp::Cancel { ticket_id, name } => {
                script
                    .push("DELETE FROM timers WHERE tenant_id = ? AND ticket_id = ? AND name = ?")
                    .bind(tenant)
                    .bind(*ticket_id)
                    .bind(name.as_str());
            }
        }
    }
    for link in &commit.links {
        script
            .push(
                "INSERT INTO ticket_links (tenant_id, from_ticket, to_ticket, relation, created_at)
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(link.from)
            .bind(link.to)
            .bind(link.relation.as_str())
            .bind(now);
    }
    crate::store::levels::sqlite::commit(&mut script, commit);
    script
}
