//! Every hook of the contract, through the real runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aftersale::plugins::{DEFAULT_BUNDLE, Hook, Runtime, RuntimeConfig};
use aftersale_sdk::testing::{EffectsExt, at};
use aftersale_sdk::{Effect, Event, FiredTimer, Json, Role};
use serde_json::json;

use crate::harness::support::{behaving, components, finish, load, runtime, trial};

#[tokio::test]
async fn manifest_is_read_and_validated_at_load() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    assert_eq!(plugin.name(), "hostile");
    assert_eq!(plugin.version(), "6.6.6");
    assert_eq!(plugin.contract(), "1.2.0");
    let kind = plugin.manifest().kind("trial").expect("declares trial");
    assert_eq!(kind.workflow.initial, "open");
    assert_eq!(
        kind.workflow.transition("finish").unwrap().roles,
        [Role::Agent, Role::Admin, Role::System]
    );
}

#[tokio::test]
async fn loading_the_same_bytes_twice_reuses_the_plugin() {
    let runtime = runtime();
    let first = load(&runtime, components::HOSTILE).await;
    let second = load(&runtime, components::HOSTILE).await;
    assert!(std::sync::Arc::ptr_eq(&first, &second));
}

#[tokio::test]
async fn on_create_returns_effects() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let called = runtime
        .on_create(&plugin, &trial("count").build())
        .await
        .unwrap();
    let effects = called.value.unwrap();
    assert_eq!(effects.attribute("calls"), Some(&json!(1)));
    assert!(called.report.fuel_used > 0);
    assert!(called.report.peak_memory_bytes > 0);
}

#[tokio::test]
async fn guard_allows_or_rejects_with_the_rule_and_details() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;

    let allowed = runtime
        .guard(&plugin, &behaving(), &finish())
        .await
        .unwrap();
    assert_eq!(
        allowed.value,
        Ok(vec![Effect::note("finish allowed", true)])
    );

    let rejected = runtime
        .guard(&plugin, &trial("behave").build(), &finish())
        .await
        .unwrap();
    let rejection = rejected.value.unwrap_err();
    assert_eq!(rejection.code, "verdict-missing");
    assert_eq!(rejection.rule.as_deref(), Some("H1"));
    assert_eq!(rejection.details, ["verdict"]);
}

#[tokio::test]
async fn after_sees_the_event() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let snapshot = behaving();
    let event = Event {
        id: "e1".into(),
        at: snapshot.now,
        actor: snapshot.actor.clone(),
        kind: "commented".into(),
        data: Json::from(json!({"body": "hello"})),
    };
    let called = runtime.after(&plugin, &snapshot, &event).await.unwrap();
    assert_eq!(called.value, vec![Effect::note("saw commented", true)]);
}

#[tokio::test]
async fn on_timer_gets_the_timer() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let snapshot = behaving();
    let timer = FiredTimer {
        name: "follow_up".into(),
        due: snapshot.now,
        payload: Json::from(json!({"n": 1})),
    };
    let called = runtime.on_timer(&plugin, &snapshot, &timer).await.unwrap();
    assert_eq!(
        called.value.attribute("last_timer"),
        Some(&json!("follow_up"))
    );
}

#[tokio::test]
async fn action_answers_with_json_and_the_clock_is_the_snapshots() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let snapshot = trial("behave")
        .now("2026-03-08T23:59:00+08:00")
        .config(json!({"threshold": 3}))
        .build();
    let called = runtime
        .action(&plugin, &snapshot, "echo", &Json::from(json!({"q": "why"})))
        .await
        .unwrap();
    let output = called.value.unwrap().output;
    assert_eq!(output["input"], json!({"q": "why"}));
    assert_eq!(output["config"], json!({"threshold": 3}));
    // The WASI wall clock is frozen at the snapshot's `now`.
    let now = at("2026-03-08T23:59:00+08:00").as_millisecond();
    assert_eq!(output["clock"], json!(now));

    let unknown = runtime
        .action(&plugin, &snapshot, "divine", &Json::from(json!({})))
        .await
        .unwrap();
    assert_eq!(unknown.value.unwrap_err().code, "unknown-action");
}

#[tokio::test]
async fn first_party_plugins_load_with_their_manifests() {
    let runtime = runtime();
    let mut names = Vec::new();
    for (package, bytes) in DEFAULT_BUNDLE {
        let plugin = runtime
            .load(bytes)
            .await
            .unwrap_or_else(|e| panic!("{package}: {e}"));
        assert!(!plugin.manifest().kinds.is_empty());
        names.push(plugin.name().to_string());
    }
    assert_eq!(
        names,
        ["appliance", "complaints", "it-support", "retail-returns"]
    );
}

#[test]
fn hooks_parse_from_their_contract_names() {
    for hook in Hook::ALL {
        assert_eq!(hook.as_str().parse::<Hook>(), Ok(hook));
    }
    assert!(
        "on_create"
            .parse::<Hook>()
            .unwrap_err()
            .contains("on-create")
    );
}

/// Threads that keep every core busy until `stop`: the machine a sound call
/// meets while the host compiles a big component or other work saturates it.
fn hog_cores(threads: usize, stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    (0..threads)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sound_calls_on_a_saturated_machine_are_charged_only_their_own_time() {
    // Fifty calls of one tenant take its one turn in order while 64
    // threads keep the cores busy: the last waits far longer than the 50 ms
    // deadline, and the kernel sets every call aside again and again, yet
    // none computes more than a fraction of a millisecond. The slot wait is
    // out of the way: only the deadline is on trial.
    let runtime = Arc::new(
        Runtime::new(RuntimeConfig {
            slot_wait: std::time::Duration::from_secs(30),
            ..RuntimeConfig::default()
        })
        .expect("the runtime starts"),
    );
    let plugin = load(&runtime, components::HOSTILE).await;
    let stop = Arc::new(AtomicBool::new(false));
    let hogs = hog_cores(64, &stop);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (runtime, plugin) = (runtime.clone(), plugin.clone());
            tokio::spawn(async move { runtime.guard(&plugin, &behaving(), &finish()).await })
        })
        .collect();
    let mut failures = Vec::new();
    for call in calls {
        if let Err(e) = call.await.expect("no call panicked") {
            failures.push(e.to_string());
        }
    }
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        hog.join().expect("the hog ends");
    }
    assert!(
        failures.is_empty(),
        "{} of 50 failed: {failures:?}",
        failures.len()
    );
}
