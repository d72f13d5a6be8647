//! W4 repair delays, W5 re-repairs and the `replace` transition.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder, at};

use super::{plugin, product, repair, transitioned};

/// A colour TV repair reported on 2026-01-01 10:00 Shanghai.
fn open_repair(state: &str) -> SnapshotBuilder {
    repair(state)
        .product(product("colour_tv", "2025-12-01"))
        .created("2026-01-01T10:00:00+08:00")
}

fn remedy(snapshot: SnapshotBuilder) -> Value {
    plugin()
        .action(&snapshot.build(), "warranty", json!({}))
        .expect("answered")
        .output["remedy"]
        .clone()
}

#[test]
fn w4_a_repair_over_30_days_entitles_a_free_exchange() {
    // Day 30 is 2026-01-31; "more than 30 days" starts on 2026-02-01.
    let day_30 = open_repair("diagnosed").now("2026-01-31T23:59:00+08:00");
    assert_eq!(remedy(day_30), json!(["repair"]));
    let day_31 = open_repair("diagnosed").now("2026-02-01T00:00:00+08:00");
    assert_eq!(remedy(day_31.clone()), json!(["exchange"]));
    let answer = plugin()
        .action(&day_31.build(), "warranty", json!({}))
        .unwrap()
        .output;
    assert!(answer["rules"].as_array().unwrap().contains(&json!("W4")));
}

#[test]
fn w4_days_waiting_for_the_customer_are_not_the_repairer_s_delay() {
    // Five days waiting for the customer push the limit back five days.
    let waited = transitioned(
        open_repair("diagnosed"),
        "2026-01-05T10:00:00+08:00",
        "wait_for_customer",
        "reported",
        "awaiting_customer",
    );
    let waited = transitioned(
        waited,
        "2026-01-10T10:00:00+08:00",
        "reschedule",
        "awaiting_customer",
        "scheduled",
    );
    assert_eq!(
        remedy(waited.clone().now("2026-02-05T23:59:00+08:00")),
        json!(["repair"])
    );
    assert_eq!(
        remedy(waited.now("2026-02-06T00:00:00+08:00")),
        json!(["exchange"])
    );
}

#[test]
fn w4_parts_unavailable_over_90_days_entitle_an_exchange() {
    // Waiting for parts from the day of reporting: day 90 is 2026-04-01.
    let parts = transitioned(
        open_repair("awaiting_parts"),
        "2026-01-01T11:00:00+08:00",
        "wait_for_parts",
        "reported",
        "awaiting_parts",
    );
    assert_eq!(
        remedy(parts.clone().now("2026-04-01T23:59:00+08:00")),
        json!(["repair"])
    );
    assert_eq!(
        remedy(parts.now("2026-04-02T00:00:00+08:00")),
        json!(["exchange"])
    );
}

#[test]
fn w4_the_review_timer_is_due_when_an_exchange_could_first_be_owed() {
    let created = open_repair("reported").build();
    let effects = plugin().on_create(&created).unwrap();
    assert_eq!(
        effects.timer("w4_review").map(|t| t.0),
        Some(at("2026-02-01T00:00:00+08:00"))
    );

    let overdue = open_repair("diagnosed")
        .now("2026-02-01T00:00:00+08:00")
        .build();
    let effects = plugin().on_timer(&overdue, "w4_review", json!({"rule": "W4"}));
    assert_eq!(effects.attribute("exchange_entitled"), Some(&json!("W4")));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Notify { audience: Audience::Customer, template, .. } if template == "exchange-entitled"
    )));

    // Waiting for parts since day 2: the next possible moment is day 91.
    let parts = transitioned(
        open_repair("awaiting_parts"),
        "2026-01-02T09:00:00+08:00",
        "wait_for_parts",
        "reported",
        "awaiting_parts",
    )
    .now("2026-02-01T00:00:00+08:00")
    .build();
    let effects = plugin().on_timer(&parts, "w4_review", json!({}));
    assert_eq!(effects.attribute("exchange_entitled"), None);
    // 1 repair day and 30 parts days so far: 30 more repair days are the
    // nearer limit, so the review comes back on 2026-03-03.
    assert_eq!(
        effects.timer("w4_review").map(|t| t.0),
        Some(at("2026-03-03T00:00:00+08:00"))
    );

    let finished = open_repair("repaired")
        .now("2026-02-01T00:00:00+08:00")
        .build();
    assert!(
        plugin()
            .on_timer(&finished, "w4_review", json!({}))
            .is_empty()
    );
}

