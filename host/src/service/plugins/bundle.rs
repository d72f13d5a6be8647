//! A tenant's bundle (which plugin version owns each ticket kind) and its
//! configuration of each bound plugin.

use serde_json::{Value, json};

use crate::domain::access::Permission;
use crate::service::error::ServiceError;
use crate::service::{Caller, Services};
use crate::store::Binding;

impl Services {
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
        caller.may(Permission::ManagePlugins)?;
        let now = crate::service::now();
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
        self.catalog.invalidate(caller.tenant_id).await;
        for b in &checked {
            let was = before
                .iter()
                .find(|old| old.kind == b.kind)
                .map(|old| format!("{}@{}", old.plugin_name, old.plugin_version));
            let now = format!("{}@{}", b.plugin_name, b.plugin_version);
            self.record(
                caller,
                "bundle.bind",
                &b.kind,
                json!({"from": was, "to": now}),
            )
            .await;
        }
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
        caller.may(Permission::ManagePlugins)?;
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
            .set_plugin_config(caller.tenant_id, plugin, &overrides, crate::service::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id).await;
        // The names of the fields set, not their values: a configuration
        // may hold a partner's credentials.
        let fields: Vec<&String> = overrides
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .collect();
        self.record(caller, "plugin.config", plugin, json!({"fields": fields}))
            .await;
        Ok(merged)
    }
}
