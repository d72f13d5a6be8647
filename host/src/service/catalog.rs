//! Installed plugins and each tenant's bundle of them, cached in memory.
//!
//! A plugin version is loaded once per process (compiled, manifest read,
//! schemas compiled). A tenant's bundle — which version owns each kind, the
//! tenant's configuration of each plugin, its webhooks, survey and SLA
//! settings, its quarantines — is read once and kept until the tenant
//! changes it, through this process or, announced, through another.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use aftersale_sdk::{Json, Kind, Manifest};
use serde_json::Value;
use uuid::Uuid;

use super::error::{SchemaError, ServiceError};
use super::plugins::Tally;
use super::surveys::{SurveyLinks, SurveySettings};
use crate::plugins::{ContentHash, DEFAULT_BUNDLE, Plugin, Runtime, manifest};
use crate::store::announce::{Announcement, Heard};
use crate::store::{Binding, Health, SharedStore, StoreError, StoredPlugin, Tenant, Webhook};

/// A loaded plugin version with its compiled schemas.
pub struct Installed {
    pub plugin: Arc<Plugin>,
    kinds: HashMap<String, jsonschema::Validator>,
    actions: HashMap<String, jsonschema::Validator>,
    config: jsonschema::Validator,
}

impl Installed {
    pub(super) fn new(plugin: Arc<Plugin>) -> Result<Self, String> {
        let m = plugin.manifest();
        let kinds = m
            .kinds
            .iter()
            .map(|k| {
                Ok((
                    k.name.clone(),
                    manifest::compile_schema(&k.attributes_schema)?,
                ))
            })
            .collect::<Result<_, String>>()?;
        let actions = m
            .actions
            .iter()
            .map(|a| Ok((a.name.clone(), manifest::compile_schema(&a.input_schema)?)))
            .collect::<Result<_, String>>()?;
        let config = manifest::compile_schema(&m.config_schema)?;
        Ok(Installed {
            plugin,
            kinds,
            actions,
            config,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        self.plugin.manifest()
    }

    /// `name@version`, as events record it.
    pub fn label(&self) -> String {
        format!("{}@{}", self.plugin.name(), self.plugin.version())
    }

    /// Check attributes against the kind's schema.
    pub fn check_attributes(&self, kind: &str, attributes: &Value) -> Result<(), ServiceError> {
        let validator = self.kinds.get(kind).ok_or(ServiceError::NotFound("kind"))?;
        check(validator, attributes).map_err(|errors| ServiceError::SchemaViolation {
            kind: kind.to_string(),
            errors,
        })
    }

    /// Check an action's input against its schema.
    pub fn check_action_input(&self, action: &str, input: &Value) -> Result<(), ServiceError> {
        let validator = self
            .actions
            .get(action)
            .ok_or(ServiceError::NotFound("action"))?;
        check(validator, input).map_err(|errors| ServiceError::SchemaViolation {
            kind: format!("action {action}"),
            errors,
        })
    }

    /// Check a tenant's configuration (defaults merged with overrides).
    pub fn check_config(&self, config: &Value) -> Result<(), ServiceError> {
        check(&self.config, config).map_err(|errors| ServiceError::SchemaViolation {
            kind: format!("configuration of {}", self.plugin.name()),
            errors,
        })
    }
}

fn check(validator: &jsonschema::Validator, value: &Value) -> Result<(), Vec<SchemaError>> {
    let errors: Vec<SchemaError> = validator
        .iter_errors(value)
        .map(|e| SchemaError {
            pointer: e.instance_path().to_string(),
            message: e.to_string(),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// One kind of a tenant's bundle: the plugin that owns it and the tenant's
/// configuration of that plugin.
pub struct Bound {
    pub installed: Arc<Installed>,
    /// Defaults merged with the tenant's overrides, as plugins receive it.
    pub config: Json,
    kind: usize,
}

impl Bound {
    pub fn kind(&self) -> &Kind {
        &self.installed.manifest().kinds[self.kind]
    }
}

/// A tenant with the plugin bound to each of its ticket kinds.
pub struct Bundle {
    pub tenant: Tenant,
    kinds: BTreeMap<String, Bound>,
    /// The tenant's active webhook subscriptions.
    pub webhooks: Vec<Webhook>,
    /// What the tenant asks customers after a resolution.
    pub survey: SurveySettings,
    /// Where the tokens of its survey links come from.
    pub survey_links: Arc<SurveyLinks>,
    /// What the tenant's SLA clocks run on.
    pub sla: super::sla::SlaContext,
    /// Plugin versions quarantined for the tenant, by content hash.
    quarantined: HashMap<String, Health>,
}

impl Bundle {
    /// The binding of `kind`, or the list of kinds the bundle has.
    pub fn kind(&self, kind: &str) -> Result<&Bound, ServiceError> {
        self.kinds
            .get(kind)
            .ok_or_else(|| ServiceError::UnknownKind {
                kind: kind.to_string(),
                known: self.kinds.keys().cloned().collect(),
            })
    }

    pub fn kinds(&self) -> impl Iterator<Item = (&str, &Bound)> {
        self.kinds.iter().map(|(k, b)| (k.as_str(), b))
    }

    /// The quarantine of a plugin version, if it is quarantined for the
    /// tenant.
    pub fn quarantine(&self, hash: ContentHash) -> Option<&Health> {
        self.quarantined.get(&hash.to_string())
    }
}

/// How long a replica sharing its database with others trusts a cached
/// bundle without hearing of a change: the bound on staleness should an
/// announcement never be made (a process killed between its write and its
/// `NOTIFY`).
pub const MAX_AGE: Duration = Duration::from_secs(30);

/// A tenant's bundle as loaded, and when.
struct Cached {
    bundle: Arc<Bundle>,
    loaded: Instant,
}

/// The installed plugins and each tenant's bundle, cached. A change made
/// through this process evicts what it touched here and announces it to
/// the other replicas ([`crate::store::announce`]), whose listener evicts
/// the same ([`Catalog::hear`]).
pub struct Catalog {
    store: SharedStore,
    runtime: Arc<Runtime>,
    installed: RwLock<HashMap<(String, String), Arc<Installed>>>,
    bundles: RwLock<HashMap<Uuid, Cached>>,
    /// Counts evictions: a bundle loaded while one happened may hold what
    /// was evicted and is not kept.
    evictions: AtomicU64,
    /// How long a cached bundle is trusted; `None` when no other process
    /// shares the database.
    max_age: Option<Duration>,
    defaults: RwLock<Vec<Binding>>,
    /// Names of the embedded first-party plugins, as their manifests say.
    first_party: RwLock<BTreeSet<String>>,
    /// Failures in a row per (tenant, plugin version), written in batches.
    tally: Tally,
    /// The deployment's survey-link secret, read once.
    survey_links: tokio::sync::OnceCell<Arc<SurveyLinks>>,
}

impl Catalog {
    pub fn new(store: SharedStore, runtime: Arc<Runtime>) -> Self {
        let max_age = (store.backend() == "postgres").then_some(MAX_AGE);
        Catalog {
            store,
            runtime,
            installed: RwLock::default(),
            bundles: RwLock::default(),
            evictions: AtomicU64::new(0),
            max_age,
            defaults: RwLock::default(),
            first_party: RwLock::default(),
            tally: Tally::default(),
            survey_links: tokio::sync::OnceCell::new(),
        }
    }

    /// Load the embedded first-party plugins, store them so every replica
    /// can load them, and remember their kinds as the default bundle.
    pub async fn install_embedded(&self) -> Result<(), ServiceError> {
        let mut defaults = Vec::new();
        let mut names = BTreeSet::new();
        for (package, bytes) in DEFAULT_BUNDLE {
            let plugin = self
                .runtime
                .load(bytes)
                .await
                .map_err(|e| ServiceError::Bundle(format!("embedded plugin {package}: {e}")))?;
            self.store
                .put_plugin(&StoredPlugin {
                    hash: plugin.hash().to_string(),
                    name: plugin.name().to_string(),
                    version: plugin.version().to_string(),
                    contract: plugin.contract().to_string(),
                    component: bytes.to_vec(),
                    installed_at: super::now(),
                    publisher_id: None,
                    published_at: Some(super::now()),
                })
                .await?;
            names.insert(plugin.name().to_string());
            for kind in &plugin.manifest().kinds {
                defaults.push(Binding {
                    kind: kind.name.clone(),
                    plugin_name: plugin.name().to_string(),
                    plugin_version: plugin.version().to_string(),
                    bound_at: super::now(),
                });
            }
            self.remember(plugin)?;
        }
        *self
            .defaults
            .write()
            .unwrap_or_else(PoisonError::into_inner) = defaults;
        *self
            .first_party
            .write()
            .unwrap_or_else(PoisonError::into_inner) = names;
        Ok(())
    }

    /// Whether `name` is reserved for a first-party plugin: a name of the
    /// embedded bundle, as its manifests declare it or as the build calls
    /// its package (so the names are reserved even before
    /// [`install_embedded`](Self::install_embedded) ran).
    pub fn reserved(&self, name: &str) -> bool {
        DEFAULT_BUNDLE.iter().any(|(package, _)| *package == name)
            || self
                .first_party
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(name)
    }

    /// The bindings a new tenant starts with.
    pub fn default_bindings(&self) -> Vec<Binding> {
        self.defaults
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn remember(&self, plugin: Arc<Plugin>) -> Result<Arc<Installed>, ServiceError> {
        let key = (plugin.name().to_string(), plugin.version().to_string());
        let installed = Arc::new(Installed::new(plugin).map_err(ServiceError::Bundle)?);
        self.installed
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, installed.clone());
        Ok(installed)
    }

    /// A plugin version, loaded from the database the first time.
    pub async fn installed(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Arc<Installed>, ServiceError> {
        let key = (name.to_string(), version.to_string());
        if let Some(found) = self
            .installed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(found.clone());
        }
        let stored =
            self.store.plugin(name, version).await?.ok_or_else(|| {
                ServiceError::Bundle(format!("{name}@{version} is not installed"))
            })?;
        let mut plugin = self
            .runtime
            .load(&stored.component)
            .await
            .map_err(|e| ServiceError::Bundle(format!("{name}@{version}: {e}")))?;
        if let Some(record) = self.store.plugin_record(&stored.hash).await?
            && let Some(grant) = super::plugins::grant_of(&record)?
        {
            plugin = self
                .runtime
                .with_limits(&plugin, grant.apply(self.runtime.limits()));
        }
        self.remember(plugin)
    }

    /// Where the tokens of survey links come from: the deployment's secret,
    /// made by the first process that needs it.
    pub async fn survey_links(&self) -> Result<Arc<SurveyLinks>, ServiceError> {
        self.survey_links
            .get_or_try_init(async || {
                let mut fresh = [0u8; 32];
                getrandom::fill(&mut fresh)
                    .map_err(|e| ServiceError::Busy(format!("no randomness for a key: {e}")))?;
                let key = self
                    .store
                    .secret(SurveyLinks::SECRET, &fresh, super::now())
                    .await?;
                let key = key.try_into().map_err(|_| {
                    ServiceError::Store(StoreError::Corrupt(
                        "the stored survey-link key is not 32 bytes".into(),
                    ))
                })?;
                Ok(Arc::new(SurveyLinks::new(key)))
            })
            .await
            .cloned()
    }

    /// A tenant's bundle.
    pub async fn bundle(&self, tenant: Uuid) -> Result<Arc<Bundle>, ServiceError> {
        if let Some(found) = self
            .bundles
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tenant)
            .filter(|c| self.max_age.is_none_or(|age| c.loaded.elapsed() < age))
        {
            return Ok(found.bundle.clone());
        }
        let evictions = self.evictions.load(Ordering::Acquire);
        let loaded = Instant::now();
        let record = self
            .store
            .tenant(tenant)
            .await?
            .ok_or(ServiceError::NotFound("tenant"))?;
        let mut kinds = BTreeMap::new();
        let mut configs: HashMap<String, Json> = HashMap::new();
        for binding in self.store.bindings(tenant).await? {
            let installed = self
                .installed(&binding.plugin_name, &binding.plugin_version)
                .await?;
            let Some(index) = installed
                .manifest()
                .kinds
                .iter()
                .position(|k| k.name == binding.kind)
            else {
                return Err(ServiceError::Bundle(format!(
                    "kind `{}` is bound to {}, which does not declare it",
                    binding.kind,
                    installed.label()
                )));
            };
            let config = match configs.get(&binding.plugin_name) {
                Some(config) => config.clone(),
                None => {
                    let config = self.effective_config(tenant, &installed).await?;
                    configs.insert(binding.plugin_name.clone(), config.clone());
                    config
                }
            };
            kinds.insert(
                binding.kind.clone(),
                Bound {
                    installed,
                    config,
                    kind: index,
                },
            );
        }
        let webhooks = self.store.webhooks(tenant).await?;
        let survey = match self.store.setting(tenant, super::surveys::SETTING).await? {
            Some(value) => serde_json::from_value(value)
                .map_err(|e| ServiceError::Bundle(format!("survey settings: {e}")))?,
            None => SurveySettings::default(),
        };
        let sla = super::sla::context(&self.store, &record).await?;
        let survey_links = self.survey_links().await?;
        let mut quarantined = HashMap::new();
        for health in self.store.health(tenant).await? {
            // A run of failures recorded by an earlier process (or another
            // replica) is ended by the next success here.
            if health.failures > 0
                && let Ok(hash) = health.plugin_hash.parse::<ContentHash>()
            {
                self.tally.seed((tenant, hash), health.failures);
            }
            if health.quarantined_at.is_some() {
                quarantined.insert(health.plugin_hash.clone(), health);
            }
        }
        let bundle = Arc::new(Bundle {
            tenant: record,
            kinds,
            webhooks,
            survey,
            survey_links,
            sla,
            quarantined,
        });
        let mut bundles = self.bundles.write().unwrap_or_else(PoisonError::into_inner);
        if self.evictions.load(Ordering::Acquire) == evictions {
            let cached = Cached {
                bundle: bundle.clone(),
                loaded,
            };
            bundles.insert(tenant, cached);
        }
        Ok(bundle)
    }

    /// The configuration a plugin receives for a tenant: its defaults with
    /// the tenant's overrides merged in.
    pub async fn effective_config(
        &self,
        tenant: Uuid,
        installed: &Installed,
    ) -> Result<Json, ServiceError> {
        let mut config = installed.manifest().default_config.clone();
        if let Some(overrides) = self
            .store
            .plugin_config(tenant, installed.plugin.name())
            .await?
        {
            aftersale_sdk::merge(&mut config, overrides);
        }
        Ok(Json::from(config))
    }

    /// After a change of the tenant's bindings, configuration, settings,
    /// webhooks or quarantines: forget its cached bundle here and tell the
    /// other replicas to. An announcement that cannot be made is logged;
    /// the others then reload within [`MAX_AGE`].
    pub async fn invalidate(&self, tenant: Uuid) {
        self.evict(tenant);
        self.announce(Announcement::Tenant(tenant)).await;
    }

    /// Forget a plugin version after its grant changed, and every bundle
    /// that holds it, here and in the other replicas; the next call loads
    /// it with the new limits.
    pub async fn forget_plugin(&self, name: &str, version: &str) {
        self.drop_plugin(name, version);
        let (name, version) = (name.to_string(), version.to_string());
        self.announce(Announcement::Plugin { name, version }).await;
    }

    /// What another replica announced, or that announcements were lost.
    pub fn hear(&self, heard: &Heard) {
        match heard {
            Heard::Announcement(Announcement::Tenant(tenant)) => self.evict(*tenant),
            Heard::Announcement(Announcement::Plugin { name, version }) => {
                self.drop_plugin(name, version)
            }
            Heard::Gap => self.evict_all(),
        }
    }

    /// Forget every cached bundle.
    pub fn evict_all(&self) {
        let mut bundles = self.bundles.write().unwrap_or_else(PoisonError::into_inner);
        self.evictions.fetch_add(1, Ordering::AcqRel);
        bundles.clear();
    }

    fn evict(&self, tenant: Uuid) {
        let mut bundles = self.bundles.write().unwrap_or_else(PoisonError::into_inner);
        self.evictions.fetch_add(1, Ordering::AcqRel);
        bundles.remove(&tenant);
    }

    fn drop_plugin(&self, name: &str, version: &str) {
        self.installed
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(name.to_string(), version.to_string()));
        self.evict_all();
    }

    async fn announce(&self, what: Announcement) {
        if let Err(e) = self.store.announce(&what).await {
            tracing::warn!(
                "other replicas were not told of `{what}` and may serve it for up to {} s: {e}",
                MAX_AGE.as_secs()
            );
        }
    }

    /// Forget a plugin version no tenant binds any more (after a bundle
    /// change moved off it): its schemas here and its compiled component in
    /// the runtime. Versions of the default bundle stay, since every new
    /// tenant starts on them. A later call that needs it loads it again.
    pub async fn release_unbound(&self, name: &str, version: &str) -> Result<(), ServiceError> {
        let default = self
            .defaults
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|b| b.plugin_name == name && b.plugin_version == version);
        if default || self.store.plugin_bound(name, version).await? {
            return Ok(());
        }
        let forgotten = self
            .installed
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(name.to_string(), version.to_string()));
        if let Some(installed) = forgotten {
            self.runtime.evict(installed.plugin.hash());
            tracing::debug!(plugin = name, version, "unbound plugin version unloaded");
        }
        Ok(())
    }

    /// Failures in a row per (tenant, plugin version).
    pub fn tally(&self) -> &Tally {
        &self.tally
    }
}
