//! What is kept only for a while, and its purge.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;

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

/// The purge of records past their keeping time.
#[async_trait]
pub trait Retention: Send + Sync {
    /// Delete up to `limit` rows of each kind kept only for a while (see
    /// [`Expired`]); how many went of each.
    async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError>;
}
