//! The PostgreSQL backend, for deployments with several host replicas.

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::codec::{self, all, millis};
use super::{
    ApiKey, Binding, Commit, Credential, Idempotent, Link, NewKey, Store, StoreError, StoredPlugin,
    Tenant, TicketFilter, Timer, TimerOp,
};
use crate::domain::{Event, Ticket};

pub struct PgStore {
    pub(super) pool: PgPool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl PgStore {
    /// Connect to the database at `url` and migrate it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every use costs a round trip per request; a
            // connection in steady use is known to be alive. Only one that
            // sat idle long enough for the server or a proxy to drop it is
            // checked first.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(30) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    /// The pool, for PostgreSQL-only features (LISTEN/NOTIFY, row locks).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

async fn insert_key(tx: &mut Transaction<'_, Postgres>, key: &NewKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_keys (id, tenant_id, name, role, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key.key.id)
    .bind(key.key.tenant_id)
    .bind(&key.key.name)
    .bind(codec::name(&key.key.role))
    .bind(&key.token_hash)
    .bind(millis(key.key.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_bindings(
    tx: &mut Transaction<'_, Postgres>,
    tenant: Uuid,
    bindings: &[Binding],
) -> Result<(), StoreError> {
    for b in bindings {
        sqlx::query(
            "INSERT INTO bindings (tenant_id, kind, plugin_name, plugin_version, bound_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id, kind) DO UPDATE SET
                plugin_name = excluded.plugin_name,
                plugin_version = excluded.plugin_version,
                bound_at = excluded.bound_at",
        )
        .bind(tenant)
        .bind(&b.kind)
        .bind(&b.plugin_name)
        .bind(&b.plugin_version)
        .bind(millis(b.bound_at))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_tenant(
        &self,
        tenant: &Tenant,
        admin: &NewKey,
        bindings: &[Binding],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO tenants (id, name, time_zone, locale, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tenant.id)
        .bind(&tenant.name)
        .bind(&tenant.time_zone)
        .bind(&tenant.locale)
        .bind(millis(tenant.created_at))
        .execute(&mut *tx)
        .await?;
        insert_key(&mut tx, admin).await?;
        upsert_bindings(&mut tx, tenant.id, bindings).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn tenant(&self, id: Uuid) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<_, codec::TenantRow>("SELECT * FROM tenants WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(Tenant::try_from)
            .transpose()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        all(
            sqlx::query_as::<_, codec::TenantRow>("SELECT * FROM tenants ORDER BY created_at, id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn create_key(&self, key: &NewKey) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_key(&mut tx, key).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn credential(&self, token_hash: &str) -> Result<Option<Credential>, StoreError> {
        sqlx::query_as::<_, codec::CredentialRow>(
            "SELECT id, tenant_id, role FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(Credential::try_from)
        .transpose()
    }

    async fn keys(&self, tenant: Uuid) -> Result<Vec<ApiKey>, StoreError> {
        all(sqlx::query_as::<_, codec::ApiKeyRow>(
            "SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn revoke_key(&self, tenant: Uuid, key: Uuid, at: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(millis(at))
        .bind(tenant)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_plugin(&self, plugin: &StoredPlugin) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT hash FROM plugins WHERE name = $1 AND version = $2")
                .bind(&plugin.name)
                .bind(&plugin.version)
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(hash) if hash == plugin.hash => return Ok(()),
            Some(_) => {
                return Err(StoreError::Duplicate(format!(
                    "{}@{} is already installed with other content",
                    plugin.name, plugin.version
                )));
            }
            None => {}
        }
        insert_plugin(&mut tx, plugin).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn plugin(&self, name: &str, version: &str) -> Result<Option<StoredPlugin>, StoreError> {
        sqlx::query_as::<_, codec::PluginRow>(
            "SELECT * FROM plugins WHERE name = $1 AND version = $2",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .map(StoredPlugin::try_from)
        .transpose()
    }

    async fn bindings(&self, tenant: Uuid) -> Result<Vec<Binding>, StoreError> {
        all(sqlx::query_as::<_, codec::BindingRow>(
            "SELECT * FROM bindings WHERE tenant_id = $1 ORDER BY kind",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn bind(&self, tenant: Uuid, bindings: &[Binding]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        upsert_bindings(&mut tx, tenant, bindings).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn plugin_config(&self, tenant: Uuid, plugin: &str) -> Result<Option<Value>, StoreError> {
        let config: Option<Json<Value>> = sqlx::query_scalar(
            "SELECT config FROM plugin_configs WHERE tenant_id = $1 AND plugin_name = $2",
        )
        .bind(tenant)
        .bind(plugin)
        .fetch_optional(&self.pool)
        .await?;
        Ok(config.map(|c| c.0))
    }

    async fn set_plugin_config(
        &self,
        tenant: Uuid,
        plugin: &str,
        config: &Value,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plugin_configs (tenant_id, plugin_name, config, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, plugin_name) DO UPDATE SET
                config = excluded.config, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(plugin)
        .bind(Json(config))
        .bind(millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn ticket(&self, tenant: Uuid, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        sqlx::query_as::<_, codec::TicketRow>(
            "SELECT * FROM tickets WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(Ticket::try_from)
        .transpose()
    }

    async fn tickets(
        &self,
        tenant: Uuid,
        filter: &TicketFilter,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut query =
            sqlx::QueryBuilder::<Postgres>::new("SELECT * FROM tickets WHERE tenant_id = ");
        query.push_bind(tenant);
        if let Some(state) = &filter.state {
            query.push(" AND state = ").push_bind(state);
        }
        if let Some(kind) = &filter.kind {
            query.push(" AND kind = ").push_bind(kind);
        }
        if let Some(priority) = &filter.priority {
            query
                .push(" AND priority = ")
                .push_bind(codec::name(priority));
        }
        if let Some(assignee) = &filter.assignee {
            query.push(" AND assignee = ").push_bind(assignee);
        }
        if let Some(cursor) = filter.cursor {
            query.push(" AND id < ").push_bind(cursor);
        }
        query
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(filter.limit));
        all(query
            .build_query_as::<codec::TicketRow>()
            .fetch_all(&self.pool)
            .await?)
    }

    async fn events(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Event>, StoreError> {
        all(sqlx::query_as::<_, codec::EventRow>(
            "SELECT * FROM events WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY seq",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn timers(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Timer>, StoreError> {
        all(sqlx::query_as::<_, codec::TimerRow>(
            "SELECT * FROM timers WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY due_at, name",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn links(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Link>, StoreError> {
        let rows = sqlx::query_as::<_, codec::LinkRow>(
            "SELECT from_ticket, to_ticket, relation FROM ticket_links
             WHERE tenant_id = $1 AND (from_ticket = $2 OR to_ticket = $3) ORDER BY created_at",
        )
        .bind(tenant)
        .bind(ticket)
        .bind(ticket)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Link::from).collect())
    }

    async fn idempotent(&self, tenant: Uuid, key: &str) -> Result<Option<Idempotent>, StoreError> {
        let row = sqlx::query_as::<_, codec::IdempotentRow>(
            "SELECT * FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Idempotent::from))
    }

    async fn commit(&self, commit: &Commit) -> Result<(), StoreError> {
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
        super::levels::postgres::fire(&mut tx, commit).await?;
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
        super::levels::postgres::commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Write a plugin version's row; the same bytes again change nothing.
pub(super) async fn insert_plugin(
    conn: &mut sqlx::PgConnection,
    plugin: &StoredPlugin,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO plugins (hash, name, version, contract, component, installed_at,
            publisher_id, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(&plugin.hash)
    .bind(&plugin.name)
    .bind(&plugin.version)
    .bind(&plugin.contract)
    .bind(&plugin.component)
    .bind(millis(plugin.installed_at))
    .bind(plugin.publisher_id)
    .bind(plugin.published_at.map(millis))
    .execute(conn)
    .await?;
    Ok(())
}
