//! The SQLite backend: one file, WAL, foreign keys on.
//!
//! SQLite has one writer at a time, so writes go through a pool of one
//! connection (they queue in the process instead of spinning on the file
//! lock) while reads use a pool of their own. Ticket changes that queue for
//! the writer at the same time share one transaction ([`group`]).

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::types::Json;
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use super::codec::{self, all, millis};
use super::{
    ApiKey, Binding, Commit, Credential, Idempotent, Link, NewKey, Store, StoreError, StoredPlugin,
    Tenant, TicketFilter, Timer,
};
use crate::domain::{Event, Ticket};

mod commit;
mod group;
pub(super) mod script;

use group::GroupCommit;

pub struct SqliteStore {
    pub(super) writer: SqlitePool,
    pub(super) reader: SqlitePool,
    /// Ticket changes, written in shared transactions.
    group: GroupCommit,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl SqliteStore {
    /// Open (creating it if needed) and migrate the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous()?)
            .foreign_keys(true)
            // Each change of a shared transaction runs in a savepoint, whose
            // undo pages belong in memory rather than in a temporary file.
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(10));
        // The file cannot go away under an open connection, so a pool need
        // not ping it (a round trip to the connection's thread) before each
        // use.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(SqliteStore {
            group: GroupCommit::new(writer.clone()),
            writer,
            reader,
        })
    }
}

/// How hard a commit waits for the disk. FULL (the default) syncs the log
/// on every commit, so a power loss loses nothing acknowledged; group commit
/// pays that once per batch. NORMAL (`AFTERSALE_SQLITE_SYNCHRONOUS=normal`)
/// is still safe against a killed process, but a power loss can drop the
/// last commits.
fn synchronous() -> Result<SqliteSynchronous, StoreError> {
    match std::env::var("AFTERSALE_SQLITE_SYNCHRONOUS") {
        Err(_) => Ok(SqliteSynchronous::Full),
        Ok(value) => match value.to_ascii_lowercase().as_str() {
            "" | "full" => Ok(SqliteSynchronous::Full),
            "normal" => Ok(SqliteSynchronous::Normal),
            _ => Err(StoreError::Config(format!(
                "AFTERSALE_SQLITE_SYNCHRONOUS is `{value}`; it takes `full` or `normal`"
            ))),
        },
    }
}

async fn insert_key(tx: &mut Transaction<'_, Sqlite>, key: &NewKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_keys (id, tenant_id, name, role, token_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    tenant: Uuid,
    bindings: &[Binding],
) -> Result<(), StoreError> {
    for b in bindings {
        sqlx::query(
            "INSERT INTO bindings (tenant_id, kind, plugin_name, plugin_version, bound_at)
             VALUES (?, ?, ?, ?, ?)
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
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn create_tenant(
        &self,
        tenant: &Tenant,
        admin: &NewKey,
        bindings: &[Binding],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO tenants (id, name, time_zone, locale, created_at) VALUES (?, ?, ?, ?, ?)",
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
        sqlx::query_as::<_, codec::TenantRow>("SELECT * FROM tenants WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .map(Tenant::try_from)
            .transpose()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        all(
            sqlx::query_as::<_, codec::TenantRow>("SELECT * FROM tenants ORDER BY created_at, id")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    async fn create_key(&self, key: &NewKey) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        insert_key(&mut tx, key).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn credential(&self, token_hash: &str) -> Result<Option<Credential>, StoreError> {
        sqlx::query_as::<_, codec::CredentialRow>(
            "SELECT id, tenant_id, role FROM api_keys WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?
        .map(Credential::try_from)
        .transpose()
    }

    async fn keys(&self, tenant: Uuid) -> Result<Vec<ApiKey>, StoreError> {
        all(sqlx::query_as::<_, codec::ApiKeyRow>(
            "SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id",
        )
        .bind(tenant)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn revoke_key(&self, tenant: Uuid, key: Uuid, at: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL",
        )
        .bind(millis(at))
        .bind(tenant)
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_plugin(&self, plugin: &StoredPlugin) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT hash FROM plugins WHERE name = ? AND version = ?")
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
            "SELECT * FROM plugins WHERE name = ? AND version = ?",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.reader)
        .await?
        .map(StoredPlugin::try_from)
        .transpose()
    }

    async fn bindings(&self, tenant: Uuid) -> Result<Vec<Binding>, StoreError> {
        all(sqlx::query_as::<_, codec::BindingRow>(
            "SELECT * FROM bindings WHERE tenant_id = ? ORDER BY kind",
        )
        .bind(tenant)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn bind(&self, tenant: Uuid, bindings: &[Binding]) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        upsert_bindings(&mut tx, tenant, bindings).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn plugin_config(&self, tenant: Uuid, plugin: &str) -> Result<Option<Value>, StoreError> {
        let config: Option<Json<Value>> = sqlx::query_scalar(
            "SELECT config FROM plugin_configs WHERE tenant_id = ? AND plugin_name = ?",
        )
        .bind(tenant)
        .bind(plugin)
        .fetch_optional(&self.reader)
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
             VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant_id, plugin_name) DO UPDATE SET
                config = excluded.config, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(plugin)
        .bind(Json(config))
        .bind(millis(at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn ticket(&self, tenant: Uuid, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        sqlx::query_as::<_, codec::TicketRow>(
            "SELECT * FROM tickets WHERE tenant_id = ? AND id = ?",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(&self.reader)
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
            sqlx::QueryBuilder::<Sqlite>::new("SELECT * FROM tickets WHERE tenant_id = ");
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
            .fetch_all(&self.reader)
            .await?)
    }

    async fn events(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Event>, StoreError> {
        all(sqlx::query_as::<_, codec::EventRow>(
            "SELECT * FROM events WHERE tenant_id = ? AND ticket_id = ? ORDER BY seq",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn timers(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Timer>, StoreError> {
        all(sqlx::query_as::<_, codec::TimerRow>(
            "SELECT * FROM timers WHERE tenant_id = ? AND ticket_id = ? ORDER BY due_at, name",
        )
        .bind(tenant)
        .bind(ticket)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn links(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Link>, StoreError> {
        let rows = sqlx::query_as::<_, codec::LinkRow>(
            "SELECT from_ticket, to_ticket, relation FROM ticket_links
             WHERE tenant_id = ? AND (from_ticket = ? OR to_ticket = ?) ORDER BY created_at",
        )
        .bind(tenant)
        .bind(ticket)
        .bind(ticket)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(Link::from).collect())
    }

    async fn idempotent(&self, tenant: Uuid, key: &str) -> Result<Option<Idempotent>, StoreError> {
        let row = sqlx::query_as::<_, codec::IdempotentRow>(
            "SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?",
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(Idempotent::from))
    }

    async fn commit(&self, commit: &Commit) -> Result<(), StoreError> {
        self.group.commit(commit::script(commit)).await
    }
}

/// Write a plugin version's row; the same bytes again change nothing.
pub(super) async fn insert_plugin(
    conn: &mut sqlx::SqliteConnection,
    plugin: &StoredPlugin,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO plugins (hash, name, version, contract, component, installed_at,
            publisher_id, published_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
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
