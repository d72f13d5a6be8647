//! What a change writes: the statements of a [`Commit`], once for both
//! backends, in the order they must run, each with what its outcome means
//! (a version check that matched no row is a conflict, not a success).
//! Each backend's `Script` runs them: SQLite as one script in a savepoint of
//! a shared transaction, PostgreSQL one by one in the change's own.

use jiff::Timestamp;
use sqlx::types::Json;
use uuid::Uuid;

use super::{AppointmentOp, Commit, TimerOp};
use crate::domain::part::MovementKind;
use crate::store::StoreError;
use crate::store::codec::{self, millis};

/// Why a statement that did not do what the commit needs fails it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refusal {
    /// The Idempotency-Key is already recorded.
    IdempotencyKeyTaken,
    /// Someone else changed the ticket first.
    Conflict(Uuid),
    /// Another process took over the timer's claim.
    ClaimLost(Uuid),
    /// The survey has its answer already.
    AlreadyAnswered,
    /// Another change booked the technician's slot first.
    SlotTaken,
    /// Another change took the stock a movement needs.
    OutOfStock,
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::IdempotencyKeyTaken => StoreError::IdempotencyKeyTaken,
            Refusal::Conflict(ticket) => StoreError::Conflict { ticket },
            Refusal::ClaimLost(timer) => StoreError::ClaimLost(timer),
            Refusal::AlreadyAnswered => StoreError::AlreadyAnswered,
            Refusal::SlotTaken => StoreError::SlotTaken,
            Refusal::OutOfStock => StoreError::OutOfStock,
        }
    }
}

/// What one statement must do.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Step {
    /// Must change exactly one row.
    pub one_row: Option<Refusal>,
    /// What a unique violation means, if anything but a failure.
    pub unique: Option<Refusal>,
}

