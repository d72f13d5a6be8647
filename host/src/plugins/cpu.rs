//! The CPU time one call uses, summed over the polls of its future on
//! whichever threads ran them.
//!
//! A call's deadline is charged on this, not on the wall clock: a call the
//! kernel sets aside on a saturated machine, or that waits for its turn
//! behind other calls, has not used its time, and a sound plugin must not
//! fail (and be quarantined) because the host was busy. Time in host calls
//! is the thread's CPU time too, so the deadline still bounds what fuel does
//! not count.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// The meter of one call. Clones share it, so the store's epoch callback can
/// read what the call's future has used so far.
#[derive(Clone, Default)]
pub struct CpuMeter(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// Nanoseconds used by the polls that ended.
    used: AtomicU64,
    /// The thread's CPU clock when the poll under way began; read only on
    /// that thread, inside the poll.
    poll_began: AtomicU64,
    ran: AtomicBool,
}

impl CpuMeter {
    /// Run `future` under this meter.
    pub fn measure<F: Future + Unpin>(&self, future: F) -> Metered<F> {
        Metered {
            meter: self.clone(),
            future,
        }
    }

    /// The CPU time used so far. Inside a poll of the measured future (as in
    /// the epoch callback) this includes the poll under way.
    pub fn used(&self) -> Duration {
        let mut used = self.0.used.load(Ordering::Relaxed);
        if IN_POLL.with(|p| p.get() == Arc::as_ptr(&self.0) as usize) {
            let began = self.0.poll_began.load(Ordering::Relaxed);
            used += thread_cpu_ns().saturating_sub(began);
        }
        Duration::from_nanos(used)
    }

    /// Whether the measured future was polled at all.
    pub fn ran(&self) -> bool {
        self.0.ran.load(Ordering::Relaxed)
    }
}

thread_local! {
    /// The meter whose future this thread polls at the moment, by address.
    static IN_POLL: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A future whose polls are charged to a [`CpuMeter`].
pub struct Metered<F> {
    meter: CpuMeter,
    future: F,
}

impl<F: Future + Unpin> Future for Metered<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let inner = &this.meter.0;
        let began = thread_cpu_ns();
        inner.poll_began.store(began, Ordering::Relaxed);
        inner.ran.store(true, Ordering::Relaxed);
        let outer = IN_POLL.with(|p| p.replace(Arc::as_ptr(inner) as usize));
        let polled = Pin::new(&mut this.future).poll(cx);
        IN_POLL.with(|p| p.set(outer));
        let spent = thread_cpu_ns().saturating_sub(began);
        inner.used.fetch_add(spent, Ordering::Relaxed);
        polled
    }
}

/// The calling thread's CPU clock, nanoseconds.
#[cfg(unix)]
fn thread_cpu_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call's duration.
    let done = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if done != 0 {
        return wall_ns();
    }
    u64::try_from(now.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(now.tv_nsec).unwrap_or(0)
}

/// Without a thread CPU clock the meter falls back to the wall clock, as
/// deadlines were before.
#[cfg(not(unix))]
fn thread_cpu_ns() -> u64 {
    wall_ns()
}

fn wall_ns() -> u64 {
    static EPOCH: std::sync::LazyLock<std::time::Instant> =
        std::sync::LazyLock::new(std::time::Instant::now);
    u64::try_from(EPOCH.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compute until this thread has used `for_` of CPU time, however busy
    /// the machine.
    fn spin(for_: Duration) {
        let until = thread_cpu_ns() + u64::try_from(for_.as_nanos()).unwrap();
        while thread_cpu_ns() < until {
            std::hint::spin_loop();
        }
    }

    #[tokio::test]
    async fn waiting_costs_nothing_and_computing_is_counted() {
        let meter = CpuMeter::default();
        assert!(!meter.ran());
        meter
            .measure(Box::pin(async {
                tokio::time::sleep(Duration::from_millis(60)).await;
                spin(Duration::from_millis(20));
            }))
            .await;
        let used = meter.used();
        assert!(meter.ran());
        assert!(used >= Duration::from_millis(15), "{used:?}");
        assert!(
            used < Duration::from_millis(55),
            "the sleep was charged: {used:?}"
        );
    }

    #[tokio::test]
    async fn inside_a_poll_the_poll_under_way_counts() {
        let meter = CpuMeter::default();
        let inner = meter.clone();
        let seen = meter
            .measure(Box::pin(async move {
                spin(Duration::from_millis(10));
                inner.used()
            }))
            .await;
        assert!(seen >= Duration::from_millis(10), "{seen:?}");
        // Outside the poll only what ended is counted, and it is as much.
        assert!(meter.used() >= seen);
    }
}
