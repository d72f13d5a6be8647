//! Webhooks: a tenant's subscriptions, the outbox entries a change writes,
//! and how a delivery is signed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::Sha256;
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::Event;
use crate::domain::access::Permission;
use crate::domain::part::StockLow;
use crate::store::{Delivery, DeliveryState, Webhook};

/// Event types a webhook can subscribe to, beside `*`.
pub const EVENT_TYPES: &[&str] = &[
    "created",
    "transitioned",
    "attribute_set",
    "priority_set",
    "assigned",
    "team_set",
    "escalated",
    "dispatched",
    "part_moved",
    "part_back_ordered",
    "stock_low",
    "commented",
    "attached",
    "linked",
    "plugin_effect",
    "notification",
    "timer_fired",
    "sla_warning",
    "sla_breached",
    "survey_issued",
    "survey_answered",
];

/// The JSON a receiver gets for a ticket event.
pub fn payload(event: &Event) -> Value {
    json!({
        "id": event.id,
        "type": event.data.kind(),
        "tenant_id": event.tenant_id,
        "ticket_id": event.ticket_id,
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "plugin": event.plugin,
        "data": event.data.to_json(),
    })
}

/// Outbox entries for `events`: one per event and webhook that wants it.
pub fn deliveries(webhooks: &[Webhook], events: &[Event], now: Timestamp) -> Vec<Delivery> {
    let mut out = Vec::new();
    for event in events {
        let kind = event.data.kind();
        for webhook in webhooks.iter().filter(|w| w.wants(kind)) {
            out.push(Delivery {
                id: Uuid::now_v7(),
                tenant_id: event.tenant_id,
                webhook_id: webhook.id,
                event_id: event.id,
                event_type: kind.to_string(),
                payload: payload(event),
                state: DeliveryState::Pending,
                attempts: 0,
                next_attempt_at: now,
                last_error: None,
                created_at: now,
                delivered_at: None,
            });
        }
    }
    out
}

/// Outbox entries for a `stock_low` alert, which belongs to no ticket.
pub fn stock_low(webhooks: &[Webhook], alert: &StockLow, now: Timestamp) -> Vec<Delivery> {
    let payload = json!({
        "id": alert.id,
        "type": "stock_low",
        "tenant_id": alert.tenant_id,
        "ticket_id": alert.ticket,
        "at": alert.at,
        "data": alert,
    });
    webhooks
        .iter()
        .filter(|w| w.wants("stock_low"))
        .map(|webhook| Delivery {
            id: Uuid::now_v7(),
            tenant_id: alert.tenant_id,
            webhook_id: webhook.id,
            event_id: alert.id,
            event_type: "stock_low".into(),
            payload: payload.clone(),
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            delivered_at: None,
        })
        .collect()
}

/// `X-Aftersale-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
/// The timestamp inside the signed text lets a receiver refuse replays.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={digest}")
}

impl Services {
    /// Subscribe `url` to event types; the secret signs every delivery and is
    /// shown only here.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        url: &str,
        events: Vec<String>,
    ) -> Result<Webhook, ServiceError> {
        caller.may(Permission::ManageWebhooks)?;
        let parsed: hyper::Uri = url
            .parse()
            .map_err(|e| ServiceError::Invalid(format!("`{url}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
            return Err(ServiceError::Invalid(format!(
                "`{url}` is not an http(s) URL"
            )));
        }
        if events.is_empty() {
            return Err(ServiceError::Invalid(
                "subscribe to at least one event type, or `*`".into(),
            ));
        }
        if let Some(unknown) = events
            .iter()
            .find(|e| e.as_str() != "*" && !EVENT_TYPES.contains(&e.as_str()))
        {
            return Err(ServiceError::Invalid(format!(
                "unknown event type `{unknown}`; known: {}",
                EVENT_TYPES.join(", ")
            )));
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| ServiceError::Invalid(format!("no randomness available: {e}")))?;
        let webhook = Webhook {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            url: url.to_string(),
            secret: format!("whsec_{}", URL_SAFE_NO_PAD.encode(key)),
            events,
            created_at: super::now(),
        };
        self.store.create_webhook(&webhook).await?;
        self.catalog.invalidate(caller.tenant_id).await;
        let detail = json!({"url": webhook.url, "events": webhook.events});
        self.record(caller, "webhook.create", webhook.id, detail)
            .await;
        Ok(webhook)
    }

    pub async fn webhooks(&self, caller: &Caller) -> Result<Vec<Webhook>, ServiceError> {
        caller.may(Permission::ManageWebhooks)?;
        Ok(self.store.webhooks(caller.tenant_id).await?)
    }

    pub async fn delete_webhook(&self, caller: &Caller, id: Uuid) -> Result<(), ServiceError> {
        caller.may(Permission::ManageWebhooks)?;
        if !self
            .store
            .delete_webhook(caller.tenant_id, id, super::now())
            .await?
        {
            return Err(ServiceError::NotFound("webhook"));
        }
        self.catalog.invalidate(caller.tenant_id).await;
        self.record(caller, "webhook.delete", id, json!({})).await;
        Ok(())
    }

    /// Recent deliveries, e.g. the dead ones.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<Delivery>, ServiceError> {
        caller.may(Permission::ManageWebhooks)?;
        Ok(self
            .store
            .deliveries(caller.tenant_id, state, limit.clamp(1, 500))
            .await?)
    }

    /// Send a dead delivery again.
    pub async fn retry_delivery(&self, caller: &Caller, id: Uuid) -> Result<(), ServiceError> {
        caller.may(Permission::ManageWebhooks)?;
        if self
            .store
            .retry_delivery(caller.tenant_id, id, super::now())
            .await?
        {
            self.record(caller, "webhook.retry", id, json!({})).await;
            Ok(())
        } else {
            Err(ServiceError::NotFound("dead delivery"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_the_timestamp_and_the_body() {
        let a = signature("whsec_x", 1_700_000_000, b"{\"id\":1}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("whsec_x", 1_700_000_001, b"{\"id\":1}"));
        assert_ne!(a, signature("whsec_y", 1_700_000_000, b"{\"id\":1}"));
        assert_ne!(a, signature("whsec_x", 1_700_000_000, b"{\"id\":2}"));
    }
}
