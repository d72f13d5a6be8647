use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder, at};
use aftersale_sdk::{Audience, serde_json::Value};

use crate::desk;

const UPDATE: &str = "stakeholder_update";

/// A major incident with its incident manager, being worked on.
fn major(state: &str) -> SnapshotBuilder {
    desk()
        .snapshot("incident")
        .state(state)
        .attr("impact", "high")
        .attr("urgency", "medium")
        .attr("major_incident", true)
        .attr("incident_manager", "Wang Fang")
        .priority(Priority::P1)
        .now("2026-01-12T10:30:00+08:00")
}

#[test]
fn i5_a_major_incident_is_p1_whatever_impact_and_urgency_say() {
    let desk = desk();
    let snapshot = major("new")
        .attr("impact", "low")
        .attr("urgency", "low")
        .priority(Priority::P3)
        .build();
    assert_eq!(
        desk.on_create(&snapshot).unwrap().priority(),
        Some(Priority::P1)
    );
}

#[test]
fn i5_an_incident_that_is_not_major_follows_the_table() {
    let desk = desk();
    let snapshot = major("new").attr("major_incident", false).build();
    assert_eq!(
        desk.on_create(&snapshot).unwrap().priority(),
        Some(Priority::P2)
    );
}

#[test]
fn i5_creation_without_an_incident_manager_is_refused() {
    let desk = desk();
    for manager in [Value::Null, json!(""), json!("   ")] {
        let snapshot = major("new").attr("incident_manager", &manager).build();
        let rejection = desk.on_create(&snapshot).unwrap_err();
        assert_eq!(rejection.rule.as_deref(), Some("I5"), "{manager}");
        assert_eq!(rejection.code, "incident-manager-missing");
        assert!(rejection.details[0].starts_with("incident_manager"));
    }
}

#[test]
fn i5_creation_declares_it_and_schedules_stakeholder_updates_every_30_minutes() {
    let desk = desk();
    let effects = desk.on_create(&major("new").build()).unwrap();
    assert_eq!(
        effects.notices(),
        [(Audience::Stakeholders, "major-incident-declared")]
    );
    let (due, _) = effects.timer(UPDATE).expect("stakeholder updates start");
    assert_eq!(due, at("2026-01-12T11:00:00+08:00"));
}

#[test]
fn i5_the_stakeholder_interval_is_configurable() {
    let desk = desk();
    let snapshot = major("new")
        .config(json!({"stakeholder_update_minutes": 15}))
        .build();
    let effects = desk.on_create(&snapshot).unwrap();
    assert_eq!(
        effects.timer(UPDATE).unwrap().0,
        at("2026-01-12T10:45:00+08:00")
    );
}

#[test]
fn i5_only_an_incident_can_be_major() {
    let desk = desk();
    let snapshot = desk
        .snapshot("service_request")
        .attr("major_incident", true)
        .attr("incident_manager", "Wang Fang")
        .build();
    let rejection = desk.on_create(&snapshot).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I5"));
    assert_eq!(rejection.code, "not-an-incident");
}

#[test]
fn i5_an_edit_that_removes_the_incident_manager_is_refused() {
    let desk = desk();
    let snapshot = major("in_progress")
        .attr("incident_manager", Value::Null)
        .build();
    let rejection = desk
        .edit(&snapshot, None, &["incident_manager"])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I5"));
}

#[test]
fn i5_a_transition_without_an_incident_manager_is_refused() {
    let desk = desk();
    let snapshot = major("assigned")
        .attr("incident_manager", Value::Null)
        .build();
    let rejection = desk.guard(&snapshot, "start").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I5"));
    // With the manager named the same transition passes.
    assert!(desk.guard(&major("assigned").build(), "start").is_ok());
}

#[test]
fn i5_a_missing_work_note_and_manager_are_listed_together() {
    let desk = desk();
    let snapshot = major("in_progress")
        .attr("incident_manager", Value::Null)
        .build();
    let rejection = desk.edit(&snapshot, None, &["impact"]).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I4"));
    assert!(
        rejection.message.contains("I4, I5"),
        "{}",
        rejection.message
    );
    assert_eq!(rejection.details.len(), 2, "{:?}", rejection.details);
    assert!(rejection.details[0].starts_with("[I4] work note"));
    assert!(rejection.details[1].starts_with("[I5] incident_manager"));
}

