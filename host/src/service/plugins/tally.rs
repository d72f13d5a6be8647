//! The tally of failures in a row per (tenant, plugin version), counted in
//! memory and written to the store in batches.
//!
//! A plugin that fails on every call would otherwise cost one durable write
//! per call, and on SQLite those writes queue on the one writer that every
//! tenant's changes need. So a failure is written at once only when it
//! matters: when the count in the store is not known yet (the first failure
//! this process sees) or when it reaches the quarantine threshold. Any other
//! failure is added to the next write, which comes at most
//! [`WRITE_EVERY`] after the last one — so a flood costs a few writes a
//! second, a quarantine is never late, and a process killed between writes
//! forgets at most that long's failures (the quarantine it would have led to
//! comes that many calls later).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::plugins::ContentHash;

/// How long failures may wait to be written with the next ones.
pub const WRITE_EVERY: Duration = Duration::from_millis(250);

/// Whose failures: a tenant and a plugin version.
pub type Key = (Uuid, ContentHash);

/// The turn to write one health record.
pub type Turn = Arc<tokio::sync::Mutex<()>>;

/// What a counted failure asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// A write is already coming that takes this failure along.
    Coming,
    /// Write after this long (zero: now).
    After(Duration),
}

/// Failures taken out of the tally to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub count: u32,
    pub cause: &'static str,
}

#[derive(Default)]
struct Entry {
    /// Failures in a row the store held after the last write (or at load);
    /// `None` until this process has written or read it.
    stored: Option<u32>,
    /// Failures counted here and not written yet.
    pending: u32,
    /// The cause of the last pending failure.
    cause: &'static str,
    /// When the next write is due, if one is scheduled.
    due: Option<Instant>,
    last_write: Option<Instant>,
    /// One write at a time per record: they queue here, not on the row lock
    /// in the database, where each would hold a pooled connection that
    /// other tenants need.
    turn: Turn,
}

/// The failures in a row of every (tenant, plugin version) that failed.
#[derive(Default)]
pub struct Tally {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Tally {
    /// Remember the count the store holds (read when a bundle loads), unless
    /// this process already knows better.
    pub fn seed(&self, key: Key, stored: u32) {
        self.entries()
            .entry(key)
            .or_default()
            .stored
            .get_or_insert(stored);
    }

    /// Count one failure; says when it must be written.
    pub fn fail(&self, key: Key, cause: &'static str, threshold: u32, now: Instant) -> Write {
        let mut entries = self.entries();
        if entries.len() >= 4_096 {
            entries.retain(|_, e| e.pending > 0 || Arc::strong_count(&e.turn) > 1);
        }
        let entry = entries.entry(key).or_default();
        entry.pending = entry.pending.saturating_add(1);
        entry.cause = cause;
        let due = match entry.stored {
            Some(stored) if stored.saturating_add(entry.pending) < threshold => entry
                .last_write
                .map_or(now, |last| (last + WRITE_EVERY).max(now)),
            _ => now,
        };
        match entry.due {
            Some(scheduled) if scheduled <= due => Write::Coming,
            _ => {
                entry.due = Some(due);
                Write::After(due - now)
            }
        }
    }

    /// A success ends the run: forget what was not written. True when the
    /// store may hold failures that must be reset.
    pub fn succeed(&self, key: Key) -> bool {
        let mut entries = self.entries();
        let Some(entry) = entries.get_mut(&key) else {
            return false;
        };
        entry.pending = 0;
        entry.due = None;
        entry.stored.replace(0) != Some(0)
    }

    /// The turn to write `key`'s record.
    pub fn turn(&self, key: Key) -> Turn {
        self.entries().entry(key).or_default().turn.clone()
    }

    /// Take what is to be written, on the record's turn; `None` when an
    /// earlier write took it all.
    pub fn take(&self, key: Key) -> Option<Batch> {
        let mut entries = self.entries();
        let entry = entries.get_mut(&key)?;
        entry.due = None;
        let count = std::mem::take(&mut entry.pending);
        (count > 0).then_some(Batch {
            count,
            cause: entry.cause,
        })
    }

