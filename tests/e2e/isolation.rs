//! No state leaks between calls: every call gets a fresh instance.

use std::sync::Arc;

use aftersale_sdk::testing::EffectsExt;
use serde_json::json;

use aftersale::plugins::{Limits, Runtime, RuntimeConfig};

use crate::harness::support::{components, load, trial};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_on_eight_tasks_each_see_a_fresh_instance() {
    // This is about isolation, not limits: a loaded machine must not turn
    // slow calls into deadline failures.
    let config = RuntimeConfig {
        limits: Limits {
            deadline_ms: 5_000,
            ..Limits::default()
        },
        ..RuntimeConfig::default()
    };
    let runtime = Arc::new(Runtime::new(config).expect("the runtime starts"));
    let plugin = load(&runtime, components::HOSTILE).await;
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let runtime = runtime.clone();
            let plugin = plugin.clone();
            tokio::spawn(async move {
                for call in 0..125 {
                    let snapshot = trial("count")
                        .attr("caller", format!("{task}/{call}"))
                        .build();
                    let effects = runtime
                        .on_create(&plugin, &snapshot)
                        .await
                        .unwrap()
                        .value
                        .unwrap();
                    // A static counter inside the plugin starts at zero every time.
                    assert_eq!(
                        effects.attribute("calls"),
                        Some(&json!(1)),
                        "task {task} call {call}"
                    );
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("no task panicked");
    }
}
