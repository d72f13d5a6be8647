//! The engine every plugin runs on: the pooling allocator sized for the call
//! slots, fuel and epoch interruption, the linker with the sandboxed WASI and
//! the contract's host imports, and the ticker that moves the epoch.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::sync::Semaphore;
use wasmtime::component::Linker;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig,
};

use super::artifacts::{ArtifactCache, CacheStats};
use super::bindings;
use super::limits::{Budget, Limits, RuntimeConfig};
use super::load::{ContentHash, Plugin};
use super::offload::Offload;
use super::sandbox::{self, CallState};
use super::slots::CallSlots;
use super::turns::Turns;

/// How often the engine's epoch advances. A running call yields to other
/// tasks at every tick and checks its deadline.
const EPOCH_TICK: Duration = Duration::from_micros(250);

/// Runs plugins. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct Runtime {
    pub(super) engine: Engine,
    pub(super) linker: Linker<CallState>,
    pub(super) limits: Limits,
    pub(super) caps: Limits,
    pub(super) budget: Budget,
    pub(super) artifacts: Option<Arc<ArtifactCache>>,
    pub(super) slots: CallSlots,
    pub(super) turns: Arc<Turns>,
    pub(super) offload: Offload,
    pub(super) compiles: Semaphore,
    pub(super) compile_wait: Duration,
    pub(super) loaded: Mutex<HashMap<ContentHash, Arc<Plugin>>>,
}

impl Runtime {
    pub fn new(config: RuntimeConfig) -> anyhow::Result<Self> {
        let mut pool = PoolingAllocationConfig::default();
        let pagemap_scan = PoolingAllocationConfig::is_pagemap_scan_available();
        let slots = config.max_concurrent_calls;
        pool.total_component_instances(slots)
            .total_core_instances(slots * 16)
            .max_core_instances_per_component(16)
            .total_memories(slots)
            .max_memories_per_component(2)
            .total_tables(slots * 4)
            .max_tables_per_component(8)
            .total_stacks(slots)
            .max_memory_size(usize::try_from(config.max_memory_bytes)?)
            // A call touches a few dozen pages of its memory. Handing them
            // back to the kernel after every call (madvise) costs a TLB
            // shootdown on every core and a page fault for each page on the
            // next call; instead keep them mapped and reset them with memset.
            // Where the kernel can say which pages a call dirtied
            // (PAGEMAP_SCAN, Linux 6.7), only those are reset, wherever they
            // lie in the first few MiB; elsewhere only the lowest 256 KiB
            // are kept.
            .pagemap_scan(Enabled::Auto)
            .linear_memory_keep_resident(if pagemap_scan { 4 << 20 } else { 256 << 10 })
            .table_keep_resident(64 << 10);

        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .cranelift_opt_level(OptLevel::Speed)
            .max_wasm_stack(512 << 10)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&wasm).map_err(to_anyhow)?;
        spawn_epoch_ticker(&engine);

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(to_anyhow)?;
        sandbox::freeze_monotonic_clock(&mut linker).map_err(to_anyhow)?;
        bindings::add_to_linker(&mut linker).map_err(to_anyhow)?;

        let artifacts = match &config.cache_dir {
            Some(dir) => {
                let key = match config.cache_key {
                    Some(key) => key,
                    None => {
                        let mut key = [0u8; 32];
                        getrandom::fill(&mut key)
                            .map_err(|e| anyhow::anyhow!("no randomness for a cache key: {e}"))?;
                        key
                    }
                };
                Some(Arc::new(ArtifactCache::open(dir, &engine, key).map_err(
                    |e| anyhow::anyhow!("cannot use {} as the plugin cache: {e}", dir.display()),
                )?))
            }
            None => None,
        };

        Ok(Runtime {
            engine,
            linker,
            limits: config.limits,
            caps: config.caps,
            budget: config.budget,
            artifacts,
            slots: CallSlots::new(slots, config.calls_per_tenant, config.slot_wait),
            turns: Turns::new(config.running_calls, config.running_per_tenant),
            offload: Offload::start(config.running_calls, config.running_per_tenant),
            compiles: Semaphore::new(config.compiles_at_once.max(1) as usize),
            compile_wait: config.compile_wait,
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// The default per-call limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The most an operator may grant a plugin.
    pub fn caps(&self) -> &Limits {
        &self.caps
    }

    /// What one change may ask of plugins.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// How the precompiled cache answered so far, if there is one.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.artifacts.as_ref().map(|a| a.stats())
    }

    /// Where the precompiled code of a component is cached, if anywhere.
    pub fn artifact_path(&self, hash: ContentHash) -> Option<PathBuf> {
        self.artifacts.as_ref().map(|a| a.path(hash))
    }
}

fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                thread::sleep(EPOCH_TICK);
            }
        });
    if let Err(e) = spawned {
        // Without the ticker deadlines never fire; fuel still bounds every
        // call, so carry on and say so.
        tracing::error!("could not start the epoch thread, deadlines are off: {e}");
    }
}

/// wasmtime has its own error type; the rest of the host speaks anyhow.
fn to_anyhow(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}
