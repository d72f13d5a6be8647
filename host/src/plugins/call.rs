//! Calling a hook: a slot of the tenant, a fresh store on the plugin's
//! limits, the hook under its deadline and in its tenant's turns, the answer checked, and a report of
//! what the call cost. Traps and limits become typed [`Failure`]s.

use std::pin::Pin;
use std::time::{Duration, Instant};

use aftersale_sdk as c;
use jiff::Timestamp;
use wasmtime::{Store, Trap, UpdateDeadline};

use super::bindings::{HookError, Measured};
use super::cpu::CpuMeter;
use super::effects;
use super::engine::Runtime;
use super::error::{Failure, Hook, PluginError};
use super::limits::{Limits, MemoryLimitExceeded};
use super::load::Plugin;
use super::offload::Work;
use super::sandbox::CallState;
use super::slots::{Busy, CallSlots};
use super::turns::Seat;

/// What a call cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallReport {
    pub fuel_used: u64,
    pub peak_memory_bytes: u64,
    /// Wall-clock time from asking for a turn to the answer.
    #[serde(serialize_with = "micros")]
    pub elapsed: Duration,
    /// CPU time the call used, host calls included: what its deadline is
    /// charged.
    #[serde(serialize_with = "micros")]
    pub cpu: Duration,
    pub output_bytes: usize,
    /// The call's log (stdout, stderr, `log`), cut at the log limit.
    pub log: String,
    /// Bytes of log beyond the limit.
    pub log_dropped: usize,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// A hook call, ready to run in a fresh store with the input limit. It owns
/// what it sends, so that a long call can move to the plugin threads.
pub(super) type Run<T> = Box<
    dyn for<'s> FnOnce(
            &'s mut Store<CallState>,
            usize,
        )
            -> Pin<Box<dyn Future<Output = Result<Measured<T>, HookError>> + Send + 's>>
        + Send,
>;

/// Epoch ticks a call runs through where it began before it moves to the
/// plugin threads: about 5 ms of running, over a hundred times the usual
/// Rust call and past a fresh Python or JavaScript instance's few
/// milliseconds, so that only a call computing far longer than a sound one
/// moves to the lower priority (where a machine busy with other work could
/// starve it to its deadline). Counted in ticks the call ran in, not in
/// time since it began, so that a call the kernel set aside stays.
const LONG_AFTER_TICKS: u32 = 20;

/// A hook's answer and what it cost.
#[derive(Debug, Clone)]
pub struct Called<T> {
    pub value: T,
    pub report: CallReport,
}

impl Runtime {
    /// Run `on-create`.
    pub async fn on_create(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
    ) -> Result<Called<c::Decision>, PluginError> {
        let (bindings, s) = (plugin.bindings.clone(), snapshot.clone());
        let run: Run<c::Decision> = Box::new(move |store, limit| {
            Box::pin(async move { bindings.hooks().on_create(store, &s, limit).await })
        });
        let called = self.call(plugin, Hook::OnCreate, snapshot, run).await?;
        self.check_decision(plugin, Hook::OnCreate, snapshot, called)
    }

    /// Run `guard` for a requested transition.
    pub async fn guard(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        transition: &c::TransitionRequest,
    ) -> Result<Called<c::Decision>, PluginError> {
        let (bindings, s, t) = (
            plugin.bindings.clone(),
            snapshot.clone(),
            transition.clone(),
        );
        let run: Run<c::Decision> = Box::new(move |store, limit| {
            Box::pin(async move { bindings.hooks().guard(store, &s, &t, limit).await })
        });
        let called = self.call(plugin, Hook::Guard, snapshot, run).await?;
        self.check_decision(plugin, Hook::Guard, snapshot, called)
    }

