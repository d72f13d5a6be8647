use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::EffectsExt;

use crate::{desk, priority_answer};

fn created_priority(impact: &str, urgency: &str) -> Priority {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .attr("impact", impact)
        .attr("urgency", urgency)
        .build();
    let effects = desk
        .on_create(&snapshot)
        .expect("a valid incident is created");
    effects.priority().expect("on-create sets the priority")
}

#[test]
fn i1_high_impact_high_urgency_is_p1() {
    assert_eq!(created_priority("high", "high"), Priority::P1);
}

#[test]
fn i1_high_impact_low_urgency_is_p3() {
    assert_eq!(created_priority("high", "low"), Priority::P3);
}

#[test]
fn i1_medium_impact_low_urgency_is_p4() {
    assert_eq!(created_priority("medium", "low"), Priority::P4);
}

#[test]
fn i1_low_impact_low_urgency_is_p5() {
    assert_eq!(created_priority("low", "low"), Priority::P5);
}

#[test]
fn i1_every_cell_of_the_table() {
    use Priority::*;
    let table = [
        ("high", [P1, P2, P3]),
        ("medium", [P2, P3, P4]),
        ("low", [P3, P4, P5]),
    ];
    for (impact, row) in table {
        for (urgency, expected) in ["high", "medium", "low"].into_iter().zip(row) {
            assert_eq!(
                created_priority(impact, urgency),
                expected,
                "impact {impact} × urgency {urgency}"
            );
        }
    }
}

#[test]
fn i1_without_impact_and_urgency_the_ticket_is_medium_medium_p3() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").priority(Priority::P5).build();
    let effects = desk.on_create(&snapshot).unwrap();
    assert_eq!(effects.priority(), Some(Priority::P3));
}

#[test]
fn i1_a_missing_urgency_counts_as_medium() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").attr("impact", "high").build();
    assert_eq!(
        desk.on_create(&snapshot).unwrap().priority(),
        Some(Priority::P2)
    );
}

#[test]
fn i1_every_kind_derives_its_priority() {
    let desk = desk();
    for kind in ["service_request", "problem"] {
        let snapshot = desk
            .snapshot(kind)
            .attr("impact", "low")
            .attr("urgency", "medium")
            .build();
        assert_eq!(
            desk.on_create(&snapshot).unwrap().priority(),
            Some(Priority::P4),
            "{kind}"
        );
    }
}

#[test]
fn i1_a_level_outside_the_table_is_refused_naming_every_attribute() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .attr("impact", "critical")
        .attr("urgency", 3)
        .build();
    let rejection = desk.on_create(&snapshot).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I1"));
    assert_eq!(rejection.details.len(), 2, "{:?}", rejection.details);
    assert!(rejection.details[0].starts_with("impact:"));
    assert!(rejection.details[1].starts_with("urgency:"));
}

#[test]
fn i1_a_typed_priority_is_refused() {
    let desk = desk();
    // The edit changes no attribute, only the priority: medium × medium
    // gives P3, not the P1 someone typed.
    let snapshot = desk
        .snapshot("incident")
        .state("in_progress")
        .attr("impact", "medium")
        .attr("urgency", "medium")
        .priority(Priority::P1)
        .build();
    let rejection = desk
        .edit(&snapshot, Some("customer is angry"), &[])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I1"));
    assert_eq!(rejection.code, "priority-is-derived");
    assert!(
        rejection.details[0].contains("P3"),
        "{:?}",
        rejection.details
    );
}

#[test]
fn i1_an_edit_that_keeps_the_derived_priority_passes() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("in_progress")
        .priority(Priority::P3)
        .build();
    assert_eq!(desk.edit(&snapshot, None, &[]), Ok(vec![]));
}

#[test]
fn i1_a_transition_restores_a_priority_that_drifted() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("assigned")
        .attr("impact", "high")
        .attr("urgency", "high")
        .priority(Priority::P3)
        .build();
    let effects = desk.guard(&snapshot, "start").unwrap();
    assert_eq!(effects.priority(), Some(Priority::P1));
}

#[test]
fn i1_priority_action_answers_for_the_given_impact_and_urgency() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").attr("impact", "low").build();
    let answer = priority_answer(&snapshot, json!({"impact": "high", "urgency": "medium"}));
    assert_eq!(answer["priority"], "P2");
    assert_eq!(answer["rules"], json!(["I1", "I2"]));
}

#[test]
fn i1_priority_action_falls_back_to_the_ticket_and_then_to_medium() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").attr("impact", "low").build();
    let answer = priority_answer(&snapshot, json!({}));
    assert_eq!(
        (&answer["impact"], &answer["urgency"], &answer["priority"]),
        (&json!("low"), &json!("medium"), &json!("P4"))
    );
    // No input at all is the same question.
    assert_eq!(priority_answer(&snapshot, Value::Null), answer);
}

#[test]
fn i1_priority_action_refuses_an_unknown_level() {
    let desk = desk();
    let snapshot = desk.snapshot("incident").build();
    let rejection = desk
        .action(&snapshot, "priority", json!({"impact": "critical"}))
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("I1"));
    assert_eq!(rejection.code, "invalid-input");
    assert!(
        rejection.message.contains("critical"),
        "{}",
        rejection.message
    );
}
