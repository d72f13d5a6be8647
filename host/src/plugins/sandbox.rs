//! What a plugin's world looks like from inside: the per-call state, a WASI
//! that grants nothing, clocks that stand still, and the list of imports a
//! component may have.

use std::time::Duration;

use jiff::Timestamp;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock;
use wasmtime_wasi::p2::{DynPollable, Pollable, subscribe};
use wasmtime_wasi::{
    Deterministic, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView,
    WasiView,
};

use super::limits::{Limits, MemoryLimiter};
use super::log::CallLog;

/// The data of one call's `Store`: created for the call, dropped after it.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// The snapshot's `now`, nanoseconds since the Unix epoch.
    now_ns: u64,
    pub(crate) log: CallLog,
    pub(crate) limiter: MemoryLimiter,
    /// What the `context` import (contract 1.2.0) answers during the call.
    pub(crate) context: super::bindings::since_v1_2_0::Context,
}

impl CallState {
    /// A fresh sandbox whose clocks are frozen at `now`.
    pub fn new(limits: &Limits, now: Timestamp) -> Self {
        let log = CallLog::new(limits.log_bytes);
        let wasi = WasiCtxBuilder::new()
            .stdout(log.clone())
            .stderr(log.clone())
            .wall_clock(FrozenClock(now))
            .monotonic_clock(FrozenClock(now))
            // A fixed sequence keeps decisions reproducible, hash maps
            // included.
            .secure_random(Deterministic::new(vec![0x5a, 0x17, 0xc3, 0x88]))
            .insecure_random(Deterministic::new(vec![0x3c, 0x91, 0x06, 0xe4]))
            .insecure_random_seed(0x5eed)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        CallState {
            wasi,
            table: ResourceTable::new(),
            now_ns: u64::try_from(now.as_nanosecond()).unwrap_or(0),
            log,
            limiter: MemoryLimiter::new(limits.memory_bytes),
            context: Default::default(),
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The only clock a plugin sees: the snapshot's `now`, standing still.
struct FrozenClock(Timestamp);

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        let ms = self.0.as_millisecond();
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }

    fn now(&self) -> u64 {
        u64::try_from(self.0.as_nanosecond()).unwrap_or(0)
    }
}

/// Replace WASI's `monotonic-clock` with one that stands still at the
/// snapshot's `now` and whose pollables are ready at once.
///
/// WASI's own implementation sleeps on the host's timer for
/// `subscribe-duration` and `subscribe-instant`, and a guest waiting in that
/// host call is outside fuel and epoch accounting. In a sandbox where time
/// does not pass, a sleep has nothing to wait for: `std::thread::sleep`
/// returns at once, and a loop waiting for the clock to move spins on fuel
/// until the call's budget or deadline ends it.
pub fn freeze_monotonic_clock(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let added = monotonic_clock::add_to_linker::<CallState, StandingClock>(linker, |state| {
        StandingClockView {
            now_ns: state.now_ns,
            table: &mut state.table,
        }
    });
    linker.allow_shadowing(false);
    added
}

struct StandingClock;

impl HasData for StandingClock {
    type Data<'a> = StandingClockView<'a>;
}

struct StandingClockView<'a> {
    now_ns: u64,
    table: &'a mut ResourceTable,
}

impl StandingClockView<'_> {
    fn elapsed(&mut self) -> wasmtime::Result<Resource<DynPollable>> {
        let ready = self.table.push(Elapsed)?;
        subscribe(self.table, ready)
    }
}

impl monotonic_clock::Host for StandingClockView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        Ok(self.now_ns)
    }

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        Ok(1_000_000)
    }

    fn subscribe_instant(
        &mut self,
        _when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.elapsed()
    }

    fn subscribe_duration(
        &mut self,
        _duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.elapsed()
    }
}

/// A wait that is over before it starts.
struct Elapsed;

#[async_trait::async_trait]
impl Pollable for Elapsed {
    async fn ready(&mut self) {}
}
