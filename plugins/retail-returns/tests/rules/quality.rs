//! R1–R5 and R7: remedies for a quality fault; T1–T3 as they count.

use aftersale_sdk::prelude::*;

use super::{allowed, assess, faulty_tv, plugin, product, return_ticket};

#[test]
fn r1_within_seven_days_the_customer_chooses_and_a_return_refunds_the_full_price() {
    let answer = assess(
        faulty_tv().attr("reported_at", "2026-01-17T23:59:59+08:00"),
        json!({}),
    );
    assert_eq!(allowed(&answer), ["return", "exchange", "repair"]);
    assert_eq!(answer["refund"], "3000.00");
    let exchange = plugin().guard(
        &super::exchange_ticket()
            .product(product("colour_tv", "3000.00", "2026-01-10"))
            .attr("reason", "quality_fault")
            .attr("reported_at", "2026-01-12")
            .build(),
        "approve",
    );
    assert!(exchange.is_ok());
}

#[test]
fn r2_fault_on_day_eight_allows_only_exchange_or_repair() {
    let day_8 = || faulty_tv().attr("reported_at", "2026-01-18T00:00:00+08:00");
    let answer = assess(day_8(), json!({}));
    assert_eq!(allowed(&answer), ["exchange", "repair"]);
    let rejection = plugin().guard(&day_8().build(), "approve").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("R2"));
    assert_eq!(rejection.code, "remedy-not-allowed");
    assert_eq!(rejection.details, ["allowed: exchange, repair"]);
}

#[test]
fn r2_day_fifteen_is_the_last_day_of_exchange() {
    // Sold 2026-01-10: day 15 is 2026-01-25, day 16 falls to the warranty.
    let day_15 = assess(
        faulty_tv().attr("reported_at", "2026-01-25T23:59:00+08:00"),
        json!({}),
    );
    assert_eq!(day_15["rules"], json!(["R2"]));
    let day_16 = assess(
        faulty_tv().attr("reported_at", "2026-01-26T00:00:00+08:00"),
        json!({}),
    );
    assert_eq!(day_16["rules"], json!(["R3"]));
    assert_eq!(allowed(&day_16), ["repair"]);
}

#[test]
fn r3_within_the_warranty_repair_after_two_repairs_exchange_or_refund() {
    let failing_after = |repairs: u32| {
        assess(
            faulty_tv()
                .attr("reported_at", "2026-06-01")
                .attr("main_function_repairs", repairs)
                .attr("same_model_available", true),
            json!({}),
        )
    };
    // The second failure, after one repair, is repaired again.
    assert_eq!(allowed(&failing_after(1)), ["repair"]);
    // The third, after two repairs, is not.
    let third = failing_after(2);
    assert_eq!(allowed(&third), ["exchange", "refund"]);
    assert_eq!(third["rules"], json!(["R3", "R5"]));
}

#[test]
fn r3_the_unit_s_two_main_function_repairs_on_record_allow_exchange_or_refund() {
    let main = json!({"main_function_failure": true});
    let on_record = |repairs: &[&str]| {
        let mut builder = faulty_tv()
            .attr("reported_at", "2026-06-01")
            .attr("same_model_available", true);
        for resolved in repairs {
            builder = builder.prior("repair", Some(resolved), main.clone());
        }
        assess(builder, json!({}))
    };
    assert_eq!(
        allowed(&on_record(&["2026-03-01T10:00:00+08:00"])),
        ["repair"]
    );
    let third = on_record(&["2026-04-01T10:00:00+08:00", "2026-03-01T10:00:00+08:00"]);
    assert_eq!(allowed(&third), ["exchange", "refund"]);
    assert_eq!(third["rules"], json!(["R3", "R5"]));
}

#[test]
fn r3_outside_the_warranty_only_a_chargeable_repair() {
    let inside = assess(
        faulty_tv().attr("reported_at", "2027-01-10T23:59:00+08:00"),
        json!({}),
    );
    assert_eq!(allowed(&inside), ["repair"]);
    let outside = assess(
        faulty_tv().attr("reported_at", "2027-01-11T00:00:00+08:00"),
        json!({}),
    );
    assert_eq!(allowed(&outside), ["chargeable_repair"]);
    assert_eq!(outside["rules"], json!(["R3"]));
    // W2: days in repair push the end back.
    let extended = assess(
        faulty_tv()
            .attr("reported_at", "2027-01-11T00:00:00+08:00")
            .attr("days_in_repair", 1),
        json!({}),
    );
    assert_eq!(allowed(&extended), ["repair"]);
}

#[test]
fn t3_a_warranty_from_29_february_ends_on_28_february() {
    let leap = || {
        return_ticket()
            .product(product("colour_tv", "3000.00", "2024-02-29"))
            .attr("reason", "quality_fault")
    };
    let last_day = assess(leap().attr("reported_at", "2025-02-28"), json!({}));
    assert_eq!(allowed(&last_day), ["repair"]);
    let after = assess(leap().attr("reported_at", "2025-03-01"), json!({}));
    assert_eq!(allowed(&after), ["chargeable_repair"]);
}

