//! Firing a due timer: the plugin's `on-timer` (or the host's SLA
//! thresholds) decides, and the firing commits with the claim that allows it,
//! so a timer fires once however many schedulers run.

use aftersale_sdk::{self as c};
use serde_json::json;

use super::change::Change;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::Actor;
use crate::domain::EventData;
use crate::plugins::Hook;
use crate::store::{Claim, StoreError, Timer};

/// How a firing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    /// Committed by this process.
    Committed,
    /// Another process took the timer over (its claim expired here).
    Lost,
    /// The ticket is gone; the timer was dropped.
    Orphaned,
}

impl Services {
    /// Fire a timer this process claimed as `owner`.
    pub async fn fire_timer(&self, timer: &Timer, owner: &str) -> Result<Fired, ServiceError> {
        let claim = Claim {
            id: timer.id,
            owner: owner.to_string(),
        };
        let caller = Caller::system(timer.tenant_id);
        // A change of the ticket between reading and committing is retried;
        // the claim keeps other schedulers away meanwhile.
        for _ in 0..3 {
            let Some(ticket) = self.store.ticket(timer.tenant_id, timer.ticket_id).await? else {
                return Ok(Fired::Orphaned);
            };
            let bundle = self.catalog.bundle(timer.tenant_id).await?;
            let history = self.store.events(timer.tenant_id, timer.ticket_id).await?;
            let mut change = Change::new(self, &bundle, super::now());
            let slot = change.open(ticket, history);
            change.fire(claim.clone());
            if timer.name.starts_with(super::sla::TIMER_PREFIX) {
                self.sla_threshold(&mut change, slot, timer).await?;
            } else {
                self.plugin_timer(&mut change, slot, timer, &caller).await?;
            }
            match self.store.commit(&change.into_commit(None).await?).await {
                Ok(()) => return Ok(Fired::Committed),
                Err(StoreError::Conflict { .. }) => continue,
                Err(StoreError::ClaimLost(_)) => return Ok(Fired::Lost),
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::StaleVersion { current: -1 })
    }

    /// Hand a plugin's own timer back to the plugin that owns the ticket.
    async fn plugin_timer(
        &self,
        change: &mut Change<'_>,
        slot: usize,
        timer: &Timer,
        caller: &Caller,
    ) -> Result<(), ServiceError> {
        let kind = change.ticket(slot).kind.clone();
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let installed = bundle.kind(&kind)?.installed.clone();
        let system = Actor::system();
        change.record(
            slot,
            &system,
            Some(installed.label()),
            EventData::TimerFired {
                name: timer.name.clone(),
                due: timer.due_at,
            },
        );
        let fired = c::FiredTimer {
            name: timer.name.clone(),
            due: timer.due_at,
            payload: c::Json::from(timer.payload.clone()),
        };
        let snapshot = change.snapshot(slot, &system).await?;
        match change
            .call(
                &installed,
                Hook::OnTimer,
                Some(timer.ticket_id),
                self.runtime.on_timer(&installed.plugin, &snapshot, &fired),
            )
            .await
        {
            Ok(called) => {
                change
                    .apply(slot, called.value, &installed, Hook::OnTimer, 0)
                    .await
            }
            // A timer is not a request anyone waits on: a failing plugin must
            // not make it fire again and again. Record the failure instead.
            Err(error) if error.is_plugin_failure() => {
                tracing::warn!(
                    "timer {} of ticket {}: {error}",
                    timer.name,
                    timer.ticket_id
                );
                let failure = match &error {
                    ServiceError::PluginFailed(e) => json!(e.failure),
                    _ => json!({"cause": "quarantined", "detail": error.to_string()}),
                };
                change.record(
                    slot,
                    &system,
                    Some(installed.label()),
                    EventData::PluginEffect {
                        effect: json!({
                            "effect": "on_timer_failed",
                            "timer": timer.name,
                            "failure": failure,
                        }),
                    },
                );
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}
