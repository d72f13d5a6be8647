//! What a plugin's world looks like from inside: the per-call state, a WASI
//! that grants nothing, and the list of imports a component may have.

use std::time::Duration;

use jiff::Timestamp;
use wasmtime::component::ResourceTable;
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
    pub(crate) log: CallLog,
    pub(crate) limiter: MemoryLimiter,
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
            log,
            limiter: MemoryLimiter::new(limits.memory_bytes),
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

/// Interfaces a plugin may import, by `namespace:package/interface` without
/// version. WASI is there because the Rust standard library imports it; what
/// it reaches is empty: no files, no network, no environment, frozen clocks.
const ALLOWED_IMPORTS: &[&str] = &[
    "aftersale:plugin/types",
    "aftersale:plugin/host",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
];

/// Whether an import name such as `wasi:io/streams@0.2.6` is allowed.
pub fn import_allowed(name: &str) -> bool {
    let unversioned = name.split('@').next().unwrap_or(name);
    ALLOWED_IMPORTS.contains(&unversioned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystem_and_sockets_are_not_importable() {
        assert!(import_allowed("wasi:io/streams@0.2.6"));
        assert!(import_allowed("aftersale:plugin/host@1.0.0"));
        assert!(!import_allowed("wasi:filesystem/preopens@0.2.6"));
        assert!(!import_allowed("wasi:sockets/tcp@0.2.0"));
        assert!(!import_allowed("wasi:http/outgoing-handler@0.2.0"));
    }
}
