//! Plugins that misbehave: each failure is its own typed error naming the
//! plugin, version and hook, and the next call works.

use aftersale::plugins::{Failure, Hook, Limits, LoadError, PluginError, Runtime, RuntimeConfig};
use aftersale_sdk::{Effect, TransitionRequest};

use crate::harness::support::{behaving, components, finish, load, runtime, trial};

/// Run the guard in `mode`, expect a failure, then check a normal call
/// still succeeds on the same runtime and plugin.
async fn guard_fails(runtime: &Runtime, mode: &str) -> PluginError {
    let plugin = load(runtime, components::HOSTILE).await;
    let error = runtime
        .guard(&plugin, &trial(mode).build(), &finish())
        .await
        .expect_err("the call must fail");
    assert_eq!(error.plugin, "hostile");
    assert_eq!(error.version, "6.6.6");
    assert_eq!(error.hook, Hook::Guard);
    let next = runtime
        .guard(&plugin, &behaving(), &finish())
        .await
        .expect("the next call works");
    assert!(next.value.is_ok());
    error
}

#[tokio::test]
async fn an_infinite_loop_runs_out_of_fuel() {
    let error = guard_fails(&runtime(), "burn").await;
    assert_eq!(error.failure, Failure::FuelExhausted { limit: 10_000_000 });
    assert!(
        error
            .to_string()
            .starts_with("plugin hostile@6.6.6, hook guard: fuel exhausted")
    );
}

#[tokio::test]
async fn a_loop_in_host_calls_hits_the_deadline() {
    // With fuel out of the way the deadline is what stops it.
    let runtime = Runtime::new(RuntimeConfig {
        limits: Limits {
            fuel: u64::MAX / 2,
            ..Limits::default()
        },
        ..RuntimeConfig::default()
    })
    .unwrap();
    let error = guard_fails(&runtime, "spin").await;
    assert_eq!(error.failure, Failure::Deadline { limit_ms: 50 });
}

#[tokio::test]
async fn a_sleep_in_a_host_call_returns_at_once() {
    // `std::thread::sleep(30 s)` polls a monotonic-clock pollable; the
    // sandbox's clock stands still, so there is nothing to wait for.
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let started = std::time::Instant::now();
    let called = runtime
        .guard(&plugin, &trial("sleep").build(), &finish())
        .await
        .expect("the call succeeds");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(called.report.cpu < std::time::Duration::from_millis(50));
    assert!(called.value.is_ok());
}

#[tokio::test]
async fn waiting_in_host_calls_for_the_clock_ends_at_the_deadline() {
    // Fuel out of the way: only the deadline can end a loop of sleeps.
    let runtime = Runtime::new(RuntimeConfig {
        limits: Limits {
            fuel: u64::MAX / 2,
            ..Limits::default()
        },
        ..RuntimeConfig::default()
    })
    .unwrap();
    let plugin = load(&runtime, components::HOSTILE).await;
    let started = std::time::Instant::now();
    let error = runtime
        .guard(&plugin, &trial("wait_for_clock").build(), &finish())
        .await
        .expect_err("the call must fail");
    // Charged on its CPU time, the call ends within its deadline and the
    // slot wait, however busy the machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(error.failure, Failure::Deadline { limit_ms: 50 });
}

