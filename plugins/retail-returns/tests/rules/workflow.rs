//! Guards and timers: approval against the assessment, N5 refund deadline
//! and shipping, N4 at refund time, R6 replacement units, W7.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder, at};

use super::{exchange_ticket, faulty_tv, plugin, product, return_ticket};

/// A return without a reason, approved and on its way back.
fn no_reason_return(state: &str) -> SnapshotBuilder {
    return_ticket()
        .state(state)
        .product(product("laptop", "5999.00", "2026-02-27"))
        .attr("reason", "no_reason")
        .attr("sale_channel", "online")
        .attr("delivered_at", "2026-03-01T15:20:00+08:00")
        .attr("reported_at", "2026-03-05T10:00:00+08:00")
}

fn notes(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::AddNote { body, .. } => Some(body.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn approve_must_match_what_assess_allows_for_the_customer_s_wish() {
    // Day 3: R1 allows a return; the return ticket approves it in full.
    let day_3 = || faulty_tv().attr("reported_at", "2026-01-13");
    let effects = plugin().guard(&day_3().build(), "approve").unwrap();
    assert_eq!(effects.attribute("refund_amount"), Some(&json!("3000.00")));
    assert_eq!(effects.attribute("assessment_rules"), Some(&json!(["R1"])));
    // A repair is among R1's remedies, but not one a return ticket approves.
    let rejection = plugin()
        .guard(&day_3().attr("customer_wants", "repair").build(), "approve")
        .unwrap_err();
    assert_eq!(rejection.code, "remedy-not-this-kind");
    assert_eq!(rejection.rule.as_deref(), Some("R1"));
    // Day 20: the warranty allows a repair only; neither ticket approves.
    let day_20 = exchange_ticket()
        .product(product("colour_tv", "3000.00", "2026-01-10"))
        .attr("reason", "quality_fault")
        .attr("reported_at", "2026-01-30")
        .build();
    let rejection = plugin().guard(&day_20, "approve").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("R3"));
    assert_eq!(rejection.details, ["allowed: repair"]);
}

#[test]
fn n5_the_return_shipping_is_the_customer_s_without_a_reason_the_seller_s_for_quality() {
    let effects = plugin()
        .guard(&no_reason_return("requested").build(), "approve")
        .unwrap();
    assert_eq!(
        effects.attribute("return_shipping_paid_by"),
        Some(&json!("customer"))
    );
    assert!(notes(&effects)[0].contains("CPL Art. 25"));

    let quality = faulty_tv().attr("reported_at", "2026-01-13").build();
    let effects = plugin().guard(&quality, "approve").unwrap();
    assert_eq!(
        effects.attribute("return_shipping_paid_by"),
        Some(&json!("seller"))
    );
    assert!(notes(&effects)[0].contains("CPL Art. 24"));

    let agreed = no_reason_return("requested")
        .attr("return_shipping_agreed_payer", "seller")
        .build();
    let effects = plugin().guard(&agreed, "approve").unwrap();
    assert_eq!(
        effects.attribute("return_shipping_paid_by"),
        Some(&json!("seller"))
    );
}

#[test]
fn n5_the_refund_is_due_within_seven_days_of_receiving_the_goods() {
    let received = no_reason_return("awaiting_goods")
        .now("2026-03-12T15:00:00+08:00")
        .build();
    let effects = plugin().guard(&received, "receive").unwrap();
    // Received on the 12th: day 7 is the 19th, ending 24:00.
    let (due, payload) = effects.timer("refund_due").expect("N5 timer");
    assert_eq!(due, at("2026-03-20T00:00:00+08:00"));
    assert_eq!(payload.value().unwrap()["rule"], "N5");
    assert_eq!(
        effects.attribute("refund_due"),
        Some(&json!("2026-03-20T00:00:00+08:00"))
    );
    assert_eq!(
        effects.attribute("goods_received_at"),
        Some(&json!("2026-03-12T15:00:00+08:00"))
    );

    let tenant = no_reason_return("awaiting_goods")
        .now("2026-03-12T15:00:00+08:00")
        .config(json!({"refund_due_days": 3}))
        .build();
    let effects = plugin().guard(&tenant, "receive").unwrap();
    assert_eq!(
        effects.timer("refund_due").map(|t| t.0),
        Some(at("2026-03-16T00:00:00+08:00"))
    );
}

#[test]
fn n5_an_overdue_refund_is_escalated_until_it_is_paid() {
    let waiting = no_reason_return("received").build();
    let effects = plugin().on_timer(&waiting, "refund_due", json!({"rule": "N5"}));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Notify { audience: Audience::Manager, template, .. } if template == "refund-overdue"
    )));
    let paid = no_reason_return("refunded").build();
    assert!(plugin().on_timer(&paid, "refund_due", json!({})).is_empty());
    assert!(
        plugin()
            .on_timer(&waiting, "sla:resolution:100", json!({}))
            .is_empty()
    );
}

