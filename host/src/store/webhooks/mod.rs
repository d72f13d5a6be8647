//! Webhooks and the outbox: each tenant's subscriptions, and one delivery per
//! event and webhook, claimed by the delivery job and finished by its holder.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::codec::{instant, parse};
use super::{Claim, StoreError};

/// A subscription of a tenant to event types.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub url: String,
    /// Key of the HMAC-SHA256 signature.
    pub secret: String,
    /// Event types, `*` for all.
    pub events: Vec<String>,
    pub created_at: Timestamp,
}

impl Webhook {
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event_type)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Given up after the last retry; an admin may retry it by hand.
    Dead,
}

/// One event for one webhook, from the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub webhook_id: Uuid,
    /// Receivers de-duplicate on this.
    pub event_id: Uuid,
    pub event_type: String,
    pub payload: Value,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// What happened to one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    Delivered {
        at: Timestamp,
    },
    /// Failed; try again at `retry_at`, or give up when `None`.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

/// Webhooks and their deliveries. Claims are leases: a process that dies
/// loses them when they expire, and only the holder of a claim can finish
/// the delivery.
#[async_trait]
pub trait Webhooks: Send + Sync {
    async fn create_webhook(&self, webhook: &Webhook) -> Result<(), StoreError>;
    async fn webhooks(&self, tenant: Uuid) -> Result<Vec<Webhook>, StoreError>;
    async fn delete_webhook(
        &self,
        tenant: Uuid,
        id: Uuid,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Deliveries of a tenant, newest first, optionally of one state.
    async fn deliveries(
        &self,
        tenant: Uuid,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Put a dead delivery back in the queue.
    async fn retry_delivery(
        &self,
        tenant: Uuid,
        id: Uuid,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Claim up to `limit` deliveries due at `now`, taking turns between
    /// tenants: no tenant ends up with more than `per_tenant` deliveries
    /// claimed at once (by any process), and the oldest of each tenant go
    /// first.
    async fn claim_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        per_tenant: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Record an attempt; `false` when the claim was lost.
    async fn finish_delivery(&self, claim: &Claim, attempt: &Attempt) -> Result<bool, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct WebhookRow {
    id: Uuid,
    tenant_id: Uuid,
    url: String,
    secret: String,
    events: Json<Vec<String>>,
    created_at: i64,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(r: WebhookRow) -> Result<Self, StoreError> {
        Ok(Webhook {
            id: r.id,
            tenant_id: r.tenant_id,
            url: r.url,
            secret: r.secret,
            events: r.events.0,
            created_at: instant(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct DeliveryRow {
    id: Uuid,
    tenant_id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid,
    event_type: String,
    payload: Json<Value>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(Delivery {
            id: r.id,
            tenant_id: r.tenant_id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            event_type: r.event_type,
            payload: r.payload.0,
            state: parse::<DeliveryState>(&r.state, "delivery state")?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            next_attempt_at: instant(r.next_attempt_at)?,
            last_error: r.last_error,
            created_at: instant(r.created_at)?,
            delivered_at: r.delivered_at.map(instant).transpose()?,
        })
    }
}

pub(in crate::store) fn state_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Dead => "dead",
    }
}
