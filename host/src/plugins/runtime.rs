//! The sandbox runtime: one engine, components compiled once per content
//! hash, a fresh store for every call.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use aftersale_sdk as c;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig, Store,
    Trap, UpdateDeadline,
};

use super::artifacts::{ArtifactCache, CacheStats};
use super::bindings::{self, Bindings, HookError, Measured};
use super::effects;
use super::error::{Failure, Hook, LoadError, PluginError};
use super::limits::{Budget, Limits, MemoryLimitExceeded, RuntimeConfig};
use super::manifest;
use super::sandbox::{self, CallState};
use super::slots::{Busy, CallSlots};

/// How often the engine's epoch advances. A running call yields to other
/// tasks at every tick and checks its deadline.
const EPOCH_TICK: Duration = Duration::from_millis(1);

/// The party that loading a component (its `manifest` call) runs for: it
/// belongs to no tenant and has a share of its own.
const LOADING: &str = "<loading>";

/// A component's SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(Sha256::digest(bytes).into())
    }
}

impl std::str::FromStr for ContentHash {
    type Err = String;

    /// From 64 hex digits, as `Display` writes it.
    fn from_str(hex: &str) -> Result<Self, String> {
        let bad = || format!("`{hex}` is not a SHA-256 in hex");
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(ContentHash(out))
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A loaded plugin: its manifest, its limits and its compiled component,
/// ready to instantiate.
pub struct Plugin {
    hash: ContentHash,
    manifest: c::Manifest,
    bindings: Arc<Bindings>,
    limits: Limits,
}

impl Plugin {
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    pub fn version(&self) -> &str {
        &self.manifest.version
    }

    pub fn manifest(&self) -> &c::Manifest {
        &self.manifest
    }

    pub fn hash(&self) -> ContentHash {
        self.hash
    }

    /// The contract version the component was built against.
    pub fn contract(&self) -> &'static str {
        self.bindings.version()
    }

    /// Whether the component exports the optional `on-survey` hook (contract
    /// 1.1.0 and later).
    pub fn answers_surveys(&self) -> bool {
        self.bindings.answers_surveys()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.manifest.name)
            .field("version", &self.manifest.version)
            .field("contract", &self.contract())
            .field("answers_surveys", &self.answers_surveys())
            .field("hash", &self.hash.to_string())
            .finish()
    }
}

/// What a call cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallReport {
    pub fuel_used: u64,
    pub peak_memory_bytes: u64,
    #[serde(serialize_with = "micros")]
    pub elapsed: Duration,
    pub output_bytes: usize,
    /// The call's log (stdout, stderr, `log`), cut at the log limit.
    pub log: String,
    /// Bytes of log beyond the limit.
    pub log_dropped: usize,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// A hook's answer and what it cost.
#[derive(Debug, Clone)]
pub struct Called<T> {
    pub value: T,
    pub report: CallReport,
}

