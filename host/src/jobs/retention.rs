//! Deletes what is kept only for a while: idempotency records after a day,
//! delivered webhook deliveries after 30 days, invitations once expired.

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use super::{JobsConfig, pause};
use crate::service::Services;
use crate::store::{Expired, Purged};

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY: SignedDuration = SignedDuration::from_hours(24);
/// How long a delivered delivery stays in the delivery log.
pub const DELIVERED: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Rows of each kind deleted per statement, so no purge holds the writer
/// for long.
const CHUNK: u32 = 1_000;

/// The moments before which each kind goes, at `now`.
pub fn expired(now: Timestamp) -> Expired {
    let before = |age: SignedDuration| now.checked_sub(age).unwrap_or(Timestamp::MIN);
    Expired {
        idempotency: before(IDEMPOTENCY),
        delivered: before(DELIVERED),
        invites: now,
    }
}

pub async fn run(services: Services, config: JobsConfig, mut stopped: watch::Receiver<bool>) {
    loop {
        match purge(&services, crate::service::now(), &stopped).await {
            Ok(purged) if purged != Purged::default() => tracing::info!(
                "purged {} idempotency records, {} delivered deliveries, {} expired invitations",
                purged.idempotency,
                purged.deliveries,
                purged.invites
            ),
            Ok(_) => {}
            Err(e) => tracing::error!("purging expired records: {e}"),
        }
        if !pause(config.purge_every, &mut stopped).await {
            return;
        }
    }
}

/// Purge in chunks until nothing old is left (or the host stops).
pub async fn purge(
    services: &Services,
    now: Timestamp,
    stopped: &watch::Receiver<bool>,
) -> Result<Purged, crate::store::StoreError> {
    let expired = expired(now);
    let mut total = Purged::default();
    loop {
        let purged = services.store.purge(&expired, CHUNK).await?;
        total.idempotency += purged.idempotency;
        total.deliveries += purged.deliveries;
        total.invites += purged.invites;
        if !purged.full(CHUNK) || *stopped.borrow() {
            return Ok(total);
        }
    }
}
