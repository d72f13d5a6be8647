//! Plugins as the store keeps them: the installed components, each tenant's
//! bindings of ticket kinds to them and its configuration of each plugin,
//! and the lifecycle records: the components as a catalogue, the operator's
//! resource grants, and each tenant's health record of a plugin version
//! (consecutive failures, quarantine).

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;

/// A stored plugin component.
#[derive(Debug, Clone)]
pub struct StoredPlugin {
    pub hash: String,
    pub name: String,
    pub version: String,
    pub contract: String,
    pub component: Vec<u8>,
    pub installed_at: Timestamp,
    /// Who uploaded it; `None` for the operator and the embedded plugins.
    pub publisher_id: Option<Uuid>,
    /// When tenants could first see and bind it; `None` while private to
    /// its publisher.
    pub published_at: Option<Timestamp>,
}

/// A tenant's choice of plugin version for one ticket kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub kind: String,
    pub plugin_name: String,
    pub plugin_version: String,
    pub bound_at: Timestamp,
}

/// Installed components, the bindings of ticket kinds to them, and each
/// tenant's configuration of a plugin.
#[async_trait]
pub trait Plugins: Send + Sync {
    /// Store a component unless one with its hash is stored; refuse one whose
    /// name and version are taken by other bytes.
    async fn put_plugin(&self, plugin: &StoredPlugin) -> Result<(), StoreError>;
    async fn plugin(&self, name: &str, version: &str) -> Result<Option<StoredPlugin>, StoreError>;
    async fn bindings(&self, tenant: Uuid) -> Result<Vec<Binding>, StoreError>;
    async fn bind(&self, tenant: Uuid, bindings: &[Binding]) -> Result<(), StoreError>;
    async fn plugin_config(&self, tenant: Uuid, plugin: &str) -> Result<Option<Value>, StoreError>;
    async fn set_plugin_config(
        &self,
        tenant: Uuid,
        plugin: &str,
        config: &Value,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}

/// An installed plugin version without its component.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRecord {
    pub hash: String,
    pub name: String,
    pub version: String,
    pub contract: String,
    /// Size of the component, bytes.
    pub size: i64,
    pub installed_at: Timestamp,
    /// Limits the operator granted beyond the defaults, if any.
    pub granted: Option<Value>,
    pub granted_at: Option<Timestamp>,
    /// Who uploaded it; `None` for the operator and the embedded plugins.
    pub publisher_id: Option<Uuid>,
    /// `None` while private to its publisher.
    pub published_at: Option<Timestamp>,
}

/// How a plugin version has been doing for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub tenant_id: Uuid,
    pub plugin_hash: String,
    /// Failures in a row; a success resets it.
    pub failures: u32,
    /// The last failure's cause, e.g. `fuel_exhausted`.
    pub last_failure: Option<String>,
    pub quarantined_at: Option<Timestamp>,
}

/// The plugin lifecycle, whichever the database.
#[async_trait]
pub trait Lifecycle: Send + Sync {
    /// Every installed plugin version, by name then installation.
    async fn plugin_records(&self) -> Result<Vec<PluginRecord>, StoreError>;
    async fn plugin_record(&self, hash: &str) -> Result<Option<PluginRecord>, StoreError>;
    async fn plugin_record_named(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Option<PluginRecord>, StoreError>;
    /// Whether any tenant binds a kind to the plugin version.
    async fn plugin_bound(&self, name: &str, version: &str) -> Result<bool, StoreError>;
    /// The component stored under `hash`.
    async fn component(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Record (or, with `None`, withdraw) the operator's grant.
    async fn set_grant(
        &self,
        hash: &str,
        granted: Option<&Value>,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// A tenant's health records with failures or a quarantine.
    async fn health(&self, tenant: Uuid) -> Result<Vec<Health>, StoreError>;
    /// Every tenant's health record of one plugin version.
    async fn plugin_health(&self, hash: &str) -> Result<Vec<Health>, StoreError>;
    /// Count `count` more failures in a row, the last of them `cause`;
    /// quarantine the version for the tenant when the count reaches
    /// `threshold`. Returns the record after.
    async fn record_failure(
        &self,
        tenant: Uuid,
        hash: &str,
        cause: &str,
        count: u32,
        threshold: u32,
        at: Timestamp,
    ) -> Result<Health, StoreError>;
    /// A success ends a run of failures (but not a quarantine).
    async fn record_success(
        &self,
        tenant: Uuid,
        hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Lift a quarantine and forget the failures; false when there was none.
    async fn release(&self, tenant: Uuid, hash: &str) -> Result<bool, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct PluginRecordRow {
    hash: String,
    name: String,
    version: String,
    contract: String,
    size: i64,
    installed_at: i64,
    granted: Option<Json<Value>>,
    granted_at: Option<i64>,
    publisher_id: Option<Uuid>,
    published_at: Option<i64>,
}

impl TryFrom<PluginRecordRow> for PluginRecord {
    type Error = StoreError;
    fn try_from(r: PluginRecordRow) -> Result<Self, StoreError> {
        Ok(PluginRecord {
            hash: r.hash,
            name: r.name,
            version: r.version,
            contract: r.contract,
            size: r.size,
            installed_at: instant(r.installed_at)?,
            granted: r.granted.map(|j| j.0),
            granted_at: r.granted_at.map(instant).transpose()?,
            publisher_id: r.publisher_id,
            published_at: r.published_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct HealthRow {
    tenant_id: Uuid,
    plugin_hash: String,
    failures: i32,
    last_failure: Option<String>,
    quarantined_at: Option<i64>,
}

impl TryFrom<HealthRow> for Health {
    type Error = StoreError;
    fn try_from(r: HealthRow) -> Result<Self, StoreError> {
        Ok(Health {
            tenant_id: r.tenant_id,
            plugin_hash: r.plugin_hash,
            failures: u32::try_from(r.failures)
                .map_err(|_| StoreError::Corrupt(format!("{} failures", r.failures)))?,
            last_failure: r.last_failure,
            quarantined_at: r.quarantined_at.map(instant).transpose()?,
        })
    }
}
