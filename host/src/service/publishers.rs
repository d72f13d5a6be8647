//! The plugin namespace: publishers the operator issues keys to, their
//! quotas, who owns a plugin name, and publishing a private upload to the
//! tenants.
//!
//! A name belongs to whoever installed its first version: the operator
//! (and the embedded first-party plugins), or one publisher. The
//! first-party names are reserved even before they are installed. A
//! publisher's upload is private to it until the operator publishes it.

use uuid::Uuid;

use super::Services;
use super::error::ServiceError;
use super::plugins::{PluginDetails, Viewer, conflict, installed_log, upload_of};
use super::tenants::{new_token, token_hash};
use crate::plugins::ContentHash;
use crate::store::{Admission, NameOwner, Publisher, PublisherUsage, Quota, StoreError};

/// Plugin versions a publisher may store unless the operator says
/// otherwise.
pub const DEFAULT_MAX_PLUGINS: u64 = 20;
/// Component bytes a publisher may store unless the operator says
/// otherwise: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// Prefix of every publisher key, so a leaked one is easy to recognise
/// (and told apart from a tenant's `ask_` key).
const TOKEN_PREFIX: &str = "apk_";

/// A new publisher and the only copy of its key.
#[derive(Debug, Clone)]
pub struct IssuedPublisher {
    pub publisher: Publisher,
    pub key: String,
}

impl Services {
    /// Issue a publisher key (operator). Quotas left out are the defaults.
    pub async fn create_publisher(
        &self,
        name: &str,
        max_plugins: Option<u64>,
        max_bytes: Option<u64>,
    ) -> Result<IssuedPublisher, ServiceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::Invalid("a publisher needs a name".into()));
        }
        let key = new_token(TOKEN_PREFIX)?;
        let publisher = Publisher {
            id: Uuid::now_v7(),
            name: name.to_string(),
            quota: Quota {
                max_plugins: max_plugins.unwrap_or(DEFAULT_MAX_PLUGINS),
                max_bytes: max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
            },
            created_at: super::now(),
            revoked_at: None,
        };
        self.store
            .create_publisher(&publisher, &token_hash(&key))
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(what) => ServiceError::Invalid(what),
                other => other.into(),
            })?;
        tracing::info!(publisher = %publisher.name, id = %publisher.id, "publisher key issued");
        Ok(IssuedPublisher { publisher, key })
    }

    /// Every publisher with what it stores (operator).
    pub async fn publishers(&self) -> Result<Vec<PublisherUsage>, ServiceError> {
        Ok(self.store.publishers().await?)
    }

    /// Revoke a publisher's key (operator). Its plugins stay installed, and
    /// its names stay its own.
    pub async fn revoke_publisher(&self, id: Uuid) -> Result<(), ServiceError> {
        if self.store.revoke_publisher(id, super::now()).await? {
            tracing::info!(publisher = %id, "publisher key revoked");
            Ok(())
        } else {
            Err(ServiceError::NotFound("publisher"))
        }
    }

    /// Make a plugin version visible to every tenant, so they may bind it
    /// (operator).
    pub async fn publish_plugin(&self, id: &str) -> Result<PluginDetails, ServiceError> {
        let record = self.find_plugin(&Viewer::Operator, id).await?;
        if record.published_at.is_none() {
            self.store.publish(&record.hash, super::now()).await?;
            tracing::info!(plugin = %record.name, version = %record.version, "plugin published");
        }
        self.plugin_details(&Viewer::Operator, &record.hash).await
    }

    /// Install a publisher's upload, private to it. The cheap checks come
    /// before the component is compiled (the key, the quota by count and
    /// size), the name checks as soon as the manifest names it, and the
    /// store checks name and quota once more as it inserts.
    pub(super) async fn install_as_publisher(
        &self,
        publisher: Uuid,
        bytes: &[u8],
    ) -> Result<(PluginDetails, bool), ServiceError> {
        let publisher = self
            .store
            .publisher(publisher)
            .await?
            .filter(|p| p.revoked_at.is_none())
            .ok_or_else(|| ServiceError::Forbidden("the publisher key is revoked".into()))?;
        let hash = ContentHash::of(bytes);
        let before = self.store.plugin_record(&hash.to_string()).await?;
        if before
            .as_ref()
            .is_some_and(|r| r.publisher_id == Some(publisher.id))
        {
            // Its own bytes again: nothing to compile, nothing counted.
            return Ok((self.uploaded(&hash).await?, false));
        }
        let stored_before = before.is_some();
        if !stored_before {
            let usage = self.store.usage(publisher.id).await?;
            let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            publisher
                .quota
                .admits(usage, size)
                .map_err(|e| ServiceError::QuotaExceeded {
                    quota: e.quota,
                    usage: e.usage,
                    limit: e.limit,
                })?;
        }
        let plugin = self.load_upload(bytes, stored_before).await?;
        let name = plugin.name().to_string();
        let refused = |error: ServiceError| {
            self.discard(hash, stored_before);
            error
        };
        if self.catalog.reserved(&name) {
            return Err(refused(ServiceError::PluginNameReserved { name }));
        }
        if let Some(owner) = self.store.name_owner(&name).await?
            && owner != NameOwner::Publisher(publisher.id)
        {
            return Err(refused(ServiceError::PluginNameTaken { name }));
        }
        let stored = upload_of(&plugin, bytes, Some(publisher.id), None);
        let created = match self
            .store
            .put_publisher_plugin(&stored, &publisher.quota)
            .await
        {
            Ok(Admission::Stored) => {
                installed_log(&plugin, &format!("publisher {}", publisher.name));
                true
            }
            Ok(Admission::Present) => false,
            Ok(Admission::NameTaken(_)) => {
                return Err(refused(ServiceError::PluginNameTaken { name }));
            }
            Ok(Admission::OverQuota(e)) => {
                return Err(refused(ServiceError::QuotaExceeded {
                    quota: e.quota,
                    usage: e.usage,
                    limit: e.limit,
                }));
            }
            Err(e) => return Err(refused(conflict(e))),
        };
        Ok((self.uploaded(&hash).await?, created))
    }

    /// What the publisher that uploaded a version is shown of it: the
    /// version, without any tenant's health record.
    async fn uploaded(&self, hash: &ContentHash) -> Result<PluginDetails, ServiceError> {
        let mut details = self
            .plugin_details(&Viewer::Operator, &hash.to_string())
            .await?;
        details.health.clear();
        Ok(details)
    }
}
