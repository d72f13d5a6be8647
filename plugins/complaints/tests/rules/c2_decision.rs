//! C2: the complainant has a decision (the complaint is `responded`) by
//! 24:00 of the seventh business day after the day it was received
//! *(config)*.

use aftersale_sdk::Audience;
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, at};

use crate::{complaint, desk, instant};

/// Received Monday 2026-01-12 10:00: business days 13, 14, 15, 16, 19, 20
/// and 21 January; the seventh ends at Thursday 2026-01-22 00:00.
const RECEIVED: &str = "2026-01-12T10:00:00+08:00";
const DUE: &str = "2026-01-22T00:00:00+08:00";

#[test]
fn c2_the_decision_is_due_seven_business_days_after_receipt() {
    let desk = desk();
    let effects = desk.on_create(&complaint(RECEIVED).build()).unwrap();
    assert_eq!(effects.timer("decision_due").unwrap().0, at(DUE));
    assert_eq!(effects.attribute("decision_due_at"), Some(&instant(DUE)));
}

#[test]
fn c2_the_decision_period_is_configurable() {
    let desk = desk();
    let snapshot = complaint(RECEIVED)
        .config(json!({"decision_business_days": 5}))
        .build();
    let effects = desk.on_create(&snapshot).unwrap();
    assert_eq!(
        effects.timer("decision_due").unwrap().0,
        at("2026-01-20T00:00:00+08:00")
    );
}

fn responded_at(now: &str, with_due_date: bool) -> Vec<Effect> {
    let desk = desk();
    let mut snapshot = complaint(RECEIVED).state("investigating").now(now);
    if with_due_date {
        snapshot = snapshot.attr("decision_due_at", instant(DUE));
    }
    desk.guard(&snapshot.build(), "respond").unwrap()
}

#[test]
fn c2_responding_on_the_seventh_business_day_is_on_time() {
    for with_due_date in [true, false] {
        let effects = responded_at("2026-01-21T23:59:59+08:00", with_due_date);
        assert_eq!(effects.attribute("decision_overdue"), Some(&json!(false)));
        assert!(effects.cancels_timer("decision_due"));
        assert_eq!(
            effects.attribute("responded_at"),
            Some(&instant("2026-01-21T23:59:59+08:00"))
        );
    }
}

#[test]
fn c2_responding_on_the_eighth_business_day_is_late() {
    for with_due_date in [true, false] {
        let effects = responded_at("2026-01-22T00:00:00+08:00", with_due_date);
        assert_eq!(effects.attribute("decision_overdue"), Some(&json!(true)));
    }
}

#[test]
fn c2_the_timer_tells_the_manager_while_no_decision_is_given() {
    let desk = desk();
    for state in ["received", "acknowledged", "assessed", "investigating"] {
        let snapshot = complaint(RECEIVED).state(state).now(DUE).build();
        let effects = desk.on_timer(&snapshot, "decision_due", Value::Null);
        assert_eq!(
            effects.notices(),
            [(Audience::Manager, "complaint-decision-overdue")],
            "{state}"
        );
        assert_eq!(effects.attribute("decision_overdue"), Some(&json!(true)));
    }
}

#[test]
fn c2_the_timer_is_silent_once_the_decision_is_given() {
    let desk = desk();
    for state in ["responded", "closed"] {
        let snapshot = complaint(RECEIVED).state(state).now(DUE).build();
        assert_eq!(
            desk.on_timer(&snapshot, "decision_due", Value::Null),
            vec![]
        );
    }
}

#[test]
fn c2_consultations_have_no_complaint_deadlines() {
    let desk = desk();
    let snapshot = desk.snapshot("consultation").build();
    assert_eq!(desk.on_create(&snapshot), Ok(vec![]));
}
