//! The plugins concern: installing uploaded components, who sees which
//! version, the operator's resource grants and releases; the tenant's bundle
//! and configuration ([`bundle`]); supervision and quarantine
//! ([`supervision`]) over the failures counted in [`tally`].

mod bundle;
mod supervision;
mod tally;

use std::sync::Arc;

use aftersale_sdk::{Manifest, ResourceRequest};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::catalog::Installed;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::plugins::{ContentHash, Limits, LoadError, Plugin};
use crate::store::{Health, PluginRecord, StoreError, StoredPlugin};

pub use tally::Tally;

/// How the host treats failing plugins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supervision {
    /// Failures in a row (trap, fuel, deadline, memory, malformed output)
    /// after which a plugin version is quarantined for the tenant.
    pub quarantine_after: u32,
}

impl Default for Supervision {
    fn default() -> Self {
        Supervision {
            quarantine_after: 5,
        }
    }
}

/// What the operator granted a plugin beyond the default limits. Fields left
/// out keep the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub fuel: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub deadline_ms: Option<u32>,
}

impl Grant {
    /// The limits a plugin runs on under this grant.
    pub fn apply(&self, defaults: &Limits) -> Limits {
        Limits {
            fuel: self.fuel.unwrap_or(defaults.fuel),
            memory_bytes: self.memory_bytes.unwrap_or(defaults.memory_bytes),
            deadline_ms: self.deadline_ms.unwrap_or(defaults.deadline_ms),
            ..*defaults
        }
    }

    fn from_request(request: &ResourceRequest) -> Self {
        Grant {
            fuel: request.fuel,
            memory_bytes: request.memory_bytes,
            deadline_ms: request.deadline_ms,
        }
    }

    fn check(&self, caps: &Limits) -> Result<(), ServiceError> {
        let over = |what: &str, asked: u64, cap: u64| {
            ServiceError::Invalid(format!(
                "{what} {asked} is over the operator's cap of {cap}"
            ))
        };
        if let Some(fuel) = self.fuel.filter(|f| *f > caps.fuel) {
            return Err(over("fuel", fuel, caps.fuel));
        }
        if let Some(memory) = self.memory_bytes.filter(|m| *m > caps.memory_bytes) {
            return Err(over("memory_bytes", memory, caps.memory_bytes));
        }
        if let Some(ms) = self.deadline_ms.filter(|d| *d > caps.deadline_ms) {
            return Err(over(
                "deadline_ms",
                u64::from(ms),
                u64::from(caps.deadline_ms),
            ));
        }
        Ok(())
    }
}

/// An installed plugin version with what it asked for and what it got.
#[derive(Debug, Clone)]
pub struct PluginDetails {
    pub record: PluginRecord,
    pub manifest: Manifest,
    pub grant: Option<Grant>,
    /// The limits its calls run on.
    pub limits: Limits,
    pub caps: Limits,
    /// Tenants for which it is failing or quarantined (only the caller's own
    /// for a tenant key).
    pub health: Vec<Health>,
}

/// Who is installing or looking: the operator, a publisher, or a tenant's
/// key.
#[derive(Debug, Clone)]
pub enum Viewer {
    Operator,
    /// A publisher, by id.
    Publisher(Uuid),
    Tenant(Caller),
}

impl Viewer {
    /// The operator sees every version, a publisher its own (private or
    /// published), a tenant only published ones (what it may bind).
    pub fn may_see(&self, record: &PluginRecord) -> bool {
        match self {
            Viewer::Operator => true,
            Viewer::Publisher(id) => record.publisher_id == Some(*id),
            Viewer::Tenant(_) => record.published_at.is_some(),
        }
    }

    /// Only the operator and publishers install components; a tenant's key
    /// never writes into the plugin namespace every tenant shares.
    pub fn may_install(&self) -> Result<(), ServiceError> {
        match self {
            Viewer::Operator | Viewer::Publisher(_) => Ok(()),
            Viewer::Tenant(_) => Err(tenants_do_not_install()),
        }
    }
}

