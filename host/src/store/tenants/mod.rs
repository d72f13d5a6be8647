//! Tenants, the organisations using the platform, their API keys and their
//! settings (the calendar, SLA and survey settings), by key.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use super::{Binding, StoreError};
use crate::domain::Role;

/// An organisation using the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub created_at: Timestamp,
}

/// An API key as listed (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// A new API key: the SHA-256 of its token is all the database keeps.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key: ApiKey,
    pub token_hash: String,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
}

/// Tenants and credentials.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Create a tenant with its first admin key and its bundle's bindings.
    async fn create_tenant(
        &self,
        tenant: &Tenant,
        admin: &NewKey,
        bindings: &[Binding],
    ) -> Result<(), StoreError>;
    async fn tenant(&self, id: Uuid) -> Result<Option<Tenant>, StoreError>;
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    async fn create_key(&self, key: &NewKey) -> Result<(), StoreError>;
    async fn credential(&self, token_hash: &str) -> Result<Option<Credential>, StoreError>;
    async fn keys(&self, tenant: Uuid) -> Result<Vec<ApiKey>, StoreError>;
    async fn revoke_key(&self, tenant: Uuid, key: Uuid, at: Timestamp) -> Result<bool, StoreError>;

    /// Tenant settings by key (the calendar, SLA and survey settings).
    async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError>;
    async fn set_setting(
        &self,
        tenant: Uuid,
        key: &str,
        value: &Value,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}
