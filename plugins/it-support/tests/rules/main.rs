//! The it-support rules, one module per rule id, run through the hooks the
//! way the host calls them.

mod auto_close;
mod config;
mod e4;
mod i1_priority;
mod i2_targets;
mod i3_escalation;
mod i4_work_note;
mod i5_major_incident;

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::Harness;
use it_support::ItSupport;

fn desk() -> Harness<ItSupport> {
    Harness::new()
}

fn escalated_to(effects: &[Effect]) -> Option<u8> {
    effects.iter().find_map(|e| match e {
        Effect::Escalate { tier, .. } => Some(*tier),
        _ => None,
    })
}

/// The output of the `priority` action.
fn priority_answer(snapshot: &Snapshot, input: Value) -> Value {
    desk()
        .action(snapshot, "priority", input)
        .expect("the priority action answers")
        .output
}