#[test]
fn w5_a_failure_within_30_days_of_the_repair_reopens_the_same_case() {
    let repaired = |now: &str| {
        transitioned(
            open_repair("repaired"),
            "2026-01-05T15:00:00+08:00",
            "repair",
            "diagnosed",
            "repaired",
        )
        .now(now)
        .build()
    };
    // Repaired 2026-01-05: day 30 is 2026-02-04.
    let effects = plugin()
        .guard(&repaired("2026-02-04T23:59:00+08:00"), "reopen")
        .expect("same case");
    assert_eq!(effects.attribute("re_repair"), Some(&json!(true)));
    let rejection = plugin()
        .guard(&repaired("2026-02-05T00:00:00+08:00"), "reopen")
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W5"));
    assert_eq!(rejection.code, "re-repair-window-passed");
}

#[test]
fn w5_a_new_ticket_within_30_days_of_the_last_repair_is_a_re_repair() {
    let recent = open_repair("reported")
        .attr("previous_repair_at", "2025-12-02")
        .build();
    let effects = plugin().on_create(&recent).unwrap();
    assert_eq!(effects.attribute("re_repair"), Some(&json!(true)));
    let old = open_repair("reported")
        .attr("previous_repair_at", "2025-12-01")
        .build();
    assert_eq!(
        plugin().on_create(&old).unwrap().attribute("re_repair"),
        None
    );
}

#[test]
fn w5_the_unit_s_last_repair_on_record_makes_a_new_ticket_a_re_repair() {
    // The unit's repair ticket was resolved on 2 December; this one is
    // reported on 1 January, within 30 days of it.
    let recent = open_repair("reported")
        .prior("installation", Some("2025-12-20T10:00:00+08:00"), json!({}))
        .prior(
            "repair",
            Some("2025-12-02T15:00:00+08:00"),
            json!({"fault": "E4"}),
        )
        .build();
    let effects = plugin().on_create(&recent).unwrap();
    assert_eq!(effects.attribute("re_repair"), Some(&json!(true)));
    assert_eq!(
        effects.attribute("previous_repair_at"),
        Some(&json!("2025-12-02")),
        "the desk sees which repair it was"
    );
    // Repaired on 1 December: the window has passed; an installation or an
    // unresolved repair is no repair.
    let old = open_repair("reported")
        .prior("repair", Some("2025-12-01T15:00:00+08:00"), json!({}))
        .prior("repair", None, json!({}))
        .prior("installation", Some("2025-12-28T10:00:00+08:00"), json!({}))
        .build();
    let effects = plugin().on_create(&old).unwrap();
    assert_eq!(effects.attribute("re_repair"), None);
    assert_eq!(
        effects.attribute("previous_repair_at"),
        Some(&json!("2025-12-01"))
    );
    // A date the desk typed wins when it is the later one.
    let typed = open_repair("reported")
        .attr("previous_repair_at", "2025-12-15")
        .prior("repair", Some("2025-12-01T15:00:00+08:00"), json!({}))
        .build();
    let effects = plugin().on_create(&typed).unwrap();
    assert_eq!(effects.attribute("re_repair"), Some(&json!(true)));
    assert_eq!(
        effects.attribute("previous_repair_at"),
        None,
        "what was typed stays"
    );
}

