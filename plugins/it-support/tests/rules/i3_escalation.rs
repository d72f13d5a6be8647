use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder};
use aftersale_sdk::{Audience, serde_json::Value};

use crate::{desk, escalated_to};

fn working() -> SnapshotBuilder {
    desk()
        .snapshot("incident")
        .state("in_progress")
        .assignee("agent-7")
        .priority(Priority::P2)
}

fn fire(snapshot: &Snapshot, timer: &str) -> Vec<Effect> {
    desk().on_timer(snapshot, timer, Value::Null)
}

#[test]
fn i3_below_50_percent_nobody_is_told() {
    assert_eq!(fire(&working().build(), "sla:response:49"), vec![]);
}

#[test]
fn i3_at_50_percent_the_assignee_is_told() {
    let effects = fire(&working().build(), "sla:response:50");
    assert_eq!(effects.notices(), [(Audience::Assignee, "sla-warning")]);
    assert_eq!(escalated_to(&effects), None);
}

#[test]
fn i3_at_50_percent_of_an_unassigned_ticket_the_group_lead_is_told() {
    let snapshot = desk().snapshot("incident").build();
    let effects = fire(&snapshot, "sla:response:50");
    assert_eq!(effects.notices(), [(Audience::GroupLead, "sla-warning")]);
}

#[test]
fn i3_at_75_percent_the_group_lead_is_told() {
    let effects = fire(&working().build(), "sla:resolution:75");
    assert_eq!(effects.notices(), [(Audience::GroupLead, "sla-warning")]);
    assert_eq!(escalated_to(&effects), None);
}

#[test]
fn i3_at_100_percent_the_manager_is_told_and_tier_1_escalates_to_tier_2() {
    let effects = fire(&working().build(), "sla:response:100");
    assert_eq!(effects.notices(), [(Audience::Manager, "sla-breach")]);
    assert_eq!(escalated_to(&effects), Some(2));
    assert_eq!(effects.attribute("tier"), Some(&json!(2)));
}

#[test]
fn i3_a_breach_at_tier_2_escalates_to_tier_3() {
    let effects = fire(&working().attr("tier", 2).build(), "sla:resolution:100");
    assert_eq!(escalated_to(&effects), Some(3));
    assert_eq!(effects.attribute("tier"), Some(&json!(3)));
}

#[test]
fn i3_at_the_highest_tier_a_breach_only_tells_the_manager() {
    let effects = fire(&working().attr("tier", 3).build(), "sla:resolution:100");
    assert_eq!(effects.notices(), [(Audience::Manager, "sla-breach")]);
    assert_eq!(escalated_to(&effects), None);
    assert_eq!(effects.attribute("tier"), None);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::AddNote { internal: true, .. }))
    );
}

#[test]
fn i3_the_highest_tier_is_configurable() {
    let below = working().config(json!({"max_tier": 2}));
    assert_eq!(
        escalated_to(&fire(&below.clone().build(), "sla:response:100")),
        Some(2)
    );
    let at_top = below.attr("tier", 2).build();
    assert_eq!(escalated_to(&fire(&at_top, "sla:response:100")), None);
}

#[test]
fn i3_thresholds_are_configurable() {
    let snapshot = working()
        .config(json!({"escalation_percent": {"assignee": 60, "group_lead": 80, "breach": 100}}))
        .build();
    assert_eq!(fire(&snapshot, "sla:response:50"), vec![]);
    assert_eq!(
        fire(&snapshot, "sla:response:75").notices(),
        [(Audience::Assignee, "sla-warning")]
    );
}

#[test]
fn i3_a_clock_that_fires_after_resolution_is_stale() {
    let snapshot = working().state("resolved").build();
    assert_eq!(fire(&snapshot, "sla:resolution:100"), vec![]);
}

#[test]
fn i3_unknown_sla_timers_are_ignored() {
    let snapshot = working().build();
    assert_eq!(fire(&snapshot, "sla:on_site:100"), vec![]);
    assert_eq!(fire(&snapshot, "sla:response:soon"), vec![]);
    assert_eq!(fire(&snapshot, "something_else"), vec![]);
}
