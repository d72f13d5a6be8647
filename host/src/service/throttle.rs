//! Bounds on signing in: failed attempts per login and per client address,
//! and how many password hashes run at once.
//!
//! Counts live in the process (each replica counts its own), in a sliding
//! window: after [`Throttle::PER_LOGIN`] failures for one login, or
//! [`Throttle::PER_ADDRESS`] from one address, within [`Throttle::WINDOW`],
//! further attempts are refused until the oldest failure leaves the window,
//! without checking the password. A success clears the login's count.
//! Argon2 takes about 19 MiB and tens of milliseconds per hash, so at most
//! [`Throttle::HASHING`] run at once and the rest wait a bounded time.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::error::ServiceError;

/// What failures are counted by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

/// Failed sign-ins and the password hashing slots of one process.
#[derive(Debug)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
    hashing: Semaphore,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            failures: Mutex::new(HashMap::new()),
            hashing: Semaphore::new(Self::HASHING),
        }
    }
}

impl Throttle {
    /// Failures of one login within the window before it is refused.
    pub const PER_LOGIN: usize = 5;
    /// Failures from one client address within the window before it is
    /// refused (higher: people behind one NAT share it).
    pub const PER_ADDRESS: usize = 30;
    /// How far back failures count.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Password hashes computed at once.
    pub const HASHING: usize = 2;
    /// How long a sign-in waits for a hashing slot before it is told to try
    /// again.
    pub const HASHING_WAIT: Duration = Duration::from_secs(10);
    /// Logins and addresses remembered at most; past it, the oldest go.
    const REMEMBERED: usize = 100_000;

    fn keys(login: &str, address: Option<IpAddr>) -> impl Iterator<Item = (Key, usize)> {
        [
            Some((Key::Login(login.to_string()), Self::PER_LOGIN)),
            address.map(|a| (Key::Address(a), Self::PER_ADDRESS)),
        ]
        .into_iter()
        .flatten()
    }

    /// Refuse with how long to wait when the login or the address has
    /// failed too often lately.
    pub fn check(
        &self,
        login: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), ServiceError> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let wait = Self::keys(login, address)
            .filter_map(|(key, limit)| {
                let times = failures.get_mut(&key)?;
                forget_before(times, now);
                let oldest = *times.front()?;
                (times.len() >= limit).then(|| Self::WINDOW.saturating_sub(now - oldest))
            })
            .max();
        match wait {
            Some(wait) => Err(ServiceError::Throttled {
                retry_after: wait.max(Duration::from_secs(1)),
            }),
            None => Ok(()),
        }
    }

    /// Count a failed attempt against the login and the address.
    pub fn failed(&self, login: &str, address: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= Self::REMEMBERED {
            failures.retain(|_, times| {
                forget_before(times, now);
                !times.is_empty()
            });
            if failures.len() >= Self::REMEMBERED {
                // Still full of fresh failures: keep the newest half.
                let mut newest: Vec<Instant> = failures
                    .values()
                    .filter_map(|t| t.back().copied())
                    .collect();
                newest.sort_unstable();
                let cut = newest[newest.len() / 2];
                failures.retain(|_, times| times.back().is_some_and(|t| *t >= cut));
            }
        }
        for (key, limit) in Self::keys(login, address) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > limit {
                times.pop_front();
            }
        }
    }

    /// A login that signed in starts again from no failures.
    pub fn succeeded(&self, login: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&Key::Login(login.to_string()));
    }

    /// Run a password hash (or its check) on the blocking pool, at most
    /// [`Self::HASHING`] at once.
    pub async fn hash<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let _permit = tokio::time::timeout(Self::HASHING_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| ServiceError::Busy("too many sign-ins at once; try again shortly".into()))?
            .map_err(|_| ServiceError::Busy("the host is shutting down".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ServiceError::Invalid(format!("hashing stopped: {e}")))
    }
}

fn forget_before(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= Throttle::WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(result: Result<(), ServiceError>) -> Option<Duration> {
        match result {
            Ok(()) => None,
            Err(ServiceError::Throttled { retry_after }) => Some(retry_after),
            Err(other) => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn a_login_is_refused_after_five_failures_until_the_first_leaves_the_window() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..Throttle::PER_LOGIN {
            assert!(retry_after(throttle.check("li", Some(addr), start)).is_none());
            throttle.failed("li", Some(addr), start + Duration::from_secs(i as u64));
        }
        let later = start + Duration::from_secs(60);
        let wait = retry_after(throttle.check("li", Some(addr), later)).expect("refused");
        assert_eq!(wait, Throttle::WINDOW - Duration::from_secs(60));
        // Another login from the same address still may try.
        assert!(retry_after(throttle.check("wang", Some(addr), later)).is_none());
        // Once the first failure is 15 minutes old, one more try is allowed.
        assert!(retry_after(throttle.check("li", Some(addr), start + Throttle::WINDOW)).is_none());
    }

    #[test]
    fn an_address_is_refused_after_thirty_failures_across_logins() {
        let throttle = Throttle::default();
        let now = Instant::now();
        let addr: IpAddr = "2001:db8::5".parse().unwrap();
        for i in 0..Throttle::PER_ADDRESS {
            throttle.failed(&format!("user{i}"), Some(addr), now);
        }
        assert!(retry_after(throttle.check("fresh", Some(addr), now)).is_some());
        assert!(retry_after(throttle.check("fresh", None, now)).is_none());
    }

    #[test]
    fn success_clears_the_login() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for _ in 0..Throttle::PER_LOGIN {
            throttle.failed("li", None, now);
        }
        throttle.succeeded("li");
        assert!(retry_after(throttle.check("li", None, now)).is_none());
    }

    #[tokio::test]
    async fn at_most_two_hashes_run_at_once() {
        let throttle = std::sync::Arc::new(Throttle::default());
        let running = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (throttle, running, peak) = (throttle.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    throttle
                        .hash(move || {
                            use std::sync::atomic::Ordering::SeqCst;
                            let now = running.fetch_add(1, SeqCst) + 1;
                            peak.fetch_max(now, SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            running.fetch_sub(1, SeqCst);
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(
            peak.load(std::sync::atomic::Ordering::SeqCst),
            Throttle::HASHING
        );
    }
}