#[test]
fn w6_replace_hands_a_third_failure_to_retail_as_the_customer_chooses() {
    let third = |wants: &str| {
        open_repair("diagnosed")
            .attr("main_function_failure", true)
            .attr("main_function_repairs", 2)
            .attr("customer_wants", wants)
            .build()
    };
    let effects = plugin().guard(&third("refund"), "replace").unwrap();
    let follow_up = effects
        .follow_up("return")
        .expect("a return for the refund");
    assert_eq!(follow_up.attributes.str("reason"), Some("quality_fault"));
    assert_eq!(
        follow_up.attributes.get("main_function_repairs"),
        Some(&json!(2))
    );
    assert_eq!(effects.attribute("exchange_entitled"), Some(&json!("W6")));
    let effects = plugin().guard(&third("exchange"), "replace").unwrap();
    assert!(effects.follow_up("exchange").is_some());
}

#[test]
fn w6_replace_is_refused_without_an_entitlement() {
    let second = open_repair("diagnosed")
        .attr("main_function_failure", true)
        .attr("main_function_repairs", 1)
        .now("2026-01-20T10:00:00+08:00")
        .build();
    let rejection = plugin().guard(&second, "replace").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W6"));
    assert_eq!(
        rejection.details,
        [
            "W4: repair 19 of 30 days, parts 0 of 90 days",
            "W6: 1 of 2 main-function repairs"
        ]
    );
}

#[test]
fn w4_allows_an_exchange_but_not_a_refund() {
    let overdue = |wants: &str| {
        open_repair("diagnosed")
            .attr("customer_wants", wants)
            .now("2026-02-01T00:00:00+08:00")
            .build()
    };
    let effects = plugin().guard(&overdue("exchange"), "replace").unwrap();
    assert!(effects.follow_up("exchange").is_some());
    let rejection = plugin().guard(&overdue("refund"), "replace").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W4"));
}

#[test]
fn w3_replace_is_refused_outside_free_warranty() {
    let misused = open_repair("diagnosed")
        .attr("main_function_failure", true)
        .attr("main_function_repairs", 2)
        .attr("exclusions", ["improper_use"])
        .build();
    let rejection = plugin().guard(&misused, "replace").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W3"));
    assert_eq!(rejection.details, ["improper_use"]);

    let expired = open_repair("diagnosed")
        .attr("main_function_failure", true)
        .attr("main_function_repairs", 2)
        .attr("reported_at", "2026-12-02")
        .build();
    let rejection = plugin().guard(&expired, "replace").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W1"));
    assert_eq!(rejection.details, ["warranty ended 2026-12-01 24:00"]);
}

#[test]
fn parts_needed_at_the_diagnosis_are_reserved_from_the_technicians_point() {
    let needs = json!([{"sku": "CAP-35UF", "quantity": 1}, {"sku": "FAN-12", "quantity": 2}]);
    let snapshot = open_repair("on_site").attr("parts_needed", needs).build();
    let effects = plugin().guard(&snapshot, "diagnose").expect("allowed");
    let reserved: Vec<(&str, u32, Option<&str>)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::ReservePart {
                sku,
                quantity,
                node,
            } => Some((sku.as_str(), *quantity, node.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(reserved, [("CAP-35UF", 1, None), ("FAN-12", 2, None)]);
    let nothing = open_repair("on_site").build();
    assert!(plugin().guard(&nothing, "diagnose").unwrap().is_empty());
}

#[test]
fn a_back_ordered_part_may_move_the_repair_to_wait_for_it() {
    // The host takes `wait_for_parts` as `system` when stock is short.
    let manifest = plugin().manifest().clone();
    let repair = manifest.kinds.iter().find(|k| k.name == "repair").unwrap();
    let wait = repair
        .workflow
        .transitions
        .iter()
        .find(|t| t.name == "wait_for_parts")
        .unwrap();
    assert!(wait.roles.contains(&Role::System));
    assert!(wait.from.iter().any(|s| s == "diagnosed"));
    assert_eq!(
        appliance::Config::default().part_shortage,
        appliance::PartShortage::BackOrder
    );
}
