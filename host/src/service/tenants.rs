//! Tenants and their API keys.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::Role;
use crate::domain::access::{self, Permission};
use crate::store::{ApiKey, Credential, NewKey, Tenant};

/// Time zone of a new tenant unless it says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
/// Language of a new tenant's console.
pub const DEFAULT_LOCALE: &str = "zh-CN";

/// Prefix of every tenant API token, so a leaked one is easy to recognise.
const TOKEN_PREFIX: &str = "ask_";

/// A new tenant and the only copy of its first admin key.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub tenant: Tenant,
    pub admin_key: String,
}

/// A new API key and the only copy of its token.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: ApiKey,
    pub token: String,
}

/// The SHA-256 of a token, as stored. Tokens carry 256 random bits, so a
/// fast hash is enough: there is nothing to guess.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A bearer token of 256 random bits after `prefix`.
pub(super) fn new_token(prefix: &str) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Invalid(format!("no randomness available: {e}")))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn issue(tenant_id: Uuid, name: &str, role: Role) -> Result<(NewKey, String), ServiceError> {
    let token = new_token(TOKEN_PREFIX)?;
    let key = NewKey {
        key: ApiKey {
            id: Uuid::now_v7(),
            tenant_id,
            name: name.to_string(),
            role,
            created_at: super::now(),
            revoked_at: None,
        },
        token_hash: token_hash(&token),
    };
    Ok((key, token))
}

/// Whom a token stored in the database belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHolder {
    Tenant(Credential),
    /// A publisher, by id.
    Publisher(Uuid),
}

impl Services {
    /// Whom the token with this hash belongs to: a tenant's key, a
    /// publisher's, or nobody (unknown or revoked).
    pub async fn key_holder(&self, hash: &str) -> Result<Option<KeyHolder>, ServiceError> {
        if let Some(credential) = self.store.credential(hash).await? {
            return Ok(Some(KeyHolder::Tenant(credential)));
        }
        Ok(self
            .store
            .publisher_by_token(hash)
            .await?
            .map(|p| KeyHolder::Publisher(p.id)))
    }

    /// Create a tenant bound to the first-party bundle, with an admin key.
    pub async fn create_tenant(
        &self,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<NewTenant, ServiceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::Invalid("a tenant needs a name".into()));
        }
        let time_zone = time_zone.unwrap_or(DEFAULT_TIME_ZONE);
        jiff::tz::TimeZone::get(time_zone)
            .map_err(|e| ServiceError::Invalid(format!("unknown time zone `{time_zone}`: {e}")))?;
        let tenant = Tenant {
            id: Uuid::now_v7(),
            name: name.to_string(),
            time_zone: time_zone.to_string(),
            locale: DEFAULT_LOCALE.to_string(),
            created_at: super::now(),
        };
        let (key, token) = issue(tenant.id, "admin", Role::Admin)?;
        self.store
            .create_tenant(&tenant, &key, &self.catalog.default_bindings())
            .await?;
        Ok(NewTenant {
            tenant,
            admin_key: token,
        })
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>, ServiceError> {
        Ok(self.store.tenants().await?)
    }

    /// Issue an API key for the caller's tenant.
    pub async fn create_key(
        &self,
        caller: &Caller,
        name: &str,
        role: Role,
    ) -> Result<IssuedKey, ServiceError> {
        caller.may(Permission::ManageKeys)?;
        if !access::is_key_role(role) {
            return Err(ServiceError::Invalid(format!(
                "keys are for people and machines of the tenant; {role:?} is not such a role"
            )));
        }
        if name.trim().is_empty() {
            return Err(ServiceError::Invalid("a key needs a name".into()));
        }
        let (key, token) = issue(caller.tenant_id, name.trim(), role)?;
        self.store.create_key(&key).await?;
        self.record(
            caller,
            "key.create",
            key.key.id,
            json!({"name": key.key.name, "role": role}),
        )
        .await;
        Ok(IssuedKey {
            key: key.key,
            token,
        })
    }

    pub async fn keys(&self, caller: &Caller) -> Result<Vec<ApiKey>, ServiceError> {
        caller.may(Permission::ManageKeys)?;
        Ok(self.store.keys(caller.tenant_id).await?)
    }

    pub async fn revoke_key(&self, caller: &Caller, key: Uuid) -> Result<(), ServiceError> {
        caller.may(Permission::ManageKeys)?;
        if self
            .store
            .revoke_key(caller.tenant_id, key, super::now())
            .await?
        {
            self.record(caller, "key.revoke", key, json!({})).await;
            Ok(())
        } else {
            Err(ServiceError::NotFound("key"))
        }
    }
}
