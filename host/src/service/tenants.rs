//! Tenants, their API keys, their plugin bundle and plugin configuration.

use aftersale_sdk::Role;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::store::{ApiKey, Binding, NewKey, Tenant};

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
    Sha256::digest(token.as_bytes())
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

fn require_admin(caller: &Caller) -> Result<(), ServiceError> {
    if caller.role() == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only an admin may do this".into()))
    }
}

impl Services {
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
        require_admin(caller)?;
        if role == Role::System || role == Role::Customer {
            return Err(ServiceError::Invalid(format!(
                "keys are for people and machines of the tenant; {role:?} is not such a role"
            )));
        }
        if name.trim().is_empty() {
            return Err(ServiceError::Invalid("a key needs a name".into()));
        }
        let (key, token) = issue(caller.tenant_id, name.trim(), role)?;
        self.store.create_key(&key).await?;
        Ok(IssuedKey {
            key: key.key,
            token,
        })
    }

    pub async fn keys(&self, caller: &Caller) -> Result<Vec<ApiKey>, ServiceError> {
        require_admin(caller)?;
        Ok(self.store.keys(caller.tenant_id).await?)
    }

    pub async fn revoke_key(&self, caller: &Caller, key: Uuid) -> Result<(), ServiceError> {
        require_admin(caller)?;
        if self
            .store
            .revoke_key(caller.tenant_id, key, super::now())
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound("key"))
        }
    }

    /// The tenant's bindings of kinds to plugin versions.
    pub async fn bundle(&self, caller: &Caller) -> Result<Vec<Binding>, ServiceError> {
        Ok(self.store.bindings(caller.tenant_id).await?)
    }

    /// Bind kinds to plugin versions. Each version must be installed and
    /// declare the kind; the next call uses the new binding.
    pub async fn bind(
        &self,
        caller: &Caller,
        bindings: Vec<(String, String, String)>,
    ) -> Result<Vec<Binding>, ServiceError> {
        require_admin(caller)?;
        let now = super::now();
        let mut checked = Vec::with_capacity(bindings.len());
        for (kind, plugin, version) in bindings {
            // A private version is refused exactly like a missing one, so a
            // tenant cannot learn what a publisher has not published yet.
            let published = self
                .store
                .plugin_record_named(&plugin, &version)
                .await?
                .is_some_and(|r| r.published_at.is_some());
            if !published {
                return Err(ServiceError::Invalid(format!(
                    "{plugin}@{version} is not installed"
                )));
            }
            let installed =
                self.catalog
                    .installed(&plugin, &version)
                    .await
                    .map_err(|e| match e {
                        ServiceError::Bundle(reason) => ServiceError::Invalid(reason),
                        other => other,
                    })?;
            if installed.manifest().kind(&kind).is_none() {
                return Err(ServiceError::Invalid(format!(
                    "{plugin}@{version} does not declare the kind `{kind}`"
                )));
            }
            checked.push(Binding {
                kind,
                plugin_name: plugin,
                plugin_version: version,
                bound_at: now,
            });
        }
        let before = self.store.bindings(caller.tenant_id).await?;
        self.store.bind(caller.tenant_id, &checked).await?;
        self.catalog.invalidate(caller.tenant_id);
        let after = self.bundle(caller).await?;
        // Versions this change moved off may be bound by no tenant now.
        for old in &before {
            let still_bound = after.iter().any(|b| {
                b.plugin_name == old.plugin_name && b.plugin_version == old.plugin_version
            });
            if !still_bound {
                self.catalog
                    .release_unbound(&old.plugin_name, &old.plugin_version)
                    .await?;
            }
        }
        Ok(after)
    }

    /// The tenant's effective configuration of a plugin of its bundle.
    pub async fn plugin_config(
        &self,
        caller: &Caller,
        plugin: &str,
    ) -> Result<Value, ServiceError> {
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let bound = bundle
            .kinds()
            .map(|(_, b)| b)
            .find(|b| b.installed.plugin.name() == plugin)
            .ok_or(ServiceError::NotFound("plugin in this tenant's bundle"))?;
        bound
            .config
            .value()
            .map_err(|r| ServiceError::Bundle(r.message))
    }

    /// Replace the tenant's overrides of a plugin's configuration. The merged
    /// result must match the plugin's config schema; the next decision uses
    /// it.
    pub async fn set_plugin_config(
        &self,
        caller: &Caller,
        plugin: &str,
        overrides: Value,
    ) -> Result<Value, ServiceError> {
        require_admin(caller)?;
        if !overrides.is_object() {
            return Err(ServiceError::Invalid(
                "a configuration is a JSON object".into(),
            ));
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let installed = bundle
            .kinds()
            .map(|(_, b)| b.installed.clone())
            .find(|i| i.plugin.name() == plugin)
            .ok_or(ServiceError::NotFound("plugin in this tenant's bundle"))?;
        let mut merged = installed.manifest().default_config.clone();
        aftersale_sdk::merge(&mut merged, overrides.clone());
        installed.check_config(&merged)?;
        self.store
            .set_plugin_config(caller.tenant_id, plugin, &overrides, super::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id);
        Ok(merged)
    }
}