#[test]
fn r4_no_same_model_and_the_customer_declines_another_full_refund() {
    let third = assess(
        faulty_tv()
            .attr("reported_at", "2026-06-01")
            .attr("main_function_repairs", 2)
            .attr("same_model_available", false),
        json!({}),
    );
    assert_eq!(third["refund"], "3000.00");
    assert_eq!(third["days_used"], json!(null));
    assert_eq!(third["rules"], json!(["R3", "R4"]));

    // Days 8–15: with no same-model unit a refund joins exchange and repair…
    let day_10 = || {
        faulty_tv()
            .attr("reported_at", "2026-01-20")
            .attr("same_model_available", false)
    };
    let answer = assess(day_10(), json!({}));
    assert_eq!(allowed(&answer), ["exchange", "repair", "refund"]);
    assert_eq!(answer["refund"], "3000.00");
    assert_eq!(answer["rules"], json!(["R2", "R4"]));
    // …unless the customer takes another model.
    let answer = assess(day_10().attr("accepts_other_model", true), json!({}));
    assert_eq!(allowed(&answer), ["exchange", "repair"]);
}

#[test]
fn r5_refund_less_depreciation_is_rounded_half_up_to_the_cent() {
    // 1.00 − 1.00 × 1.5 % × 1 day = 0.985 → 0.99 (half-even would say 0.98).
    let gadget = return_ticket()
        .product(product("gadget", "1.00", "2026-01-10"))
        .attr("reason", "quality_fault")
        .attr("main_function_repairs", 2)
        .attr("same_model_available", true)
        .attr("reported_at", "2026-01-11")
        .attr("return_date", "2026-01-11")
        .config(json!({"daily_depreciation_percent": {"gadget": "1.5"}}));
    // Within 7 days R1 would refund in full; R5 is asked for past day 15.
    let answer = assess(gadget, json!({"reported_at": "2026-02-01"}));
    assert_eq!(answer["days_used"], 1);
    assert_eq!(answer["refund"], "0.99");
}

#[test]
fn r5_the_refund_is_never_below_zero() {
    let answer = assess(
        faulty_tv()
            .attr("main_function_repairs", 2)
            .attr("same_model_available", true)
            .attr("reported_at", "2026-03-01")
            .attr("return_date", "2026-03-01")
            .config(json!({"daily_depreciation_percent": {"colour_tv": "5"}})),
        json!({}),
    );
    // 50 days at 5 %/day would be −150 % of the price.
    assert_eq!(answer["days_used"], 50);
    assert_eq!(answer["refund"], "0.00");
}

#[test]
fn r5_days_in_repair_are_not_days_of_use_and_the_bicycle_rate_is_half() {
    let bicycle = return_ticket()
        .product(product("bicycle", "1000.00", "2026-01-10"))
        .attr("reason", "quality_fault")
        .attr("main_function_repairs", 2)
        .attr("same_model_available", true)
        .attr("days_in_repair", 10)
        .attr("reported_at", "2026-03-01")
        .attr("return_date", "2026-03-01");
    // 50 days less 10 in repair = 40 days × 0.05 % = 2 % → 980.00.
    let answer = assess(bicycle, json!({}));
    assert_eq!(answer["days_used"], 40);
    assert_eq!(answer["refund"], "980.00");
}

#[test]
fn r5_without_a_rate_for_the_category_the_refund_is_unknown_and_not_approved() {
    let kettle = || {
        return_ticket()
            .product(product("kettle", "199.00", "2026-01-10"))
            .attr("reason", "quality_fault")
            .attr("main_function_repairs", 2)
            .attr("same_model_available", true)
            .attr("customer_wants", "refund")
            .attr("reported_at", "2026-03-01")
            // No return date: the goods come back today, 60 days after the invoice.
            .now("2026-03-11T10:00:00+08:00")
    };
    let answer = assess(kettle(), json!({}));
    assert_eq!(answer["refund"], json!(null));
    assert_eq!(
        answer["details"],
        json!(["daily_depreciation_percent.kettle: not recorded"])
    );
    let rejection = plugin().guard(&kettle().build(), "approve").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("R5"));
    assert_eq!(rejection.code, "refund-unknown");
    // The tenant adds the rate and the refund follows.
    let answer = assess(
        kettle().config(json!({"daily_depreciation_percent": {"kettle": "0.1"}})),
        json!({}),
    );
    assert_eq!(answer["refund"], "187.06");
}

#[test]
fn r7_w3_exclusions_leave_only_a_chargeable_repair() {
    let misused = || {
        faulty_tv()
            .attr("reported_at", "2026-01-12")
            .attr("exclusions", ["improper_use", "force_majeure"])
    };
    let answer = assess(misused(), json!({}));
    assert_eq!(allowed(&answer), ["chargeable_repair"]);
    assert_eq!(answer["rules"], json!(["R7"]));
    assert_eq!(
        answer["details"],
        json!(["exclusions: improper_use", "exclusions: force_majeure"])
    );
    let rejection = plugin().guard(&misused().build(), "approve").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("R7"));

    let bare = assess(
        faulty_tv().attr("reported_at", "2026-01-12"),
        json!({"product": {"has_invoice": false, "has_warranty_card": false}}),
    );
    assert_eq!(bare["rules"], json!(["R7"]));
}

#[test]
fn a_quality_claim_without_a_sale_date_asks_for_it() {
    let mut unknown = product("colour_tv", "3000.00", "2026-01-10");
    unknown.invoice_date = None;
    unknown.purchase_date = None;
    let answer = assess(
        return_ticket()
            .product(unknown)
            .attr("reason", "quality_fault"),
        json!({}),
    );
    assert!(allowed(&answer).is_empty());
    assert_eq!(answer["details"], json!(["sold_at: not recorded"]));
    // The input can supply it.
    let answer = assess(
        return_ticket().attr("reason", "quality_fault"),
        json!({"sold_at": "2026-01-09"}),
    );
    assert_eq!(answer["rules"], json!(["R1"]));
}
