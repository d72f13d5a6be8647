//! A2 unboxing, A3 acceptance and the installation order.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::EffectsExt;

use super::{installation, plugin, product};
use appliance::Appliance;

fn passed_unboxing() -> Value {
    json!({
        "model_matches": true, "accessories_complete": true, "certificate_present": true,
        "warranty_card_present": true, "undamaged": true
    })
}

fn good_split_ac_checklist() -> Value {
    json!({
        "vacuum_mmhg": -756, "vacuum_hold_minutes": 15, "vacuum_rise": false,
        "leak_test": true, "drain_test": true, "trial_run_minutes": 35,
        "anchor_bolts": 4, "exposed_pipe_cm": 15
    })
}

#[test]
fn installation_steps_follow_the_documented_order() {
    let manifest = plugin().manifest().clone();
    let workflow = &manifest.kind("installation").expect("declared").workflow;
    let order = [
        "scheduled",
        "on_site",
        "unboxed",
        "installed",
        "commissioned",
        "accepted",
        "followed_up",
    ];
    assert_eq!(workflow.initial, "scheduled");
    let waiting = ["awaiting_customer", "awaiting_parts", "cancelled"];
    for pair in order.windows(2) {
        // From each step the only way forward is the next step; every other
        // edge leads to a waiting state or cancels.
        let forward: Vec<_> = workflow
            .transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == pair[0]))
            .filter(|t| !waiting.contains(&t.to.as_str()))
            .map(|t| t.to.as_str())
            .collect();
        assert_eq!(forward, [pair[1]], "from {}", pair[0]);
    }
    // The waits lead back to a new appointment, never past a step.
    for state in ["awaiting_customer", "awaiting_parts"] {
        let onward: Vec<_> = workflow
            .transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == state))
            .map(|t| t.to.as_str())
            .collect();
        assert_eq!(onward, ["scheduled", "cancelled"], "from {state}");
    }
}

#[test]
fn a2_unbox_needs_every_item_of_the_check() {
    let rejection = plugin()
        .guard(&installation("on_site").build(), "unbox")
        .expect_err("no check recorded");
    assert_eq!(rejection.rule.as_deref(), Some("A2"));
    assert_eq!(
        rejection.details,
        [
            "unboxing.model_matches",
            "unboxing.accessories_complete",
            "unboxing.certificate_present",
            "unboxing.warranty_card_present",
            "unboxing.undamaged",
        ]
    );

    let partial = installation("on_site")
        .attr(
            "unboxing",
            json!({"model_matches": true, "undamaged": false}),
        )
        .build();
    let rejection = plugin().guard(&partial, "unbox").unwrap_err();
    assert_eq!(
        rejection.details,
        [
            "unboxing.accessories_complete",
            "unboxing.certificate_present",
            "unboxing.warranty_card_present",
        ]
    );
}

#[test]
fn a2_a_passed_unboxing_check_lets_the_unit_be_installed() {
    let unboxed = installation("unboxed")
        .attr("unboxing", passed_unboxing())
        .build();
    assert_eq!(plugin().guard(&unboxed, "install"), Ok(vec![]));
    let on_site = installation("on_site")
        .attr("unboxing", passed_unboxing())
        .build();
    assert_eq!(plugin().guard(&on_site, "unbox"), Ok(vec![]));
}

#[test]
fn a2_failed_unboxing_waits_for_a_replacement_and_opens_an_exchange() {
    let mut check = passed_unboxing();
    check["model_matches"] = json!(false);
    check["undamaged"] = json!(false);
    let snapshot = installation("on_site")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("unboxing", check)
        .now("2026-01-10T14:00:00+08:00")
        .build();
    let effects = plugin()
        .guard(&snapshot, "unbox")
        .expect("recorded, not refused");
    assert!(effects.requests_transition("wait_for_parts"));
    assert_eq!(
        effects.attribute("unboxing_failed"),
        Some(&json!(["model_matches", "undamaged"]))
    );
    let follow_up = effects.follow_up("exchange").expect("an exchange ticket");
    assert_eq!(follow_up.relation, "exchange_for");
    let attributes = &follow_up.attributes;
    assert_eq!(attributes.str("reason"), Some("quality_fault"));
    assert_eq!(attributes.str("customer_wants"), Some("exchange"));
    assert_eq!(
        attributes.str("reported_at"),
        Some("2026-01-10T14:00:00+08:00")
    );
    assert_eq!(attributes.str("sold_at"), Some("2026-01-08"));
    assert_eq!(
        attributes.get("defects"),
        Some(&json!(["model_matches", "undamaged"]))
    );
    assert!(effects.follow_up("return").is_none());
}

