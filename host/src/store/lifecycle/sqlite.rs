//! The plugin lifecycle on SQLite.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Health, HealthRow, Lifecycle, PluginRecord, PluginRecordRow};
use crate::store::codec::{all, millis};
use crate::store::{SqliteStore, StoreError};

#[async_trait]
impl Lifecycle for SqliteStore {
    async fn plugin_records(&self) -> Result<Vec<PluginRecord>, StoreError> {
        all(sqlx::query_as::<_, PluginRecordRow>(
            "SELECT hash, name, version, contract, installed_at, granted, granted_at,
                publisher_id, published_at,
                length(component) AS size FROM plugins
             ORDER BY name, installed_at, version",
        )
        .fetch_all(&self.reader)
        .await?)
    }

    async fn plugin_record(&self, hash: &str) -> Result<Option<PluginRecord>, StoreError> {
        sqlx::query_as::<_, PluginRecordRow>(
            "SELECT hash, name, version, contract, installed_at, granted, granted_at,
                publisher_id, published_at,
                length(component) AS size FROM plugins WHERE hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.reader)
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
                length(component) AS size FROM plugins WHERE name = ? AND version = ?",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.reader)
        .await?
        .map(PluginRecord::try_from)
        .transpose()
    }

    async fn plugin_bound(&self, name: &str, version: &str) -> Result<bool, StoreError> {
        let bound: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM bindings WHERE plugin_name = ? AND plugin_version = ? LIMIT 1",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.reader)
        .await?;
        Ok(bound.is_some())
    }

    async fn component(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT component FROM plugins WHERE hash = ?")
                .bind(hash)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn set_grant(
        &self,
        hash: &str,
        granted: Option<&Value>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE plugins SET granted = ?, granted_at = ? WHERE hash = ?")
            .bind(granted.map(Json))
            .bind(granted.map(|_| millis(at)))
            .bind(hash)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn health(&self, tenant: Uuid) -> Result<Vec<Health>, StoreError> {
        all(sqlx::query_as::<_, HealthRow>(
            "SELECT * FROM plugin_health
             WHERE tenant_id = ? AND (failures > 0 OR quarantined_at IS NOT NULL)",
        )
        .bind(tenant)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn plugin_health(&self, hash: &str) -> Result<Vec<Health>, StoreError> {
        all(sqlx::query_as::<_, HealthRow>(
            "SELECT * FROM plugin_health
             WHERE plugin_hash = ? AND (failures > 0 OR quarantined_at IS NOT NULL)
             ORDER BY tenant_id",
        )
        .bind(hash)
        .fetch_all(&self.reader)
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
             VALUES (?1, ?2, ?4, ?3, CASE WHEN ?4 >= ?5 THEN ?6 END, ?6)
             ON CONFLICT (tenant_id, plugin_hash) DO UPDATE SET
                failures = plugin_health.failures + ?4,
                last_failure = excluded.last_failure,
                quarantined_at = COALESCE(plugin_health.quarantined_at,
                    CASE WHEN plugin_health.failures + ?4 >= ?5 THEN ?6 END),
                updated_at = excluded.updated_at
             RETURNING *",
        )
        .bind(tenant)
        .bind(hash)
        .bind(cause)
        .bind(i32::try_from(count).unwrap_or(i32::MAX))
        .bind(i64::from(threshold))
        .bind(millis(at))
        .fetch_one(&self.writer)
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
            "UPDATE plugin_health SET failures = 0, updated_at = ?
             WHERE tenant_id = ? AND plugin_hash = ? AND failures > 0",
        )
        .bind(millis(at))
        .bind(tenant)
        .bind(hash)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn release(&self, tenant: Uuid, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM plugin_health
             WHERE tenant_id = ? AND plugin_hash = ? AND quarantined_at IS NOT NULL",
        )
        .bind(tenant)
        .bind(hash)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