#[test]
fn i5_declaring_by_edit_raises_the_priority_and_starts_updates() {
    let desk = desk();
    let snapshot = major("in_progress").priority(Priority::P2).build();
    let effects = desk
        .edit(&snapshot, None, &["major_incident", "incident_manager"])
        .unwrap();
    assert_eq!(effects.priority(), Some(Priority::P1));
    assert_eq!(
        effects.timer(UPDATE).unwrap().0,
        at("2026-01-12T11:00:00+08:00")
    );
    assert_eq!(
        effects.notices(),
        [(Audience::Stakeholders, "major-incident-declared")]
    );
}

#[test]
fn i5_standing_down_stops_updates_and_the_table_decides_again() {
    let desk = desk();
    let snapshot = major("in_progress").attr("major_incident", false).build();
    let effects = desk.edit(&snapshot, None, &["major_incident"]).unwrap();
    assert_eq!(effects.priority(), Some(Priority::P2));
    assert!(effects.cancels_timer(UPDATE));
    assert_eq!(effects.timer(UPDATE), None);
}

#[test]
fn i5_the_update_timer_tells_stakeholders_and_schedules_the_next() {
    let desk = desk();
    for state in ["in_progress", "on_hold"] {
        let snapshot = major(state).build();
        let effects = desk.on_timer(&snapshot, UPDATE, Value::Null);
        assert_eq!(
            effects.notices(),
            [(Audience::Stakeholders, "major-incident-update")],
            "{state}"
        );
        assert_eq!(
            effects.timer(UPDATE).unwrap().0,
            at("2026-01-12T11:00:00+08:00")
        );
    }
}

#[test]
fn i5_the_update_timer_stops_once_the_incident_is_resolved_or_stood_down() {
    let desk = desk();
    for snapshot in [
        major("resolved").build(),
        major("closed").build(),
        major("in_progress").attr("major_incident", false).build(),
    ] {
        assert_eq!(desk.on_timer(&snapshot, UPDATE, Value::Null), vec![]);
    }
}

#[test]
fn i5_resolving_opens_a_linked_problem_and_stops_updates() {
    let desk = desk();
    let snapshot = major("in_progress").build();
    let effects = desk.guard(&snapshot, "resolve").unwrap();
    let problem = effects.follow_up("problem").expect("a problem ticket");
    assert_eq!(problem.relation, "caused_by");
    assert_eq!(problem.priority, Some(Priority::P2));
    assert_eq!(
        problem.attributes.str("incident_ticket"),
        Some(snapshot.ticket.id.as_str())
    );
    assert_eq!(problem.attributes.str("impact"), Some("high"));
    assert!(effects.cancels_timer(UPDATE));
    assert_eq!(
        effects.notices(),
        [(Audience::Stakeholders, "major-incident-resolved")]
    );
    assert!(effects.attribute("problem_raised_at").is_some());
}

#[test]
fn i5_resolving_again_after_a_reopen_opens_no_second_problem() {
    let desk = desk();
    let snapshot = major("in_progress")
        .attr("problem_raised_at", "2026-01-12T09:00:00Z")
        .build();
    let effects = desk.guard(&snapshot, "resolve").unwrap();
    assert_eq!(effects.follow_up("problem"), None);
    assert!(effects.cancels_timer(UPDATE));
}

#[test]
fn i5_resolving_an_ordinary_incident_opens_no_problem() {
    let desk = desk();
    let snapshot = major("in_progress").attr("major_incident", false).build();
    let effects = desk.guard(&snapshot, "resolve").unwrap();
    assert_eq!(effects.follow_up("problem"), None);
    assert!(!effects.cancels_timer(UPDATE));
}

#[test]
fn i5_reopening_resumes_stakeholder_updates() {
    let desk = desk();
    let effects = desk.guard(&major("resolved").build(), "reopen").unwrap();
    assert_eq!(
        effects.timer(UPDATE).unwrap().0,
        at("2026-01-12T11:00:00+08:00")
    );
    assert_eq!(
        effects.notices(),
        [(Audience::Stakeholders, "major-incident-reopened")]
    );
}

#[test]
fn i5_cancelling_stops_stakeholder_updates() {
    let desk = desk();
    let effects = desk.guard(&major("on_hold").build(), "cancel").unwrap();
    assert!(effects.cancels_timer(UPDATE));
}
