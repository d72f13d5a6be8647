//! Secrets of the deployment, kept in the database so that every replica
//! shares them and none lives beside what it protects (the precompiled
//! plugin cache's signing key is one).

use async_trait::async_trait;
use jiff::Timestamp;

use super::codec::millis;
use super::{PgStore, SqliteStore, StoreError};

#[async_trait]
pub trait Secrets: Send + Sync {
    /// The secret stored under `name`; the first caller's `fresh` value
    /// becomes it, so concurrent first starts agree.
    async fn secret(&self, name: &str, fresh: &[u8], at: Timestamp) -> Result<Vec<u8>, StoreError>;
}

#[async_trait]
impl Secrets for SqliteStore {
    async fn secret(&self, name: &str, fresh: &[u8], at: Timestamp) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO host_secrets (name, value, created_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(millis(at))
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM host_secrets WHERE name = ?")
                .bind(name)
                .fetch_one(&self.writer)
                .await?,
        )
    }
}

#[async_trait]
impl Secrets for PgStore {
    async fn secret(&self, name: &str, fresh: &[u8], at: Timestamp) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO host_secrets (name, value, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(millis(at))
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM host_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