on_each_backend! {
    impl DbStore {
        /// Everything `commit` writes, in the order it must be written.
        pub(in crate::store) fn script(commit: &Commit) -> DbScript {
            let mut script = DbScript::default();
            let tenant = commit.tenant_id;
            let now = millis(Timestamp::now());
            if let Some(record) = &commit.idempotency {
                script
                    .push(
                        "INSERT INTO idempotency_keys (tenant_id, key, request_hash, ticket_id, response, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
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
                        "INSERT INTO tickets (id, tenant_id, kind, title, description, channel,
                            customer, product, priority, state, category, assignee, team,
                            attributes, version, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                            $15, $16, $17)",
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
                    .bind(t.team.as_deref())
                    .bind(Json(&t.attributes))
                    .bind(t.version)
                    .bind(millis(t.created_at))
                    .bind(millis(t.updated_at));
            }
            for (t, expected) in &commit.updates {
                script
                    .push(
                        "UPDATE tickets SET title = $1, description = $2, customer = $3,
                            product = $4, priority = $5, state = $6, category = $7, assignee = $8,
                            team = $9, attributes = $10, version = $11, updated_at = $12
                         WHERE tenant_id = $13 AND id = $14 AND version = $15",
                    )
                    .bind(t.title.as_str())
                    .bind(t.description.as_str())
                    .bind(Json(&t.customer))
                    .bind(t.product.as_ref().map(Json))
                    .bind(codec::name(&t.priority))
                    .bind(t.state.as_str())
                    .bind(codec::name(&t.category))
                    .bind(t.assignee.as_deref())
                    .bind(t.team.as_deref())
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
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
            Self::fire(&mut script, commit);
            for op in &commit.timers {
                match op {
                    TimerOp::Schedule(t) => {
                        script
                            .push(
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
                            .bind(t.name.as_str())
                            .bind(millis(t.due_at))
                            .bind(Json(&t.payload))
                            .bind(t.plugin.as_deref())
                            .bind(millis(t.created_at));
                    }
                    TimerOp::Cancel { ticket_id, name } => {
                        script
                            .push("DELETE FROM timers WHERE tenant_id = $1 AND ticket_id = $2 AND name = $3")
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
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(tenant)
                    .bind(link.from)
                    .bind(link.to)
                    .bind(link.relation.as_str())
                    .bind(now);
            }
            Self::search_documents(&mut script, commit);
            Self::appointments(&mut script, commit);
            Self::movements(&mut script, commit);
            Self::attachments(&mut script, commit);
            Self::service_levels(&mut script, commit);
            script
        }

        /// Cancellations first, so a ticket dispatched again frees its slot.
        fn appointments(script: &mut DbScript, commit: &Commit) {
            let tenant = commit.tenant_id;
            for op in &commit.appointments {
                match op {
                    AppointmentOp::CancelFor { ticket_id, at } => {
                        script
                            .push(
                                "UPDATE appointments SET cancelled_at = $1
                                 WHERE tenant_id = $2 AND ticket_id = $3 AND cancelled_at IS NULL",
                            )
                            .bind(millis(*at))
                            .bind(tenant)
                            .bind(*ticket_id);
                    }
                    AppointmentOp::Book(a) => {
                        script
                            .push(
                                "INSERT INTO appointments (tenant_id, id, ticket_id, technician,
                                    starts_at, ends_at, created_at)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            )
                            .bind(tenant)
                            .bind(a.id)
                            .bind(a.ticket_id)
                            .bind(a.technician.as_str())
                            .bind(millis(a.slot.starts_at))
                            .bind(millis(a.slot.ends_at))
                            .bind(millis(a.created_at))
                            .unique_or(Refusal::SlotTaken);
                    }
                }
            }
        }

        /// Each line of the ledger with what it does to the balances: stock
        /// is taken only where the balance still holds it (the `WHERE … >=`,
        /// which PostgreSQL re-checks on the row it waited for), so two
        /// changes can never take the same unit.
        fn movements(script: &mut DbScript, commit: &Commit) {
            let tenant = commit.tenant_id;
            for m in &commit.movements {
                let q = i64::from(m.quantity);
                // The quantity is bound for each `$N` that says it (SQLite's
                // script takes each `$N` once, in order): what the balance gives
                // up, then the tenant, part and point, then what it must hold.
                let take = match m.kind {
                    MovementKind::Receive | MovementKind::Return => None,
                    MovementKind::Transfer => Some(
                        "UPDATE stock SET on_hand = on_hand - $1
                         WHERE tenant_id = $2 AND sku = $3 AND service_point = $4
                            AND on_hand - reserved >= $5",
                    ),
                    MovementKind::Reserve => Some(
                        "UPDATE stock SET reserved = reserved + $1
                         WHERE tenant_id = $2 AND sku = $3 AND service_point = $4
                            AND on_hand - reserved >= $5",
                    ),
                    MovementKind::Release => Some(
                        "UPDATE stock SET reserved = reserved - $1
                         WHERE tenant_id = $2 AND sku = $3 AND service_point = $4
                            AND reserved >= $5",
                    ),
                    // Off the shelf and out of the reservation alike.
                    MovementKind::Consume => Some(
                        "UPDATE stock SET on_hand = on_hand - $1, reserved = reserved - $2
                         WHERE tenant_id = $3 AND sku = $4 AND service_point = $5
                            AND reserved >= $6",
                    ),
                };
                if let Some(take) = take {
                    let mut statement = script.push(take).bind(q);
                    if m.kind == MovementKind::Consume {
                        statement = statement.bind(q);
                    }
                    statement
                        .bind(tenant)
                        .bind(m.sku.as_str())
                        .bind(m.service_point)
                        .bind(q)
                        .one_row_or(Refusal::OutOfStock);
                }
                let arrives = match m.kind {
                    MovementKind::Receive | MovementKind::Return => Some(m.service_point),
                    MovementKind::Transfer => m.to_point,
                    _ => None,
                };
                if let Some(point) = arrives {
                    script
                        .push(
                            "INSERT INTO stock (tenant_id, sku, service_point, on_hand, reserved)
                             VALUES ($1, $2, $3, $4, 0)
                             ON CONFLICT (tenant_id, sku, service_point)
                             DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand",
                        )
                        .bind(tenant)
                        .bind(m.sku.as_str())
                        .bind(point)
                        .bind(q);
                }
                script
                    .push(
                        "INSERT INTO stock_movements (tenant_id, id, sku, kind, service_point,
                            to_point, quantity, ticket_id, actor, note, at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(tenant)
                    .bind(m.id)
                    .bind(m.sku.as_str())
                    .bind(codec::name(&m.kind))
                    .bind(m.service_point)
                    .bind(m.to_point)
                    .bind(q)
                    .bind(m.ticket)
                    .bind(m.actor.as_str())
                    .bind(m.note.as_deref())
                    .bind(millis(m.at));
            }
        }

        fn attachments(script: &mut DbScript, commit: &Commit) {
            for a in &commit.attachments {
                script
                    .push(
                        "INSERT INTO attachments (tenant_id, id, ticket_id, comment_seq, name,
                            media_type, size, sha256, thumbnail, actor_id, actor_role, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(commit.tenant_id)
                    .bind(a.id)
                    .bind(a.ticket_id)
                    .bind(a.comment)
                    .bind(a.name.as_str())
                    .bind(a.media_type.as_str())
                    .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
                    .bind(a.sha256.as_str())
                    .bind(a.thumbnail)
                    .bind(a.uploaded_by.id.as_str())
                    .bind(codec::name(&a.uploaded_by.role))
                    .bind(millis(a.created_at));
            }
        }

        /// Delete the timers a commit fired, if this process still holds their
        /// claims; otherwise the whole commit fails with `ClaimLost`.
        fn fire(script: &mut DbScript, commit: &Commit) {
            for claim in &commit.fired {
                script
                    .push("DELETE FROM timers WHERE id = $1 AND claimed_by = $2")
                    .bind(claim.id)
                    .bind(claim.owner.as_str())
                    .one_row_or(Refusal::ClaimLost(claim.id));
            }
        }

        /// The service-level parts of a commit, inside its script.
        fn service_levels(script: &mut DbScript, commit: &Commit) {
            for d in &commit.deliveries {
                script
                    .push(
                        "INSERT INTO deliveries (id, tenant_id, webhook_id, event_id, event_type, payload, state,
                            attempts, next_attempt_at, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)",
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
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) DO NOTHING",
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
                        "UPDATE surveys SET answered_at = $1, answer = $2 WHERE id = $3 AND answered_at IS NULL",
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
                         VALUES ($1, $2, $3, $4, 1, TRUE)
                         ON CONFLICT (ticket_id) DO UPDATE SET
                            day = excluded.day, facts = excluded.facts,
                            revision = ticket_facts.revision + 1, dirty = TRUE",
                    )
                    .bind(f.ticket_id)
                    .bind(f.tenant_id)
                    .bind(f.day.as_str())
                    .bind(Json(&f.facts));
            }
        }
    }
}