fn tenants_do_not_install() -> ServiceError {
    ServiceError::Forbidden(
        "tenant keys cannot install plugins: a partner uploads with a publisher key, and \
         publishers are issued by the operator (POST /api/v1/publishers)"
            .into(),
    )
}

impl Services {
    /// Validate a component and store it under its SHA-256 so every replica
    /// can load it: as the operator (published at once) or as a publisher
    /// (private to it until the operator publishes it). `Ok(false)` when
    /// these very bytes were installed before.
    pub async fn install_plugin(
        &self,
        installer: &Viewer,
        bytes: &[u8],
    ) -> Result<(PluginDetails, bool), ServiceError> {
        match installer {
            Viewer::Operator => self.install_as_operator(bytes).await,
            Viewer::Publisher(id) => self.install_as_publisher(*id, bytes).await,
            Viewer::Tenant(_) => Err(tenants_do_not_install()),
        }
    }

    async fn install_as_operator(
        &self,
        bytes: &[u8],
    ) -> Result<(PluginDetails, bool), ServiceError> {
        let hash = ContentHash::of(bytes);
        let stored_before = self.store.plugin_record(&hash.to_string()).await?.is_some();
        let plugin = self.load_upload(bytes, stored_before).await?;
        if !stored_before {
            let now = super::now();
            let stored = upload_of(&plugin, bytes, None, Some(now));
            if let Err(e) = self.store.put_plugin(&stored).await {
                self.discard(hash, stored_before);
                return Err(conflict(e));
            }
            installed_log(&plugin, "the operator");
        }
        Ok((
            self.plugin_details(&Viewer::Operator, &hash.to_string())
                .await?,
            !stored_before,
        ))
    }

    /// Load an upload and check its manifest: schemas compile, kinds and
    /// workflows hold together. A refused component is dropped from memory
    /// unless it was `stored` already.
    pub(in crate::service) async fn load_upload(
        &self,
        bytes: &[u8],
        stored: bool,
    ) -> Result<Arc<Plugin>, ServiceError> {
        let plugin = self.runtime.load(bytes).await.map_err(invalid)?;
        if let Err(reason) = Installed::new(plugin.clone()) {
            self.discard(plugin.hash(), stored);
            return Err(ServiceError::InvalidPlugin(reason));
        }
        Ok(plugin)
    }

    /// Forget the compiled component of a refused upload, unless it is an
    /// installed version (which tenants may be running).
    pub(in crate::service) fn discard(&self, hash: ContentHash, stored: bool) {
        if !stored {
            self.runtime.evict(hash);
        }
    }

    /// The installed plugin versions `viewer` may see.
    pub async fn plugin_records(&self, viewer: &Viewer) -> Result<Vec<PluginRecord>, ServiceError> {
        let mut records = self.store.plugin_records().await?;
        records.retain(|r| viewer.may_see(r));
        Ok(records)
    }