    /// The batch was written and the store now holds `stored`.
    pub fn written(&self, key: Key, stored: u32, now: Instant) {
        let mut entries = self.entries();
        let entry = entries.entry(key).or_default();
        entry.stored = Some(stored);
        entry.last_write = Some(now);
    }

    /// The write failed: its failures go back into the next one.
    pub fn put_back(&self, key: Key, batch: Batch) {
        let mut entries = self.entries();
        let entry = entries.entry(key).or_default();
        entry.pending = entry.pending.saturating_add(batch.count);
        entry.stored = None;
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        (Uuid::nil(), ContentHash::of(b"plugin"))
    }

    #[test]
    fn the_first_failure_is_written_at_once_and_the_next_ones_together() {
        let tally = Tally::default();
        let t0 = Instant::now();
        assert_eq!(
            tally.fail(key(), "trap", 100, t0),
            Write::After(Duration::ZERO)
        );
        // Failures before that write took them ride along.
        assert_eq!(tally.fail(key(), "trap", 100, t0), Write::Coming);
        assert_eq!(
            tally.take(key()),
            Some(Batch {
                count: 2,
                cause: "trap"
            })
        );
        tally.written(key(), 2, t0);
        assert_eq!(tally.take(key()), None, "nothing is written twice");

        let t1 = t0 + Duration::from_millis(10);
        assert_eq!(
            tally.fail(key(), "deadline", 100, t1),
            Write::After(WRITE_EVERY - Duration::from_millis(10))
        );
        for _ in 0..50 {
            assert_eq!(tally.fail(key(), "deadline", 100, t1), Write::Coming);
        }
        assert_eq!(
            tally.take(key()),
            Some(Batch {
                count: 51,
                cause: "deadline"
            })
        );
    }

    #[test]
    fn a_failure_that_reaches_the_threshold_is_written_at_once() {
        let tally = Tally::default();
        let t0 = Instant::now();
        tally.seed(key(), 3);
        let later = tally.fail(key(), "trap", 5, t0);
        assert_eq!(
            later,
            Write::After(Duration::ZERO),
            "nothing was written by this process yet"
        );
        let _ = tally.take(key());
        tally.written(key(), 4, t0);
        // The fifth failure is the quarantine: it cannot wait.
        assert_eq!(
            tally.fail(key(), "trap", 5, t0),
            Write::After(Duration::ZERO)
        );

        // Below the threshold a write waits, but one that reaches it while
        // that write is scheduled is due at once.
        let tally = Tally::default();
        tally.seed(key(), 0);
        tally.written(key(), 0, t0);
        assert!(matches!(tally.fail(key(), "trap", 3, t0), Write::After(d) if d == WRITE_EVERY));
        assert_eq!(tally.fail(key(), "trap", 3, t0), Write::Coming);
        assert_eq!(
            tally.fail(key(), "trap", 3, t0),
            Write::After(Duration::ZERO)
        );
        assert_eq!(tally.take(key()).map(|b| b.count), Some(3));
    }

    #[test]
    fn a_success_forgets_unwritten_failures_and_says_when_to_reset() {
        let tally = Tally::default();
        let t0 = Instant::now();
        assert!(!tally.succeed(key()), "nothing failed");
        tally.seed(key(), 2);
        assert!(tally.succeed(key()), "the store holds two");
        assert!(!tally.succeed(key()), "already reset");
        tally.written(key(), 0, t0);
        let _ = tally.fail(key(), "trap", 5, t0);
        assert!(!tally.succeed(key()), "the store never saw the failure");
        assert_eq!(tally.take(key()), None, "the unwritten failure is gone");
    }

    #[test]
    fn a_failed_write_puts_its_failures_back() {
        let tally = Tally::default();
        let t0 = Instant::now();
        let _ = tally.fail(key(), "trap", 5, t0);
        let batch = tally.take(key()).expect("one failure");
        tally.put_back(key(), batch);
        assert_eq!(
            tally.fail(key(), "trap", 5, t0),
            Write::After(Duration::ZERO)
        );
        assert_eq!(tally.take(key()).map(|b| b.count), Some(2));
    }
}
