//! The timer scheduler: claims due timers and fires them.

use tokio::sync::watch;

use super::{JobsConfig, pause};
use crate::service::Services;
use crate::service::timers::Fired;

pub async fn run(services: Services, config: JobsConfig, mut stopped: watch::Receiver<bool>) {
    loop {
        let claimed = tick(&services, &config).await;
        // A full batch means more are due: go on without sleeping.
        if claimed < config.batch as usize && !pause(config.tick, &mut stopped).await {
            return;
        }
        if *stopped.borrow() {
            return;
        }
    }
}

/// Claim and fire one batch; returns how many were claimed.
pub async fn tick(services: &Services, config: &JobsConfig) -> usize {
    let now = crate::service::now();
    let lease_until = now.checked_add(config.lease).unwrap_or(now);
    let due = match services
        .store
        .claim_timers(&config.owner, now, lease_until, config.batch)
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!("claiming timers: {e}");
            return 0;
        }
    };
    for timer in &due {
        match services.fire_timer(timer, &config.owner).await {
            Ok(Fired::Committed) => {
                metrics::counter!("timers_fired_total").increment(1);
            }
            Ok(Fired::Lost) => {
                tracing::info!("timer {} was taken over by another process", timer.id)
            }
            Ok(Fired::Orphaned) => tracing::warn!("timer {} has no ticket", timer.id),
            // The claim expires and the timer is tried again later.
            Err(e) => tracing::error!(
                "firing timer {} of ticket {}: {e}",
                timer.name,
                timer.ticket_id
            ),
        }
    }
    due.len()
}
