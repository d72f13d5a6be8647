//! Tenants, their API keys and settings: the statements, once for both
//! backends.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::Transaction;
use sqlx::types::Json;
use uuid::Uuid;

use super::{ApiKey, Credential, NewKey, Tenant, Tenants};
use crate::store::codec::{self, all, millis};
use crate::store::{Binding, StoreError};

on_each_backend! {
    async fn insert_key(tx: &mut Transaction<'_, Db>, key: &NewKey) -> Result<(), StoreError> {
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

    #[async_trait]
    impl Tenants for DbStore {
        async fn create_tenant(
            &self,
            tenant: &Tenant,
            admin: &NewKey,
            bindings: &[Binding],
        ) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
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
            DbStore::upsert_bindings(&mut tx, tenant.id, bindings).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn tenant(&self, id: Uuid) -> Result<Option<Tenant>, StoreError> {
            sqlx::query_as::<_, codec::TenantRow>("SELECT * FROM tenants WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?
                .map(Tenant::try_from)
                .transpose()
        }

        async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
            all(sqlx::query_as::<_, codec::TenantRow>(
                "SELECT * FROM tenants ORDER BY created_at, id",
            )
            .fetch_all(self.reader())
            .await?)
        }

        async fn create_key(&self, key: &NewKey) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
            insert_key(&mut tx, key).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn credential(&self, token_hash: &str) -> Result<Option<Credential>, StoreError> {
            sqlx::query_as::<_, codec::CredentialRow>(
                "SELECT id, tenant_id, role FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await?
            .map(Credential::try_from)
            .transpose()
        }

        async fn keys(&self, tenant: Uuid) -> Result<Vec<ApiKey>, StoreError> {
            all(sqlx::query_as::<_, codec::ApiKeyRow>(
                "SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn revoke_key(
            &self,
            tenant: Uuid,
            key: Uuid,
            at: Timestamp,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
            )
            .bind(millis(at))
            .bind(tenant)
            .bind(key)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError> {
            let value: Option<Json<Value>> =
                sqlx::query_scalar("SELECT value FROM settings WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant)
                    .bind(key)
                    .fetch_optional(self.reader())
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
            .execute(self.writer())
            .await?;
            Ok(())
        }
    }
}
