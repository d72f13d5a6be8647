//! Plugins: components, bindings and configuration, and the lifecycle
//! records (grants, health per tenant). The statements, once for both
//! backends.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::Transaction;
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    Binding, Health, HealthRow, Lifecycle, PluginRecord, PluginRecordRow, Plugins, StoredPlugin,
};
use crate::store::StoreError;
use crate::store::codec::{self, all, millis};

on_each_backend! {
    #[async_trait]
    impl Lifecycle for DbStore {
        async fn plugin_records(&self) -> Result<Vec<PluginRecord>, StoreError> {
            all(sqlx::query_as::<_, PluginRecordRow>(
                "SELECT hash, name, version, contract, installed_at, granted, granted_at,
                    publisher_id, published_at,
                    CAST(length(component) AS BIGINT) AS size FROM plugins
                 ORDER BY name, installed_at, version",
            )
            .fetch_all(self.reader())
            .await?)
        }

        async fn plugin_record(&self, hash: &str) -> Result<Option<PluginRecord>, StoreError> {
            sqlx::query_as::<_, PluginRecordRow>(
                "SELECT hash, name, version, contract, installed_at, granted, granted_at,
                    publisher_id, published_at,
                    CAST(length(component) AS BIGINT) AS size FROM plugins WHERE hash = $1",
            )
            .bind(hash)
            .fetch_optional(self.reader())
            .await?
            .map(PluginRecord::try_from)
            .transpose()
        }

        async fn plugin_record_named(
            &self,
            name: &str,
            version: &str,
        ) -> Result<Option<PluginRecord>, StoreError> {
            sqlx::query_as::<_, PluginRecordRow>(
                "SELECT hash, name, version, contract, installed_at, granted, granted_at,
                    publisher_id, published_at,
                    CAST(length(component) AS BIGINT) AS size FROM plugins WHERE name = $1 AND version = $2",
            )
            .bind(name)
            .bind(version)
            .fetch_optional(self.reader())
            .await?
            .map(PluginRecord::try_from)
            .transpose()
        }

        async fn plugin_bound(&self, name: &str, version: &str) -> Result<bool, StoreError> {
            let bound: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM bindings WHERE plugin_name = $1 AND plugin_version = $2 LIMIT 1",
            )
            .bind(name)
            .bind(version)
            .fetch_optional(self.reader())
            .await?;
            Ok(bound.is_some())
        }

        async fn component(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(
                sqlx::query_scalar("SELECT component FROM plugins WHERE hash = $1")
                    .bind(hash)
                    .fetch_optional(self.reader())
                    .await?,
            )
        }

        async fn set_grant(
            &self,
            hash: &str,
            granted: Option<&Value>,
            at: Timestamp,
        ) -> Result<bool, StoreError> {
            let done =
                sqlx::query("UPDATE plugins SET granted = $1, granted_at = $2 WHERE hash = $3")
                    .bind(granted.map(Json))
                    .bind(granted.map(|_| millis(at)))
                    .bind(hash)
                    .execute(self.writer())
                    .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn health(&self, tenant: Uuid) -> Result<Vec<Health>, StoreError> {
            all(sqlx::query_as::<_, HealthRow>(
                "SELECT * FROM plugin_health
                 WHERE tenant_id = $1 AND (failures > 0 OR quarantined_at IS NOT NULL)",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn plugin_health(&self, hash: &str) -> Result<Vec<Health>, StoreError> {
            all(sqlx::query_as::<_, HealthRow>(
                "SELECT * FROM plugin_health
                 WHERE plugin_hash = $1 AND (failures > 0 OR quarantined_at IS NOT NULL)
                 ORDER BY tenant_id",
            )
            .bind(hash)
            .fetch_all(self.reader())
            .await?)
        }

        async fn record_failure(
            &self,
            tenant: Uuid,
            hash: &str,
            cause: &str,
            count: u32,
            threshold: u32,
            at: Timestamp,
        ) -> Result<Health, StoreError> {
            // One statement, so two writes at once add up and only the one that
            // reaches the threshold sets the quarantine.
            let row = sqlx::query_as::<_, HealthRow>(
                "INSERT INTO plugin_health (tenant_id, plugin_hash, failures, last_failure,
                    quarantined_at, updated_at)
                 VALUES ($1, $2, $4, $3, CASE WHEN $4 >= $5 THEN CAST($6 AS BIGINT) END, $6)
                 ON CONFLICT (tenant_id, plugin_hash) DO UPDATE SET
                    failures = plugin_health.failures + $4,
                    last_failure = excluded.last_failure,
                    quarantined_at = COALESCE(plugin_health.quarantined_at,
                        CASE WHEN plugin_health.failures + $4 >= $5 THEN CAST($6 AS BIGINT) END),
                    updated_at = excluded.updated_at
                 RETURNING *",
            )
            .bind(tenant)
            .bind(hash)
            .bind(cause)
            .bind(i32::try_from(count).unwrap_or(i32::MAX))
            .bind(i64::from(threshold))
            .bind(millis(at))
            .fetch_one(self.writer())
            .await?;
            Health::try_from(row)
        }

        async fn record_success(
            &self,
            tenant: Uuid,
            hash: &str,
            at: Timestamp,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE plugin_health SET failures = 0, updated_at = $1
                 WHERE tenant_id = $2 AND plugin_hash = $3 AND failures > 0",
            )
            .bind(millis(at))
            .bind(tenant)
            .bind(hash)
            .execute(self.writer())
            .await?;
            Ok(())
        }

        async fn release(&self, tenant: Uuid, hash: &str) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "DELETE FROM plugin_health
                 WHERE tenant_id = $1 AND plugin_hash = $2 AND quarantined_at IS NOT NULL",
            )
            .bind(tenant)
            .bind(hash)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }
    }

    impl DbStore {
        /// Write a plugin version's row; the same bytes again change nothing.
        pub(in crate::store) async fn insert_plugin(
            tx: &mut Transaction<'_, Db>,
            plugin: &StoredPlugin,
        ) -> Result<(), StoreError> {
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
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Bind each kind to its plugin version, replacing what it was bound to.
        pub(in crate::store) async fn upsert_bindings(
            tx: &mut Transaction<'_, Db>,
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
    }

    #[async_trait]
    impl Plugins for DbStore {
        async fn put_plugin(&self, plugin: &StoredPlugin) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
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
            DbStore::insert_plugin(&mut tx, plugin).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn plugin(
            &self,
            name: &str,
            version: &str,
        ) -> Result<Option<StoredPlugin>, StoreError> {
            sqlx::query_as::<_, codec::PluginRow>(
                "SELECT * FROM plugins WHERE name = $1 AND version = $2",
            )
            .bind(name)
            .bind(version)
            .fetch_optional(self.reader())
            .await?
            .map(StoredPlugin::try_from)
            .transpose()
        }

        async fn bindings(&self, tenant: Uuid) -> Result<Vec<Binding>, StoreError> {
            all(sqlx::query_as::<_, codec::BindingRow>(
                "SELECT * FROM bindings WHERE tenant_id = $1 ORDER BY kind",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn bind(&self, tenant: Uuid, bindings: &[Binding]) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
            DbStore::upsert_bindings(&mut tx, tenant, bindings).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn plugin_config(
            &self,
            tenant: Uuid,
            plugin: &str,
        ) -> Result<Option<Value>, StoreError> {
            let config: Option<Json<Value>> = sqlx::query_scalar(
                "SELECT config FROM plugin_configs WHERE tenant_id = $1 AND plugin_name = $2",
            )
            .bind(tenant)
            .bind(plugin)
            .fetch_optional(self.reader())
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
            .execute(self.writer())
            .await?;
            Ok(())
        }
    }
}
