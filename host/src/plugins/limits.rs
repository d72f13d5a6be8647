//! Per-call resource limits and the memory limiter that enforces them.

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