#[test]
fn a2_failed_unboxing_opens_a_return_when_the_customer_wants_one() {
    let mut check = passed_unboxing();
    check["accessories_complete"] = json!(false);
    let snapshot = installation("on_site")
        .attr("unboxing", check.clone())
        .attr("unboxing_remedy", "return")
        .build();
    let effects = plugin().guard(&snapshot, "unbox").unwrap();
    assert_eq!(
        effects.follow_up("return").map(|f| f.relation.as_str()),
        Some("return_for")
    );

    let tenant_returns = installation("on_site")
        .attr("unboxing", check)
        .config(json!({"unboxing_failure_remedy": "return"}))
        .build();
    let effects = plugin().guard(&tenant_returns, "unbox").unwrap();
    assert!(effects.follow_up("return").is_some());
}

#[test]
fn a2_install_is_refused_while_the_unboxing_check_failed() {
    let mut check = passed_unboxing();
    check["certificate_present"] = json!(false);
    check["warranty_card_present"] = json!(false);
    let snapshot = installation("unboxed").attr("unboxing", check).build();
    let rejection = plugin().guard(&snapshot, "install").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("A2"));
    assert_eq!(rejection.code, "unboxing-check-failed");
    assert_eq!(
        rejection.details,
        [
            "unboxing.certificate_present",
            "unboxing.warranty_card_present"
        ]
    );
    let unchecked = installation("unboxed").build();
    assert_eq!(
        plugin()
            .guard(&unchecked, "install")
            .unwrap_err()
            .details
            .len(),
        5
    );
}

#[test]
fn a2_a_fault_found_after_unboxing_takes_the_same_way() {
    let mut check = passed_unboxing();
    check["undamaged"] = json!(false);
    let snapshot = installation("unboxed").attr("unboxing", check).build();
    let effects = plugin().edit(&snapshot, None, &["unboxing"]).unwrap();
    assert!(effects.requests_transition("wait_for_parts"));
    assert!(effects.follow_up("exchange").is_some());
    // The wait the plugin asks for must be open to the host's system role.
    let manifest = Appliance::manifest();
    let workflow = &manifest.kind("installation").unwrap().workflow;
    let wait = workflow.transition("wait_for_parts").unwrap();
    assert!(wait.roles.contains(&Role::System));
    assert!(wait.from.iter().any(|s| s == "unboxed"));
}

#[test]
fn a3_acceptance_names_every_failed_checklist_item() {
    let snapshot = installation("commissioned")
        .product(product("air_conditioner", "2026-01-08"))
        .attr(
            "checklist",
            json!({
                "vacuum_mmhg": -750, "vacuum_hold_minutes": 10, "vacuum_rise": true,
                "leak_test": false, "drain_test": false, "trial_run_minutes": 29,
                "anchor_bolts": 3, "exposed_pipe_cm": 21
            }),
        )
        .build();
    let rejection = plugin().guard(&snapshot, "accept").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("A3"));
    assert_eq!(rejection.code, "acceptance-incomplete");
    assert_eq!(
        rejection.details,
        [
            "customer_signature: missing",
            "checklist.vacuum_mmhg: -750 mmHg, must be at most -755",
            "checklist.vacuum_hold_minutes: 10 min, must be at least 15",
            "checklist.vacuum_rise: the vacuum rose during the hold",
            "checklist.leak_test: failed",
            "checklist.drain_test: failed",
            "checklist.trial_run_minutes: 29 min, must be at least 30",
            "checklist.anchor_bolts: 3 bolts, must be at least 4",
            "checklist.exposed_pipe_cm: 21 cm, must be at most 20",
        ]
    );
}

