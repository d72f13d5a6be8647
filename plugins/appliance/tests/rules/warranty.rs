//! W1–W3, W6, W7 and the `warranty` action; T1–T3 as the warranty counts.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder};

use super::{plugin, product, repair, transitioned};

/// The `warranty` answer for a repair of `builder`, with `input`.
fn warranty(builder: SnapshotBuilder, input: Value) -> Value {
    plugin()
        .action(&builder.build(), "warranty", input)
        .expect("answered")
        .output
}

fn tv(invoice: &str) -> SnapshotBuilder {
    repair("diagnosed").product(product("colour_tv", invoice))
}

#[test]
fn w1_the_whole_unit_is_covered_one_year_from_the_invoice() {
    let inside = warranty(
        tv("2026-01-10"),
        json!({"reported_at": "2027-01-10T23:59:00+08:00"}),
    );
    assert_eq!(inside["in_warranty"], true);
    assert_eq!(inside["chargeable"], false);
    assert_eq!(inside["whole_unit_until"], "2027-01-10");
    assert_eq!(inside["main_parts_until"], "2029-01-10");
    assert_eq!(inside["remedy"], json!(["repair"]));
    assert_eq!(inside["rules"], json!(["W1"]));

    let outside = warranty(
        tv("2026-01-10"),
        json!({"reported_at": "2027-01-11T00:00:00+08:00"}),
    );
    assert_eq!(outside["in_warranty"], false);
    assert_eq!(outside["chargeable"], true);
    assert_eq!(outside["remedy"], json!(["chargeable_repair"]));
}

#[test]
fn w1_main_parts_are_covered_three_years() {
    let compressor = |reported: &str| {
        warranty(
            repair("diagnosed").product(product("air_conditioner", "2026-01-10")),
            json!({"reported_at": reported, "failed_part": "compressor"}),
        )
    };
    let year_three = compressor("2029-01-10T23:59:00+08:00");
    assert_eq!(year_three["in_warranty"], true);
    assert_eq!(year_three["main_parts_until"], "2029-01-10");
    assert_eq!(
        compressor("2029-01-11T00:00:00+08:00")["in_warranty"],
        false
    );

    // Another part of the same unit is out after the first year.
    let fan = warranty(
        repair("diagnosed").product(product("air_conditioner", "2026-01-10")),
        json!({"reported_at": "2027-06-01", "failed_part": "fan"}),
    );
    assert_eq!(fan["in_warranty"], false);
    // A category without main parts has no main-part warranty.
    let kettle = warranty(
        repair("diagnosed").product(product("kettle", "2026-01-10")),
        json!({}),
    );
    assert_eq!(kettle["main_parts_until"], Value::Null);
}

#[test]
fn w1_periods_per_category_come_from_the_configuration() {
    let laptop = repair("diagnosed")
        .product(product("laptop", "2026-01-10"))
        .config(json!({"warranty": {"categories": {
            "laptop": {"whole_unit_years": 2, "main_parts": ["motherboard"]}
        }}}));
    let answer = warranty(laptop, json!({"reported_at": "2027-06-01"}));
    assert_eq!(answer["whole_unit_until"], "2028-01-10");
    assert_eq!(answer["main_parts_until"], "2029-01-10");
    assert_eq!(answer["in_warranty"], true);
}

#[test]
fn w1_without_an_invoice_date_the_warranty_cannot_be_counted() {
    let mut unknown = product("colour_tv", "2026-01-10");
    unknown.invoice_date = None;
    unknown.purchase_date = None;
    let rejection = plugin()
        .action(
            &repair("diagnosed").product(unknown).build(),
            "warranty",
            json!(null),
        )
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("W1"));
    assert_eq!(rejection.details, ["product.invoice_date"]);
}

#[test]
fn t2_the_warranty_s_last_day_ends_at_midnight_in_the_tenant_zone() {
    // Invoice 2026-01-10: the year's last day is 2027-01-10, ending 24:00
    // Shanghai; the same instant is already the next day in Tokyo.
    let instant = json!({"reported_at": "2027-01-10T23:30:00+08:00"});
    assert_eq!(
        warranty(tv("2026-01-10"), instant.clone())["in_warranty"],
        true
    );
    assert_eq!(
        warranty(tv("2026-01-10").time_zone("Asia/Tokyo"), instant)["in_warranty"],
        false
    );
}

