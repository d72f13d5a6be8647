//! C1: a complaint is acknowledged by 24:00 of the first business day after
//! the day it was received *(config)*.

use aftersale_sdk::Audience;
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, at};

use crate::{complaint, desk, instant};

fn acknowledge_due(received: &str) -> (Timestamp, Value) {
    let desk = desk();
    let effects = desk.on_create(&complaint(received).build()).unwrap();
    let (timer, _) = effects.timer("acknowledge_due").expect("the C1 timer");
    let attribute = effects
        .attribute("acknowledge_due_at")
        .expect("the C1 due date")
        .clone();
    (timer, attribute)
}

#[test]
fn c1_received_friday_17_00_is_due_by_the_end_of_monday() {
    // Friday 2026-01-16; Monday 2026-01-19 ends at Tuesday 00:00.
    let (timer, attribute) = acknowledge_due("2026-01-16T17:00:00+08:00");
    assert_eq!(timer, at("2026-01-20T00:00:00+08:00"));
    assert_eq!(attribute, instant("2026-01-20T00:00:00+08:00"));
}

#[test]
fn c1_received_thursday_17_00_is_due_by_the_end_of_friday() {
    let (timer, _) = acknowledge_due("2026-01-15T17:00:00+08:00");
    assert_eq!(timer, at("2026-01-17T00:00:00+08:00"));
}

#[test]
fn c1_received_on_saturday_is_due_by_the_end_of_monday() {
    let (timer, _) = acknowledge_due("2026-01-17T09:00:00+08:00");
    assert_eq!(timer, at("2026-01-20T00:00:00+08:00"));
}

#[test]
fn c1_the_acknowledgement_period_is_configurable() {
    let desk = desk();
    let snapshot = complaint("2026-01-16T17:00:00+08:00")
        .config(json!({"acknowledge_business_days": 2}))
        .build();
    let effects = desk.on_create(&snapshot).unwrap();
    assert_eq!(
        effects.timer("acknowledge_due").unwrap().0,
        at("2026-01-21T00:00:00+08:00")
    );
}

fn acknowledged_at(now: &str) -> Vec<Effect> {
    let desk = desk();
    let snapshot = complaint("2026-01-16T17:00:00+08:00")
        .attr("acknowledge_due_at", instant("2026-01-20T00:00:00+08:00"))
        .attr("decision_due_at", instant("2026-01-28T00:00:00+08:00"))
        .now(now)
        .build();
    desk.guard(&snapshot, "acknowledge").unwrap()
}

#[test]
fn c1_acknowledged_in_the_last_second_of_monday_is_on_time() {
    let effects = acknowledged_at("2026-01-19T23:59:59+08:00");
    assert_eq!(
        effects.attribute("acknowledgement_overdue"),
        Some(&json!(false))
    );
    assert_eq!(
        effects.attribute("acknowledged_at"),
        Some(&instant("2026-01-19T23:59:59+08:00"))
    );
    assert!(effects.cancels_timer("acknowledge_due"));
}

#[test]
fn c1_acknowledged_at_tuesday_midnight_is_late() {
    let effects = acknowledged_at("2026-01-20T00:00:00+08:00");
    assert_eq!(
        effects.attribute("acknowledgement_overdue"),
        Some(&json!(true))
    );
}

#[test]
fn c1_the_acknowledgement_tells_the_complainant_when_the_decision_comes() {
    let effects = acknowledged_at("2026-01-19T09:00:00+08:00");
    assert_eq!(
        effects.notices(),
        [(Audience::Customer, "complaint-acknowledged")]
    );
    let Some(Effect::Notify { body, .. }) =
        effects.iter().find(|e| matches!(e, Effect::Notify { .. }))
    else {
        unreachable!()
    };
    assert!(body.contains("2026-01-27"), "{body}");
}

#[test]
fn c1_a_deadline_once_set_does_not_move_with_the_config() {
    let desk = desk();
    let snapshot = complaint("2026-01-16T17:00:00+08:00")
        .attr("acknowledge_due_at", instant("2026-01-20T00:00:00+08:00"))
        .config(json!({"acknowledge_business_days": 3}))
        .now("2026-01-20T10:00:00+08:00")
        .build();
    let effects = desk.guard(&snapshot, "acknowledge").unwrap();
    assert_eq!(
        effects.attribute("acknowledgement_overdue"),
        Some(&json!(true))
    );
}

#[test]
fn c1_the_timer_tells_the_group_lead_while_unacknowledged() {
    let desk = desk();
    let snapshot = complaint("2026-01-16T17:00:00+08:00")
        .now("2026-01-20T00:00:00+08:00")
        .build();
    let effects = desk.on_timer(&snapshot, "acknowledge_due", Value::Null);
    assert_eq!(
        effects.notices(),
        [(Audience::GroupLead, "complaint-acknowledgement-overdue")]
    );
    assert_eq!(
        effects.attribute("acknowledgement_overdue"),
        Some(&json!(true))
    );
}

#[test]
fn c1_the_timer_is_silent_once_acknowledged() {
    let desk = desk();
    let snapshot = complaint("2026-01-16T17:00:00+08:00")
        .state("acknowledged")
        .build();
    assert_eq!(
        desk.on_timer(&snapshot, "acknowledge_due", Value::Null),
        vec![]
    );
}
