//! Background work of a host: firing due timers, delivering webhooks,
//! keeping metric rollups current, purging what is kept only for a while,
//! and hearing what the other replicas changed.
//!
//! Every job claims its work in the database with a lease, so any number of
//! replicas can run them side by side: a timer fires once, a delivery is
//! attempted by one process at a time, and a process that dies only delays
//! work until its leases expire.

mod deliveries;
mod egress;
mod replicas;
pub mod retention;
mod rollups;
mod timers;

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::service::Services;

pub use deliveries::{Backoff, PARALLEL, PER_TENANT};
pub use egress::Egress;

/// Settings of the background jobs.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// Name of this process in claims; unique per replica.
    pub owner: String,
    /// How long a claim lasts before another process may take the work.
    pub lease: Duration,
    /// How often to look for due timers and deliveries when idle.
    pub tick: Duration,
    /// Most items claimed at once.
    pub batch: u32,
    /// Webhook retries.
    pub backoff: Backoff,
    /// How often metric rollups are brought up to date.
    pub rollup_every: Duration,
    /// Where webhooks may connect besides public addresses.
    pub egress: Egress,
    /// How often expired records are purged.
    pub purge_every: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            owner: format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()),
            lease: Duration::from_secs(30),
            tick: Duration::from_millis(500),
            batch: 100,
            backoff: Backoff::default(),
            rollup_every: Duration::from_secs(5),
            egress: Egress::default(),
            purge_every: Duration::from_secs(600),
        }
    }
}

/// The running jobs; dropping the handle does not stop them, [`Jobs::stop`]
/// does.
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Start every job.
    pub fn start(services: Services, config: JobsConfig) -> Jobs {
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(timers::run(
                services.clone(),
                config.clone(),
                stopped.clone(),
            )),
            tokio::spawn(deliveries::run(
                services.clone(),
                config.clone(),
                stopped.clone(),
            )),
            tokio::spawn(rollups::run(
                services.clone(),
                config.clone(),
                stopped.clone(),
            )),
            tokio::spawn(replicas::run(services.clone(), stopped.clone())),
            tokio::spawn(retention::run(services, config, stopped)),
        ];
        Jobs { stop, tasks }
    }

    /// Ask every job to finish its current item and wait for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Sleep for `period` unless asked to stop; `false` means stop.
async fn pause(period: Duration, stopped: &mut watch::Receiver<bool>) -> bool {
    if *stopped.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(period) => true,
        _ = stopped.changed() => !*stopped.borrow(),
    }
}