#[test]
fn t3_a_warranty_from_29_february_ends_on_28_february() {
    let leap = || tv("2024-02-29");
    let answer = warranty(leap(), json!({"reported_at": "2025-02-28T23:59:00+08:00"}));
    assert_eq!(answer["whole_unit_until"], "2025-02-28");
    assert_eq!(answer["in_warranty"], true);
    assert_eq!(answer["main_parts_until"], "2027-02-28");
    let answer = warranty(leap(), json!({"reported_at": "2025-03-01T00:00:00+08:00"}));
    assert_eq!(answer["in_warranty"], false);
}

#[test]
fn w2_days_in_repair_extend_the_warranty() {
    let answer = warranty(
        tv("2026-01-10").attr("days_in_repair", 12),
        json!({"reported_at": "2027-01-22T23:59:00+08:00"}),
    );
    assert_eq!(answer["whole_unit_until"], "2027-01-22");
    assert_eq!(answer["main_parts_until"], "2029-01-22");
    assert_eq!(answer["in_warranty"], true);
    assert_eq!(answer["rules"], json!(["W1", "W2"]));
    let answer = warranty(
        tv("2026-01-10").attr("days_in_repair", 12),
        json!({"reported_at": "2027-01-23T00:00:00+08:00"}),
    );
    assert_eq!(answer["in_warranty"], false);
}

#[test]
fn w2_an_exchange_restarts_the_warranty_on_the_exchange_date() {
    let answer = warranty(
        tv("2026-01-10").attr("exchanged_at", "2026-05-20"),
        json!({"reported_at": "2027-05-20"}),
    );
    assert_eq!(answer["whole_unit_until"], "2027-05-20");
    assert_eq!(answer["in_warranty"], true);
    assert!(answer["rules"].as_array().unwrap().contains(&json!("W2")));
}

#[test]
fn w3_every_exclusion_makes_the_repair_chargeable() {
    for cause in [
        "improper_use",
        "unauthorised_dismantling",
        "no_card_or_invoice",
        "card_mismatch",
        "force_majeure",
        "unauthorised_installer",
    ] {
        let answer = warranty(tv("2026-01-10").attr("exclusions", [cause]), json!({}));
        assert_eq!(answer["in_warranty"], true, "{cause}");
        assert_eq!(answer["chargeable"], true, "{cause}");
        assert_eq!(answer["remedy"], json!(["chargeable_repair"]), "{cause}");
        assert_eq!(answer["exclusions"], json!([cause]));
        assert!(answer["rules"].as_array().unwrap().contains(&json!("W3")));
    }
}

#[test]
fn w3_neither_card_nor_invoice_is_an_exclusion_but_one_of_them_is_enough() {
    let mut bare = product("colour_tv", "2026-01-10");
    bare.has_invoice = Some(false);
    bare.has_warranty_card = Some(false);
    let answer = warranty(repair("diagnosed").product(bare.clone()), json!({}));
    assert_eq!(answer["chargeable"], true);
    assert_eq!(answer["exclusions"], json!(["no_card_or_invoice"]));

    bare.has_warranty_card = Some(true);
    let answer = warranty(repair("diagnosed").product(bare), json!({}));
    assert_eq!(answer["chargeable"], false);
    // The input may claim what the customer can show.
    let answer = warranty(
        tv("2026-01-10"),
        json!({"product": {"has_invoice": false, "has_warranty_card": false}}),
    );
    assert_eq!(answer["chargeable"], true);
}

#[test]
fn w6_a_third_main_function_failure_entitles_exchange_or_refund() {
    let after = |repairs: u32| {
        warranty(
            tv("2026-01-10")
                .attr("main_function_failure", true)
                .attr("main_function_repairs", repairs),
            json!({}),
        )
    };
    // After one repair the second failure is repaired again.
    assert_eq!(after(1)["remedy"], json!(["repair"]));
    // After two repairs the third failure is not repaired again.
    let third = after(2);
    assert_eq!(third["remedy"], json!(["exchange", "refund"]));
    assert!(third["rules"].as_array().unwrap().contains(&json!("W6")));
    // Repairs of other functions do not count.
    let other = warranty(tv("2026-01-10").attr("main_function_repairs", 2), json!({}));
    assert_eq!(other["remedy"], json!(["repair"]));
}

