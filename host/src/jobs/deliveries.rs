//! Webhook delivery: claims due outbox entries, posts them signed, retries
//! with jittered exponential backoff and gives up into a dead-letter state.
//!
//! Deliveries run side by side, at most [`PARALLEL`] in this process and at
//! most [`PER_TENANT`] per tenant across every process, so a tenant whose
//! receiver never answers holds two lanes and everyone else keeps the rest.
//! A claim lasts one attempt's deadline plus the configured lease: no other
//! replica takes a delivery while its attempt can still be running.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::JobsConfig;
use super::egress::{Connector, Egress, Refused};
use crate::service::Services;
use crate::service::webhooks::signature;
use crate::store::{Attempt, Claim, Delivery, Webhook};

/// Deliveries in flight at once in this process.
pub const PARALLEL: usize = 8;
/// Deliveries of one tenant in flight at once, across every process.
pub const PER_TENANT: u32 = 2;
/// An attempt that takes longer than this, connecting and answering, has
/// failed.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a receiver's answer is read (and thrown away).
const ANSWER_LIMIT: usize = 16 * 1024;

/// When to try a failed delivery again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait after the first failure; doubles with every further one.
    pub first: Duration,
    /// Longest wait between attempts.
    pub max: Duration,
    /// Attempts before the delivery is dead.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(10),
            max: Duration::from_secs(3600),
            attempts: 10,
        }
    }
}

impl Backoff {
    /// The wait after `failures` failed attempts, or `None` to give up.
    pub fn after(&self, failures: u32) -> Option<Duration> {
        if failures >= self.attempts {
            return None;
        }
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        Some(self.first.saturating_mul(factor).min(self.max))
    }
}

type HttpsClient = Client<HttpsConnector<Connector>, Full<Bytes>>;

fn client(egress: Egress) -> Result<HttpsClient, std::io::Error> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .wrap_connector(Connector::new(egress));
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

pub async fn run(services: Services, config: JobsConfig, mut stopped: watch::Receiver<bool>) {
    let client = match client(config.egress.clone()) {
        Ok(client) => Arc::new(client),
        Err(e) => {
            tracing::error!("webhooks are off: no TLS roots: {e}");
            return;
        }
    };
    let mut running = JoinSet::new();
    loop {
        let room = PARALLEL - running.len();
        let claimed = if room > 0 {
            claim(&services, &config, room).await
        } else {
            Vec::new()
        };
        let more = claimed.len() == room;
        for delivery in claimed {
            let (services, client, config) = (services.clone(), client.clone(), config.clone());
            running.spawn(async move { deliver(&services, &client, &config, delivery).await });
        }
        if *stopped.borrow() {
            break;
        }
        // Claim again as soon as a lane frees, or when new work may be due.
        if !more || running.len() == PARALLEL {
            tokio::select! {
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = tokio::time::sleep(config.tick) => {}
                _ = stopped.changed() => {}
            }
        }
    }
    // Let the attempts under way finish, each within its deadline.
    while running.join_next().await.is_some() {}
}

async fn claim(services: &Services, config: &JobsConfig, room: usize) -> Vec<Delivery> {
    let now = crate::service::now();
    let lease = config.lease.saturating_add(TIMEOUT);
    let lease_until = now.checked_add(lease).unwrap_or(now);
    let limit = u32::try_from(room).unwrap_or(u32::MAX).min(config.batch);
    match services
        .store
        .claim_deliveries(&config.owner, now, lease_until, limit, PER_TENANT)
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!("claiming webhook deliveries: {e}");
            Vec::new()
        }
    }
}

