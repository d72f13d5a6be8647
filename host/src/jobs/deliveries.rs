//! Webhook delivery: claims due outbox entries, posts them signed, retries
//! with exponential backoff and gives up into a dead-letter state.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{JobsConfig, pause};
use crate::service::Services;
use crate::service::webhooks::signature;
use crate::store::{Attempt, Claim, Delivery, Webhook};

/// Deliveries in flight at once.
const PARALLEL: usize = 8;
/// A receiver that takes longer than this has failed the attempt.
const TIMEOUT: Duration = Duration::from_secs(10);

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

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

fn client() -> Result<HttpsClient, std::io::Error> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

pub async fn run(services: Services, config: JobsConfig, mut stopped: watch::Receiver<bool>) {
    let client = match client() {
        Ok(client) => Arc::new(client),
        Err(e) => {
            tracing::error!("webhooks are off: no TLS roots: {e}");
            return;
        }
    };
    loop {
        let claimed = tick(&services, &config, &client).await;
        if claimed < config.batch as usize && !pause(config.tick, &mut stopped).await {
            return;
        }
        if *stopped.borrow() {
            return;
        }
    }
}

async fn tick(services: &Services, config: &JobsConfig, client: &Arc<HttpsClient>) -> usize {
    let now = crate::service::now();
    let lease_until = now.checked_add(config.lease).unwrap_or(now);
    let due = match services
        .store
        .claim_deliveries(&config.owner, now, lease_until, config.batch)
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!("claiming webhook deliveries: {e}");
            return 0;
        }
    };
    let claimed = due.len();
    let mut running = JoinSet::new();
    for delivery in due {
        if running.len() >= PARALLEL {
            running.join_next().await;
        }
        let (services, client, config) = (services.clone(), client.clone(), config.clone());
        running.spawn(async move { deliver(&services, &client, &config, delivery).await });
    }
    while running.join_next().await.is_some() {}
    claimed
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
                    .and_then(|wait| crate::service::now().checked_add(wait).ok());
                tracing::info!(
                    "webhook {} delivery {} failed (attempt {failures}): {error}",
                    webhook.url,
                    delivery.id
                );
                Attempt::Failed { error, retry_at }
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

/// One signed POST; any answer but 2xx is a failure.
async fn send(client: &HttpsClient, webhook: &Webhook, delivery: &Delivery) -> Result<(), String> {
    let body = serde_json::to_vec(&delivery.payload).map_err(|e| e.to_string())?;
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
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let response = tokio::time::timeout(TIMEOUT, client.request(request))
        .await
        .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
        .map_err(|e| format!("{e}"))?;
    let status = response.status();
    // Read (and drop) the body so the connection can be reused.
    let _ = tokio::time::timeout(TIMEOUT, response.into_body().collect()).await;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {status}"))
    }
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
}
