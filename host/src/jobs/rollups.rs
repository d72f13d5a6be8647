//! Keeps the daily metric rollups current.

use tokio::sync::watch;

use super::{JobsConfig, pause};
use crate::service::Services;

pub async fn run(services: Services, config: JobsConfig, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(e) = services.refresh_rollups().await {
            tracing::error!("refreshing metric rollups: {e}");
        }
        if !pause(config.rollup_every, &mut stopped).await {
            return;
        }
    }
}
