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
use aftersale_sdk::testing::Harness;
use aftersale_sdk::{Audience, serde_json::Value};
use it_support::ItSupport;

fn desk() -> Harness<ItSupport> {
    Harness::new()
}

/// Who is told, with which template.
fn notices(effects: &[Effect]) -> Vec<(Audience, &str)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify {
                audience, template, ..
            } => Some((*audience, template.as_str())),
            _ => None,
        })
        .collect()
}

fn cancels(effects: &[Effect], timer: &str) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::CancelTimer { name } if name == timer))
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