async fn deliver(
    services: &Services,
    client: &HttpsClient,
    config: &JobsConfig,
    delivery: Delivery,
) {
    let claim = Claim {
        id: delivery.id,
        owner: config.owner.clone(),
    };
    let webhook = match services.store.webhooks(delivery.tenant_id).await {
        Ok(hooks) => hooks.into_iter().find(|w| w.id == delivery.webhook_id),
        Err(e) => {
            tracing::error!("reading webhooks: {e}");
            return;
        }
    };
    let attempt = match webhook {
        None => Attempt::Failed {
            error: "the webhook was deleted".into(),
            retry_at: None,
        },
        Some(webhook) => match send(client, &webhook, &delivery).await {
            Ok(()) => Attempt::Delivered {
                at: crate::service::now(),
            },
            Err(error) => {
                let failures = delivery.attempts + 1;
                let retry_at = config
                    .backoff
                    .after(failures)
                    .map(jitter)
                    .and_then(|wait| crate::service::now().checked_add(wait).ok());
                tracing::info!(
                    "webhook {} delivery {} failed (attempt {failures}): {}",
                    webhook.url,
                    delivery.id,
                    error.detail
                );
                Attempt::Failed {
                    error: error.shown,
                    retry_at,
                }
            }
        },
    };
    let outcome = match &attempt {
        Attempt::Delivered { .. } => "delivered",
        Attempt::Failed {
            retry_at: Some(_), ..
        } => "retry",
        Attempt::Failed { retry_at: None, .. } => "dead",
    };
    metrics::counter!("webhook_deliveries_total", "outcome" => outcome).increment(1);
    match services.store.finish_delivery(&claim, &attempt).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("delivery {} was taken over by another process", delivery.id),
        Err(e) => tracing::error!("recording delivery {}: {e}", delivery.id),
    }
}

/// Somewhere between half the wait and all of it, so receivers that failed
/// together are not retried together.
fn jitter(wait: Duration) -> Duration {
    let fraction = f64::from(getrandom::u32().unwrap_or(u32::MAX)) / f64::from(u32::MAX);
    wait.mul_f64(0.5 + fraction / 2.0)
}

/// Why an attempt failed: what the tenant sees in `last_error`, which says
/// nothing of the sockets behind its receiver, and what the log says.
struct Failure {
    shown: String,
    detail: String,
}

impl Failure {
    fn new(shown: impl Into<String>, detail: impl std::fmt::Display) -> Failure {
        Failure {
            shown: shown.into(),
            detail: detail.to_string(),
        }
    }
}

/// One signed POST within [`TIMEOUT`]; any answer but 2xx is a failure.
async fn send(client: &HttpsClient, webhook: &Webhook, delivery: &Delivery) -> Result<(), Failure> {
    let body = serde_json::to_vec(&delivery.payload)
        .map_err(|e| Failure::new("failed: the payload cannot be encoded", e))?;
    let timestamp = Timestamp::now().as_second();
    let request = Request::post(&webhook.url)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("aftersale/", env!("CARGO_PKG_VERSION")),
        )
        .header("x-aftersale-event-id", delivery.event_id.to_string())
        .header("x-aftersale-event-type", &delivery.event_type)
        .header("x-aftersale-delivery", delivery.id.to_string())
        .header(
            "x-aftersale-signature",
            signature(&webhook.secret, timestamp, &body),
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Failure::new("failed: the URL cannot be requested", e))?;
    let attempt = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| match Refused::find(&e) {
                Some(refused) => Failure::new(format!("refused: {refused}"), refused),
                None => Failure::new("failed: no connection to the receiver", format!("{e:?}")),
            })?;
        let status = response.status();
        // Read a little of the answer so the connection can be reused; a
        // longer one is cut off and the connection dropped.
        let _ = Limited::new(response.into_body(), ANSWER_LIMIT)
            .collect()
            .await;
        if status.is_success() {
            Ok(())
        } else {
            Err(Failure::new(
                format!("failed: the receiver answered {status}"),
                status,
            ))
        }
    };
    tokio::time::timeout(TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| {
            let shown = format!("failed: no answer within {} s", TIMEOUT.as_secs());
            Err(Failure::new(shown.clone(), shown))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_then_gives_up() {
        let b = Backoff {
            first: Duration::from_secs(10),
            max: Duration::from_secs(60),
            attempts: 5,
        };
        let waits: Vec<_> = (1..=5).map(|n| b.after(n).map(|d| d.as_secs())).collect();
        assert_eq!(waits, [Some(10), Some(20), Some(40), Some(60), None]);
    }

    #[test]
    fn jitter_keeps_between_half_and_all_of_the_wait() {
        let wait = Duration::from_secs(100);
        let jittered: Vec<_> = (0..200).map(|_| jitter(wait)).collect();
        assert!(jittered.iter().all(|j| *j >= wait / 2 && *j <= wait));
        let distinct: std::collections::BTreeSet<_> = jittered.iter().collect();
        assert!(
            distinct.len() > 100,
            "spread out: {} distinct",
            distinct.len()
        );
    }
}
