use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder};

use crate::desk;

/// An incident being worked on, after an edit raised its impact to high
/// (urgency stays medium): P3 → P2.
fn raised_impact() -> SnapshotBuilder {
    desk()
        .snapshot("incident")
        .state("in_progress")
        .attr("impact", "high")
        .attr("urgency", "medium")
        .priority(Priority::P3)
}

#[test]
fn i4_changing_impact_without_a_work_note_is_refused() {
    let desk = desk();
    let rejection = desk
        .edit(&raised_impact().build(), None, &["impact"])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I4"));
    assert_eq!(rejection.code, "work-note-required");
    assert_eq!(rejection.details.len(), 1);
    assert!(
        rejection.details[0].starts_with("work note"),
        "{:?}",
        rejection.details
    );
    assert!(
        rejection.details[0].contains("impact"),
        "{:?}",
        rejection.details
    );
}

#[test]
fn i4_a_blank_note_is_no_work_note() {
    let desk = desk();
    let rejection = desk
        .edit(&raised_impact().build(), Some("  \n"), &["impact"])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I4"));
}

#[test]
fn i4_changing_impact_with_a_work_note_recomputes_the_priority() {
    let desk = desk();
    let effects = desk
        .edit(
            &raised_impact().build(),
            Some("whole floor affected"),
            &["impact"],
        )
        .unwrap();
    assert_eq!(effects.priority(), Some(Priority::P2));
}

#[test]
fn i4_a_change_that_keeps_the_priority_still_sets_it() {
    // medium × high and high × medium are both P2: the host sees the
    // decision either way.
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("assigned")
        .attr("impact", "high")
        .attr("urgency", "medium")
        .priority(Priority::P2)
        .build();
    let effects = desk
        .edit(&snapshot, Some("re-assessed"), &["impact", "urgency"])
        .unwrap();
    assert_eq!(effects.priority(), Some(Priority::P2));
}

#[test]
fn i4_changing_urgency_needs_the_note_too_and_both_are_named() {
    let desk = desk();
    let rejection = desk
        .edit(&raised_impact().build(), None, &["impact", "urgency"])
        .unwrap_err();
    assert!(
        rejection.details[0].contains("impact and urgency"),
        "{:?}",
        rejection.details
    );
}

#[test]
fn i4_other_attributes_change_without_a_note() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("in_progress")
        .attr("service", "mail")
        .build();
    assert_eq!(desk.edit(&snapshot, None, &["service"]), Ok(vec![]));
}

#[test]
fn i4_a_transition_that_changes_urgency_needs_the_work_note() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("assigned")
        .attr("urgency", "high")
        .build();
    let refused = desk.guard_noted(&snapshot, "start", None, &["urgency"]);
    assert_eq!(refused.unwrap_err().rule.as_deref(), Some("I4"));
    let effects = desk
        .guard_noted(
            &snapshot,
            "start",
            Some("users cannot log in"),
            &["urgency"],
        )
        .unwrap();
    assert_eq!(effects.priority(), Some(Priority::P2));
}