    /// Find a plugin version `viewer` may see by its SHA-256 or by
    /// `name@version`; one it may not see is not found, like an unknown one.
    pub async fn find_plugin(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<PluginRecord, ServiceError> {
        let record = match id.split_once('@') {
            Some((name, version)) => self.store.plugin_record_named(name, version).await?,
            None => self.store.plugin_record(&id.to_ascii_lowercase()).await?,
        };
        record
            .filter(|r| viewer.may_see(r))
            .ok_or(ServiceError::NotFound("plugin"))
    }

    /// A plugin version: its manifest, limits, grant and health.
    pub async fn plugin_details(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<PluginDetails, ServiceError> {
        let record = self.find_plugin(viewer, id).await?;
        let installed = self
            .catalog
            .installed(&record.name, &record.version)
            .await?;
        let grant = grant_of(&record)?;
        let mut health = self.store.plugin_health(&record.hash).await?;
        match viewer {
            Viewer::Operator => {}
            // Which tenants run a plugin is theirs to know, not its
            // publisher's.
            Viewer::Publisher(_) => health.clear(),
            Viewer::Tenant(caller) => health.retain(|h| h.tenant_id == caller.tenant_id),
        }
        Ok(PluginDetails {
            manifest: installed.manifest().clone(),
            limits: *installed.plugin.limits(),
            caps: *self.runtime.caps(),
            grant,
            health,
            record,
        })
    }

    /// Grant a plugin version more than the default limits (operator). An
    /// empty grant gives what its manifest asks for; either way, no more
    /// than the operator's caps. The next call runs on the new limits.
    pub async fn grant(
        &self,
        id: &str,
        grant: Option<Grant>,
    ) -> Result<PluginDetails, ServiceError> {
        let record = self.find_plugin(&Viewer::Operator, id).await?;
        let grant = match grant {
            Some(grant) if grant != Grant::default() => grant,
            _ => {
                let installed = self
                    .catalog
                    .installed(&record.name, &record.version)
                    .await?;
                Grant::from_request(&installed.manifest().resources)
            }
        };
        grant.check(self.runtime.caps())?;
        let value = serde_json::to_value(grant)
            .map_err(|e| ServiceError::Invalid(format!("grant: {e}")))?;
        self.store
            .set_grant(&record.hash, Some(&value), super::now())
            .await?;
        self.catalog
            .forget_plugin(&record.name, &record.version)
            .await;
        self.plugin_details(&Viewer::Operator, &record.hash).await
    }

    /// Lift a tenant's quarantine of a plugin version (operator).
    pub async fn release_plugin(
        &self,
        id: &str,
        tenant: Uuid,
    ) -> Result<PluginDetails, ServiceError> {
        let record = self.find_plugin(&Viewer::Operator, id).await?;
        self.store
            .tenant(tenant)
            .await?
            .ok_or(ServiceError::NotFound("tenant"))?;
        if !self.store.release(tenant, &record.hash).await? {
            return Err(ServiceError::Invalid(format!(
                "{}@{} is not quarantined for this tenant",
                record.name, record.version
            )));
        }
        self.catalog.invalidate(tenant).await;
        tracing::info!(plugin = %record.name, version = %record.version, %tenant, "quarantine lifted");
        self.plugin_details(&Viewer::Operator, &record.hash).await
    }
}

fn invalid(error: LoadError) -> ServiceError {
    match error {
        LoadError::Busy(_) => ServiceError::Busy(error.to_string()),
        other => ServiceError::InvalidPlugin(other.to_string()),
    }
}

/// A loaded upload as the store keeps it.
pub(in crate::service) fn upload_of(
    plugin: &Plugin,
    bytes: &[u8],
    publisher_id: Option<Uuid>,
    published_at: Option<Timestamp>,
) -> StoredPlugin {
    StoredPlugin {
        hash: plugin.hash().to_string(),
        name: plugin.name().to_string(),
        version: plugin.version().to_string(),
        contract: plugin.contract().to_string(),
        component: bytes.to_vec(),
        installed_at: super::now(),
        publisher_id,
        published_at,
    }
}

pub(in crate::service) fn installed_log(plugin: &Plugin, by: &str) {
    tracing::info!(
        plugin = plugin.name(),
        version = plugin.version(),
        hash = %plugin.hash(),
        "plugin installed by {by}"
    );
}

pub(in crate::service) fn conflict(error: StoreError) -> ServiceError {
    match error {
        StoreError::Duplicate(detail) => ServiceError::PluginConflict(detail),
        other => other.into(),
    }
}

/// The operator's grant stored with a plugin version.
pub(in crate::service) fn grant_of(record: &PluginRecord) -> Result<Option<Grant>, ServiceError> {
    record
        .granted
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("grant: {e}"))))
}
