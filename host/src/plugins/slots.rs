//! Call slots: how many plugin calls run at once, in all and per tenant.
//!
//! Every call holds a slot of the whole runtime (one pooling-allocator
//! instance slot) and one of its tenant's share. A tenant whose plugin keeps
//! its share busy waits for its own slots, never for other tenants' — and
//! only for a bounded time, after which the call is refused as busy instead
//! of queueing without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, timeout_at};

/// Why no slot was had in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The tenant's own share was taken for the whole wait.
    Share { share: u32 },
    /// Every slot of the runtime was taken for the whole wait.
    Runtime { slots: u32 },
}

/// The slots of one runtime.
pub struct CallSlots {
    total: Arc<Semaphore>,
    slots: u32,
    share: u32,
    wait: Duration,
    shares: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A slot held for one call; dropping it frees the slot.
pub struct Slot {
    _share: OwnedSemaphorePermit,
    _total: OwnedSemaphorePermit,
}

impl CallSlots {
    /// `slots` calls at once, at most `share` of them for one party, waiting
    /// at most `wait` for a slot.
    pub fn new(slots: u32, share: u32, wait: Duration) -> Self {
        CallSlots {
            total: Arc::new(Semaphore::new(slots as usize)),
            slots,
            share: share.clamp(1, slots.max(1)),
            wait,
            shares: Mutex::new(HashMap::new()),
        }
    }

    /// How long a call waits for a slot.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Take a slot for a call on behalf of `party` (a tenant id, or a name
    /// for work that belongs to no tenant, such as loading a component).
    pub async fn acquire(&self, party: &str) -> Result<Slot, Busy> {
        let until = Instant::now() + self.wait;
        let share = self.share_of(party);
        let share = match timeout_at(until, share.acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(Busy::Share { share: self.share }),
        };
        let total = match timeout_at(until, self.total.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(Busy::Runtime { slots: self.slots }),
        };
        Ok(Slot {
            _share: share,
            _total: total,
        })
    }

    fn share_of(&self, party: &str) -> Arc<Semaphore> {
        let mut shares = self.shares.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(share) = shares.get(party) {
            return share.clone();
        }
        // Parties come and go (tenants are created, components loaded once);
        // forget the idle ones before the map grows without bound.
        if shares.len() >= 4_096 {
            let full = self.share as usize;
            shares.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < full);
        }
        let share = Arc::new(Semaphore::new(self.share as usize));
        shares.insert(party.to_string(), share.clone());
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tenant_past_its_share_is_busy_while_others_get_slots() {
        let slots = CallSlots::new(8, 2, Duration::from_millis(20));
        let _a1 = slots.acquire("a").await.unwrap();
        let _a2 = slots.acquire("a").await.unwrap();
        assert_eq!(
            slots.acquire("a").await.err(),
            Some(Busy::Share { share: 2 })
        );
        let _b = slots.acquire("b").await.expect("another tenant is served");
    }

    #[tokio::test]
    async fn a_freed_slot_serves_the_next_waiting_call() {
        let slots = Arc::new(CallSlots::new(1, 1, Duration::from_secs(5)));
        let held = slots.acquire("a").await.unwrap();
        let waiting = tokio::spawn({
            let slots = slots.clone();
            async move { slots.acquire("b").await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(held);
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn every_slot_taken_is_busy_after_the_wait() {
        let slots = CallSlots::new(2, 2, Duration::from_millis(20));
        let _a = slots.acquire("a").await.unwrap();
        let _b = slots.acquire("b").await.unwrap();
        assert_eq!(
            slots.acquire("c").await.err(),
            Some(Busy::Runtime { slots: 2 })
        );
    }
}