/// Runs plugins. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    limits: Limits,
    caps: Limits,
    budget: Budget,
    artifacts: Option<Arc<ArtifactCache>>,
    slots: CallSlots,
    compiles: Semaphore,
    compile_wait: Duration,
    loaded: Mutex<HashMap<ContentHash, Arc<Plugin>>>,
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

    /// The same plugin running on other limits (an operator's grant). The
    /// compiled component is shared.
    pub fn with_limits(&self, plugin: &Plugin, limits: Limits) -> Arc<Plugin> {
        Arc::new(Plugin {
            hash: plugin.hash,
            manifest: plugin.manifest.clone(),
            bindings: plugin.bindings.clone(),
            limits,
        })
    }

    /// Compile, check and load a component. Loading the same bytes twice
    /// returns the plugin loaded the first time.
    pub async fn load(&self, bytes: &[u8]) -> Result<Arc<Plugin>, LoadError> {
        let hash = ContentHash::of(bytes);
        if let Some(plugin) = self.cached(hash) {
            return Ok(plugin);
        }
        check_header(bytes)?;
        // Compiling uses every core: one at a time, and a bounded wait for
        // the turn.
        let _turn = tokio::time::timeout(self.compile_wait, self.compiles.acquire())
            .await
            .map_err(|_| {
                LoadError::Busy(format!(
                    "other components are compiling; none finished within {} s",
                    self.compile_wait.as_secs()
                ))
            })?
            .map_err(|e| LoadError::Invalid(format!("the runtime is shutting down: {e}")))?;
        // Another load of the same bytes may have finished while this one
        // waited.
        if let Some(plugin) = self.cached(hash) {
            return Ok(plugin);
        }
        let component = {
            let engine = self.engine.clone();
            let artifacts = self.artifacts.clone();
            let bytes = bytes.to_vec();
            // Compiling (or reading a large file) takes long enough to stall
            // other tasks.
            tokio::task::spawn_blocking(move || match artifacts {
                Some(cache) => cache.component(&engine, hash, &bytes),
                None => Component::new(&engine, &bytes),
            })
            .await
            .map_err(|e| LoadError::Invalid(e.to_string()))?
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?
        };
        let ty = component.component_type();
        let forbidden: Vec<String> = ty
            .imports(&self.engine)
            .map(|(name, _)| name)
            .filter(|name| !sandbox::import_allowed(name))
            .map(str::to_string)
            .collect();
        if !forbidden.is_empty() {
            return Err(LoadError::ForbiddenImport { imports: forbidden });
        }
        let exports: Vec<&str> = ty.exports(&self.engine).map(|(name, _)| name).collect();
        let version = bindings::detect(exports.iter().copied()).ok_or_else(|| {
            LoadError::UnsupportedContract {
                supported: bindings::SUPPORTED.join(", "),
                exported: if exports.is_empty() {
                    "nothing".into()
                } else {
                    exports.join(", ")
                },
            }
        })?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        let bindings =
            Bindings::new(version, pre).map_err(|e| LoadError::Invalid(format!("{e:#}")))?;

        let unnamed = |failure| PluginError {
            plugin: format!("<component {}>", &hash.to_string()[..12]),
            version: "?".into(),
            hook: Hook::Manifest,
            failure,
        };
        // The manifest is asked once per load, often at start beside every
        // other component: it runs on the default limits but with the
        // longest deadline an operator could grant, so a busy machine does
        // not refuse a sound plugin, and a sleeping one still ends.
        let limits = Limits {
            deadline_ms: self.limits.deadline_ms.max(self.caps.deadline_ms),
            ..self.limits
        };
        let permit = self
            .slots
            .acquire(LOADING)
            .await
            .map_err(|busy| unnamed(busy_failure(busy, &self.slots)))?;
        let started = Instant::now();
        let mut store = self.store(&limits, Timestamp::UNIX_EPOCH, started);
        let result = bounded(&limits, bindings.hooks().manifest(&mut store)).await;
        let (result, _) = self.finish(result, &store, &limits, started);
        drop(store);
        drop(permit);
        let manifest = result.map_err(unnamed)?;
        manifest::validate(&manifest).map_err(|reason| PluginError {
            plugin: manifest.name.clone(),
            version: manifest.version.clone(),
            hook: Hook::Manifest,
            failure: Failure::InvalidManifest { reason },
        })?;

        let plugin = Arc::new(Plugin {
            hash,
            manifest,
            bindings: Arc::new(bindings),
            limits: self.limits,
        });
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, plugin.clone());
        Ok(plugin)
    }

    fn cached(&self, hash: ContentHash) -> Option<Arc<Plugin>> {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            .cloned()
    }

    /// Drop the compiled component loaded from `hash`, so a refused upload
    /// or a version nobody binds does not stay in memory. Plugins handed
    /// out before keep working; the next `load` of the bytes compiles (or
    /// reads the precompiled file) again.
    pub fn evict(&self, hash: ContentHash) {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&hash);
    }

    /// Run `on-create`.
    pub async fn on_create(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
    ) -> Result<Called<c::Decision>, PluginError> {
        let called = self
            .call(plugin, Hook::OnCreate, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .hooks()
                    .on_create(store, snapshot, limit)
                    .await
            })
            .await?;
        self.check_decision(plugin, Hook::OnCreate, snapshot, called)
    }

    /// Run `guard` for a requested transition.
    pub async fn guard(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        transition: &c::TransitionRequest,
    ) -> Result<Called<c::Decision>, PluginError> {
        let called = self
            .call(plugin, Hook::Guard, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .hooks()
                    .guard(store, snapshot, transition, limit)
                    .await
            })
            .await?;
        self.check_decision(plugin, Hook::Guard, snapshot, called)
    }

    /// Run `after` for a recorded event.
    pub async fn after(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        event: &c::Event,
    ) -> Result<Called<Vec<c::Effect>>, PluginError> {
        let called = self
            .call(plugin, Hook::After, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .hooks()
                    .after(store, snapshot, event, limit)
                    .await
            })
            .await?;
        self.check_effects(plugin, Hook::After, snapshot, &called.value)?;
        Ok(called)
    }

    /// Run `on-timer` for a timer that came due.
    pub async fn on_timer(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        timer: &c::FiredTimer,
    ) -> Result<Called<Vec<c::Effect>>, PluginError> {
        let called = self
            .call(plugin, Hook::OnTimer, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .hooks()
                    .on_timer(store, snapshot, timer, limit)
                    .await
            })
            .await?;
        self.check_effects(plugin, Hook::OnTimer, snapshot, &called.value)?;
        Ok(called)
    }

    /// Run the named action.
    pub async fn action(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        name: &str,
        input: &c::Json,
    ) -> Result<Called<Result<c::ActionOutput, c::Rejection>>, PluginError> {
        let called = self
            .call(plugin, Hook::Action, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .hooks()
                    .action(store, snapshot, name, input, limit)
                    .await
            })
            .await?;
        if let Ok(output) = &called.value {
            self.check_effects(plugin, Hook::Action, snapshot, &output.effects)?;
        }
        Ok(called)
    }

    /// Run `on-survey` for a customer's answer to the ticket's survey.
    ///
    /// `None` when the plugin does not export the hook (every 1.0.0 plugin,
    /// and 1.1.0 plugins built for the world without surveys): it was not
    /// asked, which is not the same as answering with no effects.
    pub async fn on_survey(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
    ) -> Result<Option<Called<Vec<c::Effect>>>, PluginError> {
        if !plugin.answers_surveys() {
            return Ok(None);
        }
        let called = self
            .call(plugin, Hook::OnSurvey, snapshot, async |store, limit| {
                plugin
                    .bindings
                    .on_survey(store, snapshot, answer, limit)
                    .await
                    .unwrap_or_else(|| {
                        Err(HookError::Failure(Failure::Instantiation {
                            reason: "the component does not export on-survey".into(),
                        }))
                    })
            })
            .await?;
        self.check_effects(plugin, Hook::OnSurvey, snapshot, &called.value)?;
        Ok(Some(called))
    }

    fn check_decision(
        &self,
        plugin: &Plugin,
        hook: Hook,
        snapshot: &c::Snapshot,
        called: Called<c::Decision>,
    ) -> Result<Called<c::Decision>, PluginError> {
        if let Ok(effects) = &called.value {
            self.check_effects(plugin, hook, snapshot, effects)?;
        }
        Ok(called)
    }

    fn check_effects(
        &self,
        plugin: &Plugin,
        hook: Hook,
        snapshot: &c::Snapshot,
        list: &[c::Effect],
    ) -> Result<(), PluginError> {
        let limit = self.budget.effects_per_call;
        if list.len() > limit as usize {
            return Err(error(
                plugin,
                hook,
                Failure::BudgetExceeded {
                    budget: "effects per hook call".into(),
                    limit,
                },
            ));
        }
        effects::validate(&plugin.manifest, &snapshot.ticket.kind, list)
            .map_err(|reason| error(plugin, hook, Failure::MalformedOutput { reason }))
    }

    /// One call: a slot of the snapshot's tenant, a fresh store with the
    /// plugin's limits, the hook under its deadline, and a report of what it
    /// cost. The store is dropped before this returns, whatever the plugin
    /// did.
    async fn call<T>(
        &self,
        plugin: &Plugin,
        hook: Hook,
        snapshot: &c::Snapshot,
        run: impl AsyncFnOnce(&mut Store<CallState>, usize) -> Result<Measured<T>, HookError>,
    ) -> Result<Called<T>, PluginError> {
        let now = snapshot.now;
        let _slot = self
            .slots
            .acquire(&snapshot.tenant)
            .await
            .map_err(|busy| error(plugin, hook, busy_failure(busy, &self.slots)))?;
        let started = Instant::now();
        let limits = plugin.limits;
        let mut store = self.store(&limits, now, started);
        let result = bounded(&limits, run(&mut store, limits.input_bytes)).await;
        let (result, report) = self.finish(result, &store, &limits, started);
        let outcome = if result.is_ok() { "ok" } else { "failure" };
        metrics::counter!("plugin_calls_total", "plugin" => plugin.name().to_string(), "hook" => hook.as_str(), "outcome" => outcome)
            .increment(1);
        metrics::histogram!("plugin_call_duration_seconds", "plugin" => plugin.name().to_string(), "hook" => hook.as_str())
            .record(report.elapsed.as_secs_f64());
        let value = result.map_err(|failure| error(plugin, hook, failure))?;
        tracing::debug!(
            plugin = plugin.name(),
            version = plugin.version(),
            %hook,
            fuel = report.fuel_used,
            memory = report.peak_memory_bytes,
            micros = report.elapsed.as_micros() as u64,
            "plugin call"
        );
        Ok(Called { value, report })
    }

    fn store(&self, limits: &Limits, now: Timestamp, started: Instant) -> Store<CallState> {
        let mut store = Store::new(&self.engine, CallState::new(limits, now));
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(limits.fuel)
            .expect("fuel consumption is enabled in the engine config");
        // At every tick a running call lets the other tasks of its thread
        // run (a tenant's busy plugin must not hold a core of the server),
        // then goes on until its deadline.
        let deadline = limits.deadline();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if started.elapsed() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        store
    }

    /// Turn the outcome of a hook into a value or a [`Failure`], and measure
    /// the call.
    fn finish<T>(
        &self,
        result: Result<Measured<T>, HookError>,
        store: &Store<CallState>,
        limits: &Limits,
        started: Instant,
    ) -> (Result<T, Failure>, CallReport) {
        let (log, log_dropped) = store.data().log.contents();
        let mut report = CallReport {
            fuel_used: limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
            peak_memory_bytes: store.data().limiter.peak() as u64,
            elapsed: started.elapsed(),
            output_bytes: 0,
            log,
            log_dropped,
        };
        let result = match result {
            Ok(measured) if measured.bytes > limits.output_bytes => Err(Failure::OutputTooLarge {
                size: measured.bytes,
                limit: limits.output_bytes,
            }),
            Ok(measured) => {
                report.output_bytes = measured.bytes;
                Ok(measured.value)
            }
            Err(HookError::Failure(failure)) => Err(failure),
            Err(HookError::Instantiate(e)) if e.downcast_ref::<Trap>().is_none() => {
                Err(Failure::Instantiation {
                    reason: format!("{e:#}"),
                })
            }
            Err(HookError::Instantiate(e) | HookError::Wasm(e)) => {
                Err(classify(&e, limits, &report.log))
            }
        };
        (result, report)
    }
}

