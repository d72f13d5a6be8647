//! Where a call that computes for long goes on: threads of their own, at a
//! lower priority than the server's.
//!
//! A call starts on the thread that asked for it, which costs nothing for
//! the usual call of a few dozen microseconds. One that is still running
//! after a couple of epoch ticks moves, as it stands, to the plugin threads,
//! whose nice value gives them a tenth of the weight of the server's threads
//! when both want a core. A tenant whose plugin computes until its deadline
//! thus takes mostly CPU the server does not need, instead of a core the
//! server's requests were waiting for; a long call still progresses on a
//! busy machine, so a sound plugin's deadline is not starved away.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use super::turns::Turns;

/// The nice value of the plugin threads (the server's are at 0).
const NICE: i32 = 10;

/// A call's work, ready to move between threads.
pub type Work<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The plugin threads.
pub struct Offload {
    /// `None` when the threads could not be started; long calls then go on
    /// where they began.
    runtime: Option<tokio::runtime::Runtime>,
    /// The turns of calls on these threads.
    turns: Arc<Turns>,
}

impl Offload {
    /// Start `threads` plugin threads, at most `per_party` of them running
    /// one tenant's calls.
    pub fn start(threads: u32, per_party: u32) -> Self {
        let turns = Turns::new(threads, per_party);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1) as usize)
            .thread_name("wasm-long")
            .on_thread_start(lower_priority)
            .enable_time()
            .build();
        match runtime {
            Ok(runtime) => Offload {
                runtime: Some(runtime),
                turns,
            },
            Err(e) => {
                tracing::error!("could not start the plugin threads, long calls stay put: {e}");
                Offload {
                    runtime: None,
                    turns,
                }
            }
        }
    }

    /// The turns of calls on the plugin threads.
    pub fn turns(&self) -> &Arc<Turns> {
        &self.turns
    }

    /// Run `work` here until it waits while `moved` says it should move,
    /// then on the plugin threads. `None` only when the plugin threads
    /// stopped under the call.
    pub async fn run<T: Send + 'static>(
        &self,
        moved: impl Fn() -> bool,
        mut work: Work<T>,
    ) -> Option<T> {
        let here = poll_fn(|cx| match work.as_mut().poll(cx) {
            Poll::Ready(value) => Poll::Ready(Some(value)),
            Poll::Pending if self.runtime.is_some() && moved() => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        })
        .await;
        if here.is_some() {
            return here;
        }
        let Some(runtime) = &self.runtime else {
            return Some(work.await);
        };
        let task = runtime.spawn(work);
        // Whoever waits for the call may give up (a dropped request); the
        // call then ends with it, as it would have where it began.
        let _abort = AbortOnDrop(task.abort_handle());
        match task.await {
            Ok(value) => Some(value),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => None,
        }
    }
}

impl Drop for Offload {
    fn drop(&mut self) {
        // Dropping a tokio runtime blocks, which is refused inside another
        // runtime; calls still on these threads end at their deadline.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // Raising one's own nice value needs no privilege. On failure the
    // threads run at the server's priority, as every call did before.
    // SAFETY: plain system calls on the calling thread, no pointers.
    let tid = unsafe { libc::gettid() };
    let done = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE) };
    if done != 0 {
        tracing::warn!(
            "could not lower the plugin threads' priority: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Elsewhere the plugin threads run at the server's priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_string()
    }

    #[tokio::test]
    async fn a_short_call_stays_on_the_thread_that_asked() {
        let offload = Offload::start(1, 1);
        let here = thread_name();
        let ran_on = offload
            .run(|| true, Box::pin(async { thread_name() }))
            .await;
        assert_eq!(ran_on, Some(here));
    }

    #[tokio::test]
    async fn a_long_call_moves_and_finishes_at_a_lower_priority() {
        let offload = Offload::start(1, 1);
        let long = Arc::new(AtomicBool::new(false));
        let polls = Arc::new(AtomicU32::new(0));
        let work = {
            let (long, polls) = (long.clone(), polls.clone());
            Box::pin(async move {
                polls.fetch_add(1, Ordering::Relaxed);
                long.store(true, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
                // SAFETY: a plain system call on the calling thread.
                let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
                (thread_name(), nice)
            })
        };
        let moved = || long.load(Ordering::Relaxed);
        let (ran_on, nice) = offload.run(moved, work).await.expect("the call ends");
        assert_eq!(ran_on, "wasm-long");
        assert_eq!(nice, NICE);
        assert_eq!(
            polls.load(Ordering::Relaxed),
            1,
            "the work moved as it stood"
        );
    }
}