#[tokio::test]
async fn a_manifest_that_sleeps_is_refused_within_the_deadline() {
    let bytes = std::fs::read(components::SLEEPY_MANIFEST).unwrap();
    let runtime = runtime();
    let started = std::time::Instant::now();
    match runtime.load(&bytes).await {
        Err(LoadError::Plugin(error)) => {
            assert_eq!(error.hook, Hook::Manifest);
            assert!(
                matches!(
                    error.failure,
                    Failure::Deadline { .. } | Failure::FuelExhausted { .. }
                ),
                "{error}"
            );
        }
        other => panic!("expected the manifest call to fail, got {other:?}"),
    }
    // Compiling the component is most of it; the call itself is bounded by
    // its 1 s deadline.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[tokio::test]
async fn an_answer_with_too_many_effects_is_over_budget() {
    let error = guard_fails(&runtime(), "fan_out").await;
    assert_eq!(
        error.failure,
        Failure::BudgetExceeded {
            budget: "effects per hook call".into(),
            limit: 64
        }
    );
}

#[tokio::test]
async fn unbounded_memory_growth_hits_the_memory_limit() {
    let error = guard_fails(&runtime(), "hog").await;
    match error.failure {
        Failure::MemoryLimit { desired, limit } => {
            assert_eq!(limit, 32 << 20);
            assert!(desired > limit);
        }
        other => panic!("expected a memory limit, got {other:?}"),
    }
}

#[tokio::test]
async fn deep_recursion_overflows_the_stack() {
    let error = guard_fails(&runtime(), "recurse").await;
    assert_eq!(error.failure, Failure::StackOverflow);
}

#[tokio::test]
async fn recursion_with_large_frames_is_a_trap_that_says_so() {
    let error = guard_fails(&runtime(), "deep_frames").await;
    match error.failure {
        Failure::Trap { message } => assert!(message.contains("stack overflow"), "{message}"),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panic_is_a_trap_with_its_message() {
    let error = guard_fails(&runtime(), "panic").await;
    match error.failure {
        Failure::Trap { message } => {
            assert!(
                message.contains("the plugin gave up on ticket"),
                "{message}"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[tokio::test]
async fn a_huge_answer_is_refused() {
    let error = guard_fails(&runtime(), "flood").await;
    match error.failure {
        Failure::OutputTooLarge { size, limit } => {
            assert_eq!(limit, 64 << 10);
            assert!(size > 200 << 10);
        }
        other => panic!("expected output too large, got {other:?}"),
    }
}

#[tokio::test]
async fn a_huge_snapshot_is_refused_before_the_call() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let snapshot = trial("behave").attr("blob", "x".repeat(300 << 10)).build();
    let error = runtime
        .guard(&plugin, &snapshot, &finish())
        .await
        .unwrap_err();
    assert!(matches!(error.failure, Failure::InputTooLarge { limit, .. } if limit == 256 << 10));
}

#[tokio::test]
async fn an_effect_naming_an_unknown_transition_is_malformed() {
    let error = guard_fails(&runtime(), "unknown_transition").await;
    match error.failure {
        Failure::MalformedOutput { reason } => assert!(reason.contains("teleport"), "{reason}"),
        other => panic!("expected malformed output, got {other:?}"),
    }
}

#[tokio::test]
async fn an_effect_with_a_bad_attribute_name_is_malformed() {
    let error = guard_fails(&runtime(), "bad_name").await;
    assert!(matches!(error.failure, Failure::MalformedOutput { .. }));
}

#[tokio::test]
async fn chatter_is_cut_at_the_log_limit_without_failing() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let snapshot = trial("chatter").attr("verdict", "fine").build();
    let called = runtime.guard(&plugin, &snapshot, &finish()).await.unwrap();
    assert!(called.value.is_ok());
    assert_eq!(called.report.log.len(), 4 << 10);
    assert!(called.report.log_dropped > 30_000);
}

#[tokio::test]
async fn a_manifest_with_an_unknown_state_is_refused() {
    let runtime = runtime();
    let bytes = std::fs::read(components::BAD_MANIFEST).unwrap();
    match runtime.load(&bytes).await {
        Err(LoadError::Plugin(error)) => {
            assert_eq!(error.plugin, "confused");
            assert_eq!(error.hook, Hook::Manifest);
            assert!(
                matches!(&error.failure, Failure::InvalidManifest { reason } if reason.contains("unknown state `nowhere`")),
                "{error}"
            );
        }
        other => panic!("expected an invalid manifest, got {other:?}"),
    }
}

/// What a snoop component's `poke` guard wrote in its note.
async fn poked(component: &str) -> String {
    let runtime = runtime();
    let plugin = load(&runtime, component).await;
    let poke = TransitionRequest {
        name: "poke".into(),
        from: "open".into(),
        to: "open".into(),
        note: None,
        changed_attributes: Vec::new(),
    };
    let called = runtime
        .guard(&plugin, &trial("behave").build(), &poke)
        .await
        .expect("the call runs");
    let effects = called.value.expect("the guard allows");
    let [Effect::AddNote { body, .. }] = effects.as_slice() else {
        panic!("one note, got {effects:?}");
    };
    body.clone()
}

#[tokio::test]
async fn a_component_linking_the_filesystem_loads_and_finds_no_directory() {
    let note = poked(components::SNOOP_FS).await;
    assert_eq!(note.matches("refused:").count(), 3, "{note}");
    assert!(
        !note.contains("read ") && !note.contains("listed ") && !note.contains("wrote "),
        "{note}"
    );
}

#[tokio::test]
async fn a_component_linking_sockets_loads_and_is_denied_every_connection() {
    let note = poked(components::SNOOP_NET).await;
    assert_eq!(note.matches("refused:").count(), 3, "{note}");
    assert!(
        !note.contains("connected") && !note.contains("bound") && !note.contains("resolved"),
        "{note}"
    );
}

#[tokio::test]
async fn an_http_import_is_refused_at_load_and_named() {
    let bytes = std::fs::read(components::FORBIDDEN_HTTP).unwrap();
    match runtime().load(&bytes).await {
        Err(error @ LoadError::ForbiddenImport { .. }) => {
            assert!(error.to_string().contains("`wasi:http/"), "{error}");
        }
        other => panic!("expected a forbidden import, got {other:?}"),
    }
}

#[tokio::test]
async fn garbage_and_core_modules_are_not_components() {
    let runtime = runtime();
    assert!(matches!(
        runtime.load(b"definitely not wasm").await,
        Err(LoadError::NotAComponent(_))
    ));
    // The smallest valid core module.
    assert!(matches!(
        runtime.load(b"\0asm\x01\0\0\0").await,
        Err(LoadError::NotAComponent(m)) if m.contains("core WebAssembly module")
    ));
}

#[tokio::test]
async fn every_hostile_mode_in_turn_leaves_the_runtime_serving() {
    let runtime = runtime();
    for mode in [
        "burn",
        "hog",
        "recurse",
        "deep_frames",
        "panic",
        "flood",
        "unknown_transition",
    ] {
        guard_fails(&runtime, mode).await;
    }
}