    /// Run `after` for a recorded event.
    pub async fn after(
        &self,
        plugin: &Plugin,
        snapshot: &c::Snapshot,
        event: &c::Event,
    ) -> Result<Called<Vec<c::Effect>>, PluginError> {
        let (bindings, s, e) = (plugin.bindings.clone(), snapshot.clone(), event.clone());
        let run: Run<Vec<c::Effect>> = Box::new(move |store, limit| {
            Box::pin(async move { bindings.hooks().after(store, &s, &e, limit).await })
        });
        let called = self.call(plugin, Hook::After, snapshot, run).await?;
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
        let (bindings, s, t) = (plugin.bindings.clone(), snapshot.clone(), timer.clone());
        let run: Run<Vec<c::Effect>> = Box::new(move |store, limit| {
            Box::pin(async move { bindings.hooks().on_timer(store, &s, &t, limit).await })
        });
        let called = self.call(plugin, Hook::OnTimer, snapshot, run).await?;
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
        let (bindings, s) = (plugin.bindings.clone(), snapshot.clone());
        let (name, input) = (name.to_string(), input.clone());
        let run: Run<Result<c::ActionOutput, c::Rejection>> = Box::new(move |store, limit| {
            Box::pin(async move {
                let hooks = bindings.hooks();
                hooks.action(store, &s, &name, &input, limit).await
            })
        });
        let called = self.call(plugin, Hook::Action, snapshot, run).await?;
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
        let (bindings, s, a) = (plugin.bindings.clone(), snapshot.clone(), answer.clone());
        let run: Run<Vec<c::Effect>> = Box::new(move |store, limit| {
            Box::pin(async move {
                bindings
                    .on_survey(store, &s, &a, limit)
                    .await
                    .unwrap_or_else(|| {
                        Err(HookError::Failure(Failure::Instantiation {
                            reason: "the component does not export on-survey".into(),
                        }))
                    })
            })
        });
        let called = self.call(plugin, Hook::OnSurvey, snapshot, run).await?;
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

    /// One call: a slot of the snapshot's tenant, then the hook in a
    /// sandbox, and a report of what it cost.
    async fn call<T: Send + 'static>(
        &self,
        plugin: &Plugin,
        hook: Hook,
        snapshot: &c::Snapshot,
        run: Run<T>,
    ) -> Result<Called<T>, PluginError> {
        let _slot = self
            .slots
            .acquire(&snapshot.tenant)
            .await
            .map_err(|busy| error(plugin, hook, busy_failure(busy, &self.slots)))?;
        let (result, report) = self
            .sandboxed(&snapshot.tenant, &plugin.limits, snapshot.now, run)
            .await;
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

    /// Run a hook for `party` in a fresh store with `limits`, in turns with
    /// the other calls and under its deadline; a call that runs past a
    /// couple of ticks goes on on the plugin threads. The deadline is
    /// charged on the call's CPU time ([`CpuMeter`]); whatever the load, the
    /// call as a whole ends at the latest the slot wait past its deadline.
    /// The store is dropped before this returns, whatever the plugin did.
    pub(super) async fn sandboxed<T: Send + 'static>(
        &self,
        party: &str,
        limits: &Limits,
        now: Timestamp,
        run: Run<T>,
    ) -> (Result<T, Failure>, CallReport) {
        let started = Instant::now();
        let limits = *limits;
        let meter = CpuMeter::default();
        let seat = Seat::new(party, &self.turns, self.offload.turns());
        let mut store = self.store(&limits, now, &meter, &seat);
        let moving = seat.clone();
        let late = self.slots.wait();
        let cores = self.turns.total();
        let cpu = meter.clone();
        let work: Work<_> = Box::pin(async move {
            let within = limits.deadline() + late;
            let call = async {
                seat.sit().await;
                // Ticks count from here, not from the wait for a turn.
                store.set_epoch_deadline(1);
                meter.measure(run(&mut store, limits.input_bytes)).await
            };
            let result = tokio::time::timeout(within, call)
                .await
                .unwrap_or_else(|_| {
                    Err(HookError::Failure(overdue(&meter, &limits, within, cores)))
                });
            seat.stand();
            (result, store)
        });
        match self.offload.run(|| moving.has_moved(), work).await {
            Some((result, store)) => finish(result, &store, &limits, started, cpu.used()),
            None => (
                Err(Failure::Deadline {
                    limit_ms: limits.deadline_ms,
                }),
                CallReport {
                    elapsed: started.elapsed(),
                    cpu: cpu.used(),
                    ..CallReport::default()
                },
            ),
        }
    }

    fn store(
        &self,
        limits: &Limits,
        now: Timestamp,
        meter: &CpuMeter,
        seat: &Seat,
    ) -> Store<CallState> {
        let mut store = Store::new(&self.engine, CallState::new(limits, now));
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(limits.fuel)
            .expect("fuel consumption is enabled in the engine config");
        // At every tick a running call passes its turn on when another call
        // waits for one, and else lets the other tasks of its thread run;
        // one that has run for long moves to the plugin threads (a tenant's
        // busy plugin must not hold a core of the server); it goes on until
        // its deadline.
        let deadline = limits.deadline();
        let (meter, seat) = (meter.clone(), seat.clone());
        let mut ticks = 0;
        store.epoch_deadline_callback(move |_| {
            if meter.used() >= deadline {
                return Ok(UpdateDeadline::Interrupt);
            }
            ticks += 1;
            if ticks == LONG_AFTER_TICKS {
                return Ok(UpdateDeadline::YieldCustom(1, seat.move_on()));
            }
            Ok(match seat.pass() {
                Some(next_turn) => UpdateDeadline::YieldCustom(1, next_turn),
                None => UpdateDeadline::Yield(1),
            })
        });
        store
    }
}

/// Turn the outcome of a hook into a value or a [`Failure`], and measure
/// the call.
fn finish<T>(
    result: Result<Measured<T>, HookError>,
    store: &Store<CallState>,
    limits: &Limits,
    started: Instant,
    cpu: Duration,
) -> (Result<T, Failure>, CallReport) {
    let (log, log_dropped) = store.data().log.contents();
    let mut report = CallReport {
        fuel_used: limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
        peak_memory_bytes: store.data().limiter.peak() as u64,
        elapsed: started.elapsed(),
        cpu,
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

/// Why a call the wall clock ended fails: it had begun to run and took too
/// long (the plugin's failure), or it never got one of the `cores` turns
/// (the host was busy; not held against the plugin).
fn overdue(meter: &CpuMeter, limits: &Limits, within: Duration, cores: u32) -> Failure {
    if meter.ran() {
        Failure::Deadline {
            limit_ms: limits.deadline_ms,
        }
    } else {
        Failure::Busy {
            scope: "cores".into(),
            slots: cores,
            waited_ms: millis(within),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(super) fn busy_failure(busy: Busy, slots: &CallSlots) -> Failure {
    let waited_ms = millis(slots.wait());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_found_in_the_log() {
        let log = "thread '<unnamed>' panicked at src/lib.rs:3:5:\nboom\nnote: run with `RUST_BACKTRACE=1`";
        assert_eq!(
            panic_message(log).as_deref(),
            Some("panicked at src/lib.rs:3:5: boom")
        );
    }
}
