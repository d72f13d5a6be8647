//! Every bound of the sandbox: the runtime's settings, what one call may
//! consume, what one change may ask of plugins, which interfaces a plugin
//! may import, and the memory limiter that enforces the per-call memory cap.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wasmtime::ResourceLimiter;

/// What one hook call may consume. Every field is configurable; the defaults
/// are the ones the contract documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Fuel: roughly one unit per WebAssembly instruction.
    pub fuel: u64,
    /// Wall-clock deadline, the backstop for time spent outside fuel
    /// accounting (host calls, memory growth).
    pub deadline_ms: u32,
    /// Linear memory, bytes.
    pub memory_bytes: u64,
    /// The snapshot handed to the plugin, bytes of text.
    pub input_bytes: usize,
    /// The answer, bytes of text.
    pub output_bytes: usize,
    /// The call's log (stdout, stderr and `log`), bytes; the rest is cut.
    pub log_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 10_000_000,
            deadline_ms: 50,
            memory_bytes: 32 << 20,
            input_bytes: 256 << 10,
            output_bytes: 64 << 10,
            log_bytes: 4 << 10,
        }
    }
}

impl Limits {
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(u64::from(self.deadline_ms))
    }
}

/// Settings of the runtime as a whole.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Default per-call limits.
    pub limits: Limits,
    /// Calls running at once; each holds one instance slot of the pooling
    /// allocator.
    pub max_concurrent_calls: u32,
    /// Calls one tenant may run at once: its fair share of the slots. A
    /// tenant whose plugin keeps its share busy waits for its own slots,
    /// never for other tenants'.
    pub calls_per_tenant: u32,
    /// How long a call waits for a slot before it is refused as busy.
    pub slot_wait: Duration,
    /// Calls running WebAssembly at the same moment (one per core); the
    /// others in flight wait for a turn, which they get in round-robin
    /// order of their tenants at every epoch tick.
    pub running_calls: u32,
    /// Turns one tenant may hold at once (half the cores), so a tenant whose
    /// plugin computes until its deadline leaves cores to the others.
    pub running_per_tenant: u32,
    /// Components compiled at once (compiling uses every core).
    pub compiles_at_once: u32,
    /// How long a component waits for its turn to compile.
    pub compile_wait: Duration,
    /// The largest linear memory any plugin may be granted, bytes. Sizes the
    /// pooling allocator's slots.
    pub max_memory_bytes: u64,
    /// The most an operator may grant one plugin (fuel, deadline, memory);
    /// the other fields are not grantable and keep the defaults.
    pub caps: Limits,
    /// What one change may ask of plugins.
    pub budget: Budget,
    /// Where precompiled components are kept between starts; `None`
    /// compiles every plugin at every start.
    pub cache_dir: Option<PathBuf>,
    /// The key that signs precompiled files, so that machine code is only
    /// ever loaded from a file this host wrote. Kept outside the cache
    /// directory; `None` with a `cache_dir` makes a key for this process
    /// only (the cache then lasts until the process ends).
    pub cache_key: Option<[u8; 32]>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            limits: Limits::default(),
            max_concurrent_calls: 64,
            calls_per_tenant: 8,
            slot_wait: Duration::from_millis(500),
            running_calls: cores(),
            running_per_tenant: (cores() / 2).max(1),
            compiles_at_once: 1,
            compile_wait: Duration::from_secs(60),
            max_memory_bytes: 128 << 20,
            caps: Limits {
                fuel: 200_000_000,
                deadline_ms: 1_000,
                memory_bytes: 128 << 20,
                ..Limits::default()
            },
            budget: Budget::default(),
            cache_dir: None,
            cache_key: None,
        }
    }
}

/// The cores this process may use.
fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
}

/// What one change (one request, one timer, one survey answer) may ask of
/// plugins, across every hook call it makes. A change over budget is
/// refused whole: nothing of it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Effects one hook call may return.
    pub effects_per_call: u32,
    /// Follow-up tickets (`create-ticket`) in one change.
    pub follow_ups: u32,
    /// Transitions plugins request (`request-transition`) in one change.
    pub requested_transitions: u32,
    /// Hook calls one change makes, the first included.
    pub hook_calls: u32,
    /// How deep effects may cause further hook calls (a requested
    /// transition whose guard requests another, a follow-up whose
    /// `on-create` creates another, …).
    pub depth: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            effects_per_call: 64,
            follow_ups: 8,
            requested_transitions: 16,
            hook_calls: 32,
            depth: 3,
        }
    }
}

/// The error a memory growth beyond the limit traps with.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("linear memory would grow to {desired} bytes, over the limit of {limit} bytes")]
pub struct MemoryLimitExceeded {
    pub desired: usize,
    pub limit: usize,
}

/// Enforces the memory limit of one call and records the peak.
#[derive(Debug)]
pub struct MemoryLimiter {
    limit: usize,
    peak: usize,
}

impl MemoryLimiter {
    pub fn new(limit: u64) -> Self {
        MemoryLimiter {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            peak: 0,
        }
    }

    /// The largest linear memory the call had, bytes.
    pub fn peak(&self) -> usize {
        self.peak
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            // Trap instead of letting `memory.grow` fail: a Rust guest would
            // abort anyway, and the trap says why.
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                desired,
                limit: self.limit,
            }));
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; ten thousand is far beyond what a
        // decision function needs.
        Ok(desired <= 10_000)
    }
}

/// Interfaces a plugin may import, by `namespace:package/interface` without
/// version: the contract, and the WASI 0.2 interfaces that toolchains link
/// whether the code uses them or not (the Rust standard library,
/// componentize-py, componentize-js). What they reach is empty: no
/// preopened directory, no network, no environment or arguments, empty
/// stdin, frozen clocks, a fixed random sequence. `wasi:http` is not among
/// them: no toolchain needs it to build a plugin, and a plugin has nowhere
/// to send a request.
const ALLOWED_IMPORTS: &[&str] = &[
    "aftersale:plugin/types",
    "aftersale:plugin/host",
    "aftersale:plugin/context",
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
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:sockets/ip-name-lookup",
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
    fn the_contract_and_wasi_are_importable_http_and_the_rest_are_not() {
        assert!(import_allowed("wasi:io/streams@0.2.6"));
        assert!(import_allowed("aftersale:plugin/host@1.0.0"));
        assert!(import_allowed("aftersale:plugin/context@1.2.0"));
        assert!(import_allowed("wasi:filesystem/preopens@0.2.9"));
        assert!(import_allowed("wasi:sockets/tcp@0.2.0"));
        assert!(!import_allowed("wasi:http/outgoing-handler@0.2.0"));
        assert!(!import_allowed("wasi:keyvalue/store@0.2.0"));
        assert!(!import_allowed("evil:net/exfiltrate"));
    }
}
