//! Records of service levels and what runs in the background: settings,
//! calendars and SLA policies, timers and webhook deliveries claimed by
//! schedulers, per-ticket metric facts and their daily rollups, surveys.

pub(super) mod rows;
mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use super::{StoreError, Timer};

/// A tenant's SLA target overriding a plugin's default. `None` matches any
/// kind or priority.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    pub kind: Option<String>,
    pub priority: Option<aftersale_sdk::Priority>,
    pub metric: aftersale_sdk::SlaMetric,
    pub minutes: u32,
    pub business_time: bool,
}

/// Proof that a scheduler holds a timer or a delivery for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: Uuid,
    pub owner: String,
}

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

/// A satisfaction survey of a resolved ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ticket_id: Uuid,
    /// What the customer's link is looked up by: the SHA-256 (hex) of its
    /// token, or the token itself for a link issued before tokens were kept
    /// hashed. A current token is never stored.
    pub token_key: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub answer: Option<Value>,
}

/// An answer to record, once.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyAnswer {
    pub survey_id: Uuid,
    pub answer: Value,
    pub at: Timestamp,
}

/// The metric facts of one ticket, as JSON, and the tenant-local day they
/// count for.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsRow {
    pub ticket_id: Uuid,
    pub tenant_id: Uuid,
    /// `YYYY-MM-DD` in the tenant's time zone.
    pub day: String,
    pub facts: Value,
}

/// A facts row whose day's rollups are out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyFacts {
    pub ticket_id: Uuid,
    pub revision: i64,
    pub day: String,
}

/// The metrics of one day for one value of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub dimension: String,
    pub day: String,
    pub value: String,
    /// The summary as JSON text. A report over a year merges thousands of
    /// these, so the reader decodes the text straight into its type rather
    /// than through a `Value` first.
    pub summary: String,
}

/// Tenant configuration beyond plugins: settings, calendar, SLA policies,
/// webhooks, surveys.
#[async_trait]
pub trait Levels: Send + Sync {
    async fn setting(&self, tenant: Uuid, key: &str) -> Result<Option<Value>, StoreError>;
    async fn set_setting(
        &self,
        tenant: Uuid,
        key: &str,
        value: &Value,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError>;
    /// Replace every policy of the tenant.
    async fn set_sla_policies(
        &self,
        tenant: Uuid,
        policies: &[SlaPolicy],
        at: Timestamp,
    ) -> Result<(), StoreError>;

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

    async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError>;
    /// Replace every kept token `len` characters long by `rekey(token)`, in
    /// one transaction; how many were replaced.
    async fn rekey_survey_tokens(
        &self,
        len: usize,
        rekey: for<'t> fn(&'t str) -> String,
    ) -> Result<u64, StoreError>;
    async fn survey_of(&self, tenant: Uuid, ticket: Uuid) -> Result<Option<Survey>, StoreError>;

    /// Facts of a tenant's days, for rebuilding their rollups, as JSON text
    /// (decoded straight into their type by the reader).
    async fn facts_of_days(&self, tenant: Uuid, days: &[String])
    -> Result<Vec<String>, StoreError>;
    /// Rollups of a dimension over `[from, to]` (days, inclusive).
    async fn rollups(
        &self,
        tenant: Uuid,
        dimension: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Rollup>, StoreError>;
}

/// What is kept only for a while, by the moment before which it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    /// Idempotency records created before this are forgotten.
    pub idempotency: Timestamp,
    /// Deliveries delivered before this leave the delivery log (dead ones
    /// stay until retried or their webhook is deleted).
    pub delivered: Timestamp,
    /// Invitations that expired before this are deleted.
    pub invites: Timestamp,
}

/// Rows a purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency: u64,
    pub deliveries: u64,
    pub invites: u64,
}

impl Purged {
    /// Whether any kind had `limit` rows to delete, so more may be left.
    pub fn full(&self, limit: u32) -> bool {
        let limit = u64::from(limit);
        self.idempotency >= limit || self.deliveries >= limit || self.invites >= limit
    }
}

/// What background jobs claim and finish. Claims are leases: a process that
/// dies loses them when they expire, and only the holder of a claim can
/// finish the work (the commit checks it).
#[async_trait]
pub trait Jobs: Send + Sync {
    /// Claim timers due at `now`, oldest first.
    async fn claim_timers(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Timer>, StoreError>;
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
    /// Delete up to `limit` rows of each kind kept only for a while (see
    /// [`Expired`]); how many went of each.
    async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError>;
    /// Tenants with facts whose rollups are out of date.
    async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError>;
    /// Out-of-date facts rows of a tenant, earliest days first: the rows of
    /// the days holding the first `limit` of them, so every day comes whole
    /// (there can be more than `limit` rows, never fewer unless that is all).
    async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError>;
    /// Replace the rollups of some days and mark the facts they were built
    /// from clean (unless they changed again meanwhile), in one transaction.
    async fn replace_rollups(
        &self,
        tenant: Uuid,
        days: &[String],
        rollups: &[Rollup],
        built_from: &[DirtyFacts],
    ) -> Result<(), StoreError>;
}