#[test]
fn w6_the_unit_s_repairs_on_record_count_without_typing_them() {
    let main = json!({"main_function_failure": true});
    let two_on_record = tv("2025-06-01")
        .attr("main_function_failure", true)
        .prior("repair", Some("2025-11-01T10:00:00+08:00"), main.clone())
        .prior("repair", Some("2025-09-01T10:00:00+08:00"), main.clone());
    let third = warranty(two_on_record, json!({}));
    assert_eq!(third["remedy"], json!(["exchange", "refund"]), "{third}");
    assert!(third["rules"].as_array().unwrap().contains(&json!("W6")));
    // A repair of another fault, or one never resolved, is not one of them.
    let one = tv("2025-06-01")
        .attr("main_function_failure", true)
        .prior("repair", Some("2025-11-01T10:00:00+08:00"), main.clone())
        .prior(
            "repair",
            Some("2025-10-01T10:00:00+08:00"),
            json!({"fault": "remote"}),
        )
        .prior("repair", None, main);
    assert_eq!(warranty(one, json!({}))["remedy"], json!(["repair"]));
}

#[test]
fn w6_repairs_recorded_on_this_ticket_count() {
    let reopened = transitioned(
        tv("2026-01-10")
            .attr("main_function_failure", true)
            .attr("main_function_repairs", 1),
        "2026-02-01T10:00:00+08:00",
        "repair",
        "diagnosed",
        "repaired",
    );
    let reopened = transitioned(
        reopened,
        "2026-02-10T10:00:00+08:00",
        "reopen",
        "repaired",
        "diagnosed",
    )
    .now("2026-02-10T11:00:00+08:00");
    assert_eq!(
        warranty(reopened, json!({}))["remedy"],
        json!(["exchange", "refund"])
    );
}

#[test]
fn w6_does_not_apply_outside_free_warranty() {
    let answer = warranty(
        tv("2026-01-10")
            .attr("main_function_failure", true)
            .attr("main_function_repairs", 2)
            .attr("exclusions", ["improper_use"]),
        json!({}),
    );
    assert_eq!(answer["remedy"], json!(["chargeable_repair"]));
}

#[test]
fn w7_durable_goods_within_six_months_put_the_burden_of_proof_on_the_seller() {
    let reported = |at: &str| {
        repair("reported")
            .product(product("refrigerator", "2026-01-10"))
            .attr("received_at", "2026-01-12")
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
    assert_eq!(outside.attribute("burden_of_proof"), None);

    // Not durable goods in the sense of CPL Art. 23.
    let kettle = repair("reported")
        .product(product("kettle", "2026-01-10"))
        .build();
    assert_eq!(
        plugin()
            .on_create(&kettle)
            .unwrap()
            .attribute("burden_of_proof"),
        None
    );
}

#[test]
fn w7_receipt_defaults_to_the_purchase_date_and_edits_recompute_it() {
    // Purchased 2026-01-10, reported 2026-07-10: within six months.
    let snapshot = repair("reported")
        .product(product("colour_tv", "2026-01-10"))
        .attr("reported_at", "2026-07-10")
        .build();
    let effects = plugin().edit(&snapshot, None, &["reported_at"]).unwrap();
    assert_eq!(effects.attribute("burden_of_proof"), Some(&json!("seller")));

    let moved = repair("reported")
        .product(product("colour_tv", "2026-01-10"))
        .attr("burden_of_proof", "seller")
        .attr("reported_at", "2026-08-01")
        .build();
    let effects = plugin().edit(&moved, None, &["reported_at"]).unwrap();
    assert_eq!(effects.attribute("burden_of_proof"), Some(&Value::Null));
}

#[test]
fn w2_the_readme_example_answers_as_documented() {
    let answer = warranty(
        tv("2026-01-10").attr("days_in_repair", 12),
        json!({"reported_at": "2027-01-20", "failed_part": "panel"}),
    );
    assert_eq!(
        answer,
        json!({
            "in_warranty": true,
            "whole_unit_until": "2027-01-22",
            "main_parts_until": "2029-01-22",
            "chargeable": false,
            "rules": ["W1", "W2"],
            "remedy": ["repair"],
            "exclusions": [],
            "reason": "in warranty: free repair"
        })
    );
}