/// Run a hook within its deadline. Epoch interruption stops a call that
/// computes too long; this also ends one that waits too long in a host call,
/// where no wasm runs to notice the epoch. Dropping the call's future
/// unwinds the guest, and its store is dropped right after.
async fn bounded<T>(
    limits: &Limits,
    call: impl Future<Output = Result<T, HookError>>,
) -> Result<T, HookError> {
    tokio::time::timeout(limits.deadline(), call)
        .await
        .unwrap_or(Err(HookError::Failure(Failure::Deadline {
            limit_ms: limits.deadline_ms,
        })))
}

fn busy_failure(busy: Busy, slots: &CallSlots) -> Failure {
    let waited_ms = u64::try_from(slots.wait().as_millis()).unwrap_or(u64::MAX);
    match busy {
        Busy::Share { share } => Failure::Busy {
            scope: "tenant".into(),
            slots: share,
            waited_ms,
        },
        Busy::Runtime { slots } => Failure::Busy {
            scope: "host".into(),
            slots,
            waited_ms,
        },
    }
}

fn error(plugin: &Plugin, hook: Hook, failure: Failure) -> PluginError {
    PluginError {
        plugin: plugin.name().to_string(),
        version: plugin.version().to_string(),
        hook,
        failure,
    }
}

/// Name the cause of a trap.
fn classify(error: &wasmtime::Error, limits: &Limits, log: &str) -> Failure {
    if let Some(m) = error.downcast_ref::<MemoryLimitExceeded>() {
        return Failure::MemoryLimit {
            desired: m.desired as u64,
            limit: m.limit as u64,
        };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Failure::FuelExhausted { limit: limits.fuel },
        Some(Trap::Interrupt) => Failure::Deadline {
            limit_ms: limits.deadline_ms,
        },
        Some(Trap::StackOverflow) => Failure::StackOverflow,
        // Rust keeps most of its stack in linear memory; running off its end
        // is an out-of-bounds access, not a wasm stack overflow.
        Some(Trap::MemoryOutOfBounds) if panic_message(log).is_none() => Failure::Trap {
            message: format!(
                "{} (in a Rust plugin usually a stack overflow from deep recursion)",
                Trap::MemoryOutOfBounds
            ),
        },
        Some(trap) => Failure::Trap {
            message: match panic_message(log) {
                Some(panic) => format!("{trap}; the plugin {panic}"),
                None => trap.to_string(),
            },
        },
        None => Failure::Trap {
            message: format!("{error:#}"),
        },
    }
}

