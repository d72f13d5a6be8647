//! Hearing the other replicas: what they announce they changed is evicted
//! from this process's caches as it is announced. While the listener is
//! disconnected announcements are lost, so after a gap everything cached is
//! evicted. On SQLite there is nobody to hear and the job ends at once.

use std::time::Duration;

use tokio::sync::watch;

use super::pause;
use crate::service::Services;
use crate::store::announce::Heard;

/// How long to wait before listening again after the database refused.
const RETRY: Duration = Duration::from_secs(1);

pub async fn run(services: Services, mut stopped: watch::Receiver<bool>) {
    loop {
        let mut listener = match services.store.listen().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("cannot listen for other replicas' changes: {e}");
                if !pause(RETRY, &mut stopped).await {
                    return;
                }
                continue;
            }
        };
        // Whatever was announced before this listener began is unknown.
        services.catalog.hear(&Heard::Gap);
        loop {
            let heard = tokio::select! {
                heard = listener.next() => heard,
                _ = stopped.changed() => return,
            };
            match heard {
                Ok(heard) => services.catalog.hear(&heard),
                Err(e) => {
                    tracing::warn!("lost the other replicas' announcements: {e}");
                    services.catalog.hear(&Heard::Gap);
                    break;
                }
            }
        }
        if !pause(RETRY, &mut stopped).await {
            return;
        }
    }
}
