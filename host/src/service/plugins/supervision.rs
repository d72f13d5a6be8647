//! Supervision: each tenant's failures of a plugin version in a row are
//! counted (in batches, see [`tally`](super::tally)), a version that keeps
//! failing is quarantined for the tenant, and the quarantine is announced on
//! the ticket whose call tipped it over.

use std::future::Future;
use std::time::Instant;

use jiff::Timestamp;
use uuid::Uuid;

use super::tally::{Key, Write};
use crate::domain::Actor;
use crate::domain::EventData;
use crate::plugins::{Failure, Plugin, PluginError};
use crate::service::catalog::{Bundle, Installed};
use crate::service::change::Change;
use crate::service::error::ServiceError;
use crate::service::{Caller, Services};
use crate::store::Health;

impl Services {
    /// The health of every plugin version that failed for the caller's
    /// tenant.
    pub async fn tenant_health(&self, caller: &Caller) -> Result<Vec<Health>, ServiceError> {
        Ok(self.store.health(caller.tenant_id).await?)
    }

    /// Run one hook call of `installed` for the tenant of `bundle` under
    /// supervision: a quarantined version fails closed without running, a
    /// failure is counted, a success ends a run of failures. `ticket` is the
    /// ticket the call decides about, where the quarantine is announced.
    pub(in crate::service) async fn supervised<T>(
        &self,
        bundle: &Bundle,
        installed: &Installed,
        ticket: Option<Uuid>,
        call: impl Future<Output = Result<T, PluginError>>,
    ) -> Result<T, ServiceError> {
        if let Some(health) = bundle.quarantine(installed.plugin.hash()) {
            return Err(quarantined(installed, health));
        }
        let result = call.await;
        self.observe(bundle, installed, ticket, result).await
    }

    /// Count the outcome of a call of `installed` (or of what its answer
    /// asked for) towards its health for the tenant, quarantining a version
    /// that failed too often in a row.
    pub(in crate::service) async fn observe<T>(
        &self,
        bundle: &Bundle,
        installed: &Installed,
        ticket: Option<Uuid>,
        result: Result<T, PluginError>,
    ) -> Result<T, ServiceError> {
        let key = (bundle.tenant.id, installed.plugin.hash());
        let tally = self.catalog.tally();
        match result {
            Ok(value) => {
                if tally.succeed(key) {
                    let turn = tally.turn(key);
                    let _turn = turn.lock().await;
                    self.store
                        .record_success(key.0, &key.1.to_string(), crate::service::now())
                        .await?;
                }
                Ok(value)
            }
            Err(error) if counts(&error.failure) => {
                match tally.fail(key, error.failure.code(), self.threshold(), Instant::now()) {
                    Write::Coming => {}
                    Write::After(wait) if wait.is_zero() => {
                        self.write_failures(key, &installed.plugin, ticket).await?;
                    }
                    Write::After(wait) => {
                        let services = self.clone();
                        let plugin = installed.plugin.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(wait).await;
                            if let Err(e) = services.write_failures(key, &plugin, None).await {
                                tracing::warn!(
                                    plugin = plugin.name(),
                                    version = plugin.version(),
                                    "cannot record the plugin's failures: {e}"
                                );
                            }
                        });
                    }
                }
                Err(ServiceError::PluginFailed(error))
            }
            Err(error) => Err(ServiceError::PluginFailed(error)),
        }
    }

    /// Failures in a row that quarantine a version (at least one).
    fn threshold(&self) -> u32 {
        self.supervision.quarantine_after.max(1)
    }

    /// Write the failures of `key` counted since the last write, on the
    /// record's turn; quarantine the version when they reach the threshold
    /// and announce it on `ticket`.
    async fn write_failures(
        &self,
        key: Key,
        plugin: &Plugin,
        ticket: Option<Uuid>,
    ) -> Result<(), ServiceError> {
        let (tenant, hash) = key;
        let tally = self.catalog.tally();
        let turn = tally.turn(key);
        let _turn = turn.lock().await;
        let Some(batch) = tally.take(key) else {
            return Ok(());
        };
        let threshold = self.threshold();
        let written = self
            .store
            .record_failure(
                tenant,
                &hash.to_string(),
                batch.cause,
                batch.count,
                threshold,
                crate::service::now(),
            )
            .await;
        let health = match written {
            Ok(health) => health,
            Err(e) => {
                tally.put_back(key, batch);
                return Err(e.into());
            }
        };
        tally.written(key, health.failures, Instant::now());
        let before = health.failures.saturating_sub(batch.count);
        if health.quarantined_at.is_some() && before < threshold && health.failures >= threshold {
            self.catalog.invalidate(tenant).await;
            tracing::warn!(
                plugin = plugin.name(),
                version = plugin.version(),
                %tenant,
                "quarantined after {} failures in a row: last {}",
                health.failures,
                batch.cause
            );
            if let Some(ticket) = ticket {
                self.announce_quarantine(tenant, ticket, plugin, &health)
                    .await;
            }
        }
        Ok(())
    }

    /// Record `plugin_quarantined` on the ticket whose call tipped the
    /// plugin over, so the timeline shows it and webhooks deliver it.
    async fn announce_quarantine(
        &self,
        tenant: Uuid,
        ticket: Uuid,
        plugin: &Plugin,
        health: &Health,
    ) {
        for _ in 0..3 {
            let result: Result<(), ServiceError> = async {
                let bundle = self.catalog.bundle(tenant).await?;
                let current = self
                    .store
                    .ticket(tenant, ticket)
                    .await?
                    .ok_or(ServiceError::NotFound("ticket"))?;
                let history = self.store.events(tenant, ticket).await?;
                let mut change = Change::new(self, &bundle, crate::service::now());
                let slot = change.open(current, history);
                change.record(
                    slot,
                    &Actor::system(),
                    Some(format!("{}@{}", plugin.name(), plugin.version())),
                    EventData::PluginQuarantined {
                        plugin: plugin.name().to_string(),
                        version: plugin.version().to_string(),
                        hash: health.plugin_hash.clone(),
                        failures: health.failures,
                        cause: health.last_failure.clone().unwrap_or_default(),
                    },
                );
                Ok(self.store.commit(&change.into_commit(None).await?).await?)
            }
            .await;
            match result {
                Ok(()) => return,
                Err(ServiceError::Changed) => continue,
                Err(e) => {
                    tracing::error!("cannot record the quarantine on ticket {ticket}: {e}");
                    return;
                }
            }
        }
    }
}

/// Failures that are the plugin's own doing. An oversized snapshot, a
/// runtime shutting down or a call that found no free slot is the host's (or
/// the tenant's load), and says nothing of the plugin.
fn counts(failure: &Failure) -> bool {
    !matches!(
        failure,
        Failure::InputTooLarge { .. } | Failure::Instantiation { .. } | Failure::Busy { .. }
    )
}

fn quarantined(installed: &Installed, health: &Health) -> ServiceError {
    ServiceError::Quarantined {
        plugin: installed.plugin.name().to_string(),
        version: installed.plugin.version().to_string(),
        hash: health.plugin_hash.clone(),
        since: health.quarantined_at.unwrap_or(Timestamp::UNIX_EPOCH),
        cause: health.last_failure.clone(),
    }
}