#[test]
fn n4_a_return_without_a_reason_is_refunded_only_for_intact_goods() {
    let unchecked = no_reason_return("received").build();
    let rejection = plugin().guard(&unchecked, "refund").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("N4"));
    assert_eq!(rejection.details, ["intact: not recorded"]);

    let damaged = no_reason_return("received")
        .attr("intact", false)
        .attr("condition_issues", ["cosmetic_damage", "activated"])
        .build();
    let rejection = plugin().guard(&damaged, "refund").unwrap_err();
    assert_eq!(
        rejection.details,
        [
            "condition_issues: cosmetic_damage",
            "condition_issues: activated",
            "intact: false"
        ]
    );

    let intact = no_reason_return("received")
        .attr("intact", true)
        .attr("condition_issues", ["opened_package"])
        .build();
    let effects = plugin().guard(&intact, "refund").unwrap();
    assert!(effects.contains(&Effect::cancel_timer("refund_due")));

    // A quality return is refunded whatever the state of the goods.
    let quality = faulty_tv().state("received").build();
    assert!(plugin().guard(&quality, "refund").is_ok());
}

#[test]
fn r6_the_replacement_must_be_new_and_its_warranty_restarts() {
    let sending = |replacement: Value| {
        exchange_ticket()
            .state("received")
            .product(product("colour_tv", "3000.00", "2026-01-10"))
            .attr("replacement", replacement)
            .now("2026-01-20T10:00:00+08:00")
            .build()
    };
    let rejection = plugin()
        .guard(&sending(json!({})), "send_replacement")
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("R6"));
    assert_eq!(
        rejection.details,
        [
            "replacement.serial: not recorded",
            "replacement.condition: not recorded"
        ]
    );
    let rejection = plugin()
        .guard(
            &sending(json!({"serial": "SN-RETURNED", "condition": "repaired"})),
            "send_replacement",
        )
        .unwrap_err();
    assert_eq!(
        rejection.details,
        [
            "replacement.serial: SN-RETURNED is the returned unit",
            "replacement.condition: repaired, must be new (not defective, not repaired)"
        ]
    );
    let effects = plugin()
        .guard(
            &sending(json!({"serial": "SN-NEW", "condition": "new"})),
            "send_replacement",
        )
        .unwrap();
    assert_eq!(
        effects.attribute("exchanged_at"),
        Some(&json!("2026-01-20"))
    );
}

#[test]
fn r6_after_an_exchange_the_warranty_counts_from_the_exchange_date() {
    let exchanged = faulty_tv()
        .attr("exchanged_at", "2026-01-20")
        .attr("reported_at", "2027-01-15");
    let answer = super::assess(exchanged, json!({}));
    assert_eq!(super::allowed(&answer), ["repair"]);
}

#[test]
fn w7_a_durable_good_s_fault_within_six_months_is_the_seller_s_to_disprove() {
    let reported = |at: &str| {
        faulty_tv()
            .attr("delivered_at", "2026-01-12T10:00:00+08:00")
            .attr("reported_at", at)
            .build()
    };
    let inside = plugin()
        .on_create(&reported("2026-07-12T23:59:00+08:00"))
        .unwrap();
    assert_eq!(inside.attribute("burden_of_proof"), Some(&json!("seller")));
    let outside = plugin()
        .on_create(&reported("2026-07-13T00:00:00+08:00"))
        .unwrap();
    assert!(outside.is_empty());
    // A return without a reason claims no defect.
    let no_reason = no_reason_return("requested").build();
    assert!(plugin().on_create(&no_reason).unwrap().is_empty());
}