/// The panic message a Rust guest printed before it aborted, if any.
fn panic_message(log: &str) -> Option<String> {
    let start = log.find("panicked at")?;
    let text = log[start..].trim_end();
    let text = text
        .split("\nnote: run with `RUST_BACKTRACE")
        .next()
        .unwrap_or(text);
    Some(text.replace('\n', " "))
}

/// Distinguish "not wasm at all" and "a core module" from a component before
/// asking the compiler, whose messages about them are obscure.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(LoadError::NotAComponent(
            "the file is not WebAssembly (no \\0asm header)".into(),
        ));
    }
    match bytes[4..8] {
        [0x01, 0x00, 0x00, 0x00] => Err(LoadError::NotAComponent(
            "the file is a core WebAssembly module; build the plugin for wasm32-wasip2 \
             (or wrap the module with `wasm-tools component new`)"
                .into(),
        )),
        [_, _, 0x01, 0x00] => Ok(()),
        _ => Err(LoadError::NotAComponent(
            "unknown WebAssembly binary version".into(),
        )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_tell_modules_from_components() {
        assert!(matches!(
            check_header(b"hello world"),
            Err(LoadError::NotAComponent(m)) if m.contains("not WebAssembly")
        ));
        assert!(matches!(
            check_header(b"\0asm\x01\0\0\0"),
            Err(LoadError::NotAComponent(m)) if m.contains("core WebAssembly module")
        ));
        assert!(check_header(b"\0asm\x0d\0\x01\0").is_ok());
    }

    #[test]
    fn panic_messages_are_found_in_the_log() {
        let log = "thread '<unnamed>' panicked at src/lib.rs:3:5:\nboom\nnote: run with `RUST_BACKTRACE=1`";
        assert_eq!(
            panic_message(log).as_deref(),
            Some("panicked at src/lib.rs:3:5: boom")
        );
    }
}