#[test]
fn a3_missing_checklist_items_are_named_too() {
    let snapshot = installation("commissioned")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("customer_signature", "李雷")
        .build();
    let rejection = plugin().guard(&snapshot, "accept").unwrap_err();
    assert_eq!(rejection.details.len(), 9, "{:?}", rejection.details);
    assert_eq!(rejection.details[0], "checklist: missing");
    assert!(
        rejection
            .details
            .contains(&"checklist.vacuum_rise: not recorded".to_string())
    );
}

#[test]
fn a3_a_signed_complete_checklist_at_the_limits_is_accepted() {
    // Every reading exactly at its limit passes.
    let at_limits = json!({
        "vacuum_mmhg": -755, "vacuum_hold_minutes": 15, "vacuum_rise": false,
        "leak_test": true, "drain_test": true, "trial_run_minutes": 30,
        "anchor_bolts": 4, "exposed_pipe_cm": 20
    });
    let snapshot = installation("commissioned")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("checklist", at_limits)
        .attr("customer_signature", "李雷")
        .build();
    let effects = plugin().guard(&snapshot, "accept").expect("accepted");
    assert!(effects.timer("follow_up").is_some(), "A5 follow-up set");

    let good = installation("commissioned")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("checklist", good_split_ac_checklist())
        .attr("customer_signature", "李雷")
        .build();
    assert!(plugin().guard(&good, "accept").is_ok());
}

#[test]
fn a3_the_tenant_sets_the_vacuum_hold() {
    let snapshot = installation("commissioned")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("checklist", good_split_ac_checklist())
        .attr("customer_signature", "李雷")
        .config(json!({"split_ac_checklist": {"vacuum_hold_minutes": 30}}))
        .build();
    let rejection = plugin().guard(&snapshot, "accept").unwrap_err();
    assert_eq!(
        rejection.details,
        ["checklist.vacuum_hold_minutes: 15 min, must be at least 30"]
    );
}

#[test]
fn a3_other_appliances_need_a_signed_checklist_without_failed_items() {
    let fridge = installation("commissioned")
        .product(product("refrigerator", "2026-01-08"))
        .attr(
            "checklist",
            json!({"level": true, "door_seal": false, "cooling": false}),
        )
        .build();
    let rejection = plugin().guard(&fridge, "accept").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("A3"));
    assert_eq!(
        rejection.details,
        [
            "customer_signature: missing",
            "checklist.cooling: failed",
            "checklist.door_seal: failed",
        ]
    );
    let done = installation("commissioned")
        .product(product("refrigerator", "2026-01-08"))
        .attr("checklist", json!({"level": true, "cooling": true}))
        .attr("customer_signature", "李雷")
        .build();
    assert!(plugin().guard(&done, "accept").is_ok());
}

#[test]
fn a2_a_failed_unboxing_reserves_the_replacement_parts_it_names() {
    let mut check = passed_unboxing();
    check["accessories_complete"] = json!(false);
    let snapshot = installation("on_site")
        .product(product("air_conditioner", "2026-01-08"))
        .attr("unboxing", check)
        .attr("parts_needed", json!([{"sku": "RC-KFR35", "quantity": 1}]))
        .now("2026-01-10T14:00:00+08:00")
        .build();
    let effects = plugin().guard(&snapshot, "unbox").expect("allowed");
    let reserve = effects
        .iter()
        .position(|e| matches!(e, Effect::ReservePart { sku, quantity: 1, node: None } if sku == "RC-KFR35"))
        .expect("the remote control is reserved");
    let wait = effects
        .iter()
        .position(|e| matches!(e, Effect::RequestTransition { transition } if transition == "wait_for_parts"))
        .expect("and the installation waits");
    assert!(reserve < wait);
}
