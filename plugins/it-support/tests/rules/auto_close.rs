//! DOMAIN, it-support workflow: a resolved ticket closes itself after 3
//! business days *(config)* unless the customer reopens it. Days count as
//! T1/T2 count them: from the day after resolution, to 24:00.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder, at};

use crate::desk;

const AUTO_CLOSE: &str = "auto_close";

fn in_progress(now: &str) -> SnapshotBuilder {
    desk().snapshot("incident").state("in_progress").now(now)
}

fn closes_at(now: &str) -> Timestamp {
    let effects = desk().guard(&in_progress(now).build(), "resolve").unwrap();
    effects
        .timer(AUTO_CLOSE)
        .expect("resolving schedules the closing")
        .0
}

#[test]
fn auto_close_resolved_on_monday_closes_at_the_end_of_thursday() {
    // 2026-01-12 is a Monday: Tuesday, Wednesday, Thursday.
    assert_eq!(
        closes_at("2026-01-12T10:00:00+08:00"),
        at("2026-01-16T00:00:00+08:00")
    );
}

#[test]
fn auto_close_resolved_on_friday_evening_skips_the_weekend() {
    // Friday 2026-01-16 17:00: Monday, Tuesday, Wednesday.
    assert_eq!(
        closes_at("2026-01-16T17:00:00+08:00"),
        at("2026-01-22T00:00:00+08:00")
    );
}

#[test]
fn auto_close_resolved_on_saturday_counts_from_monday() {
    assert_eq!(
        closes_at("2026-01-17T11:00:00+08:00"),
        at("2026-01-22T00:00:00+08:00")
    );
}

#[test]
fn auto_close_days_are_configurable_and_zero_turns_it_off() {
    let desk = desk();
    let one = in_progress("2026-01-12T10:00:00+08:00")
        .config(json!({"auto_close_business_days": 1}))
        .build();
    let effects = desk.guard(&one, "resolve").unwrap();
    assert_eq!(
        effects.timer(AUTO_CLOSE).unwrap().0,
        at("2026-01-14T00:00:00+08:00")
    );
    let off = in_progress("2026-01-12T10:00:00+08:00")
        .config(json!({"auto_close_business_days": 0}))
        .build();
    assert_eq!(desk.guard(&off, "resolve").unwrap().timer(AUTO_CLOSE), None);
}

#[test]
fn auto_close_the_timer_closes_a_ticket_that_is_still_resolved() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").state("resolved").build();
    let effects = desk.on_timer(&snapshot, AUTO_CLOSE, Value::Null);
    assert!(effects.requests_transition("close"));
    // The host takes the requested transition as `system`.
    let close = desk
        .manifest()
        .kind("incident")
        .unwrap()
        .workflow
        .transition("close")
        .unwrap();
    assert!(close.roles.contains(&Role::System));
}

#[test]
fn auto_close_the_timer_leaves_a_reopened_ticket_alone() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").state("in_progress").build();
    assert_eq!(desk.on_timer(&snapshot, AUTO_CLOSE, Value::Null), vec![]);
}

#[test]
fn auto_close_reopening_cancels_the_closing() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("resolved")
        .actor(Role::Customer)
        .build();
    let effects = desk.guard(&snapshot, "reopen").unwrap();
    assert!(effects.cancels_timer(AUTO_CLOSE));
    assert_eq!(effects.timer(AUTO_CLOSE), None);
}

#[test]
fn auto_close_closing_by_hand_cancels_the_pending_closing() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").state("resolved").build();
    assert!(
        desk.guard(&snapshot, "close")
            .unwrap()
            .cancels_timer(AUTO_CLOSE)
    );
}
