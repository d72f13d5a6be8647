//! The public examples E1–E3 of DOMAIN.md, with their exact figures.

use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::EffectsExt;

use super::{allowed, assess, faulty_tv, plugin, product, return_ticket};

#[test]
fn e1_colour_tv_third_failure_refund_is_2736_00_after_88_days_of_use() {
    let e1 = || {
        faulty_tv()
            .attr("main_function_repairs", 2)
            .attr("days_in_repair", 12)
            .attr("same_model_available", true)
            .attr("customer_wants", "refund")
            .attr("reported_at", "2026-04-20")
            .attr("return_date", "2026-04-20")
            .now("2026-04-20T10:00:00+08:00")
    };
    let answer = assess(e1(), json!({}));
    assert_eq!(answer["refund"], "2736.00");
    assert_eq!(answer["days_used"], 88);
    assert_eq!(allowed(&answer), ["exchange", "refund"]);
    assert_eq!(answer["rules"], json!(["R3", "R5"]));
    assert_eq!(answer["return_shipping_paid_by"], "seller");

    // Approving the refund records the same figure.
    let effects = plugin().guard(&e1().build(), "approve").expect("approved");
    assert_eq!(effects.attribute("refund_amount"), Some(&json!("2736.00")));
    assert_eq!(effects.attribute("approved_remedy"), Some(&json!("refund")));
}

#[test]
fn e2_no_reason_return_at_23_59_allowed_at_00_00_refused() {
    let online = |asked: &str| {
        return_ticket()
            .product(product("laptop", "5999.00", "2026-02-27"))
            .attr("reason", "no_reason")
            .attr("sale_channel", "online")
            .attr("delivered_at", "2026-03-01T15:20:00+08:00")
            .attr("reported_at", asked)
    };
    let in_time = assess(online("2026-03-08T23:59:00+08:00"), json!({}));
    assert_eq!(allowed(&in_time), ["return"]);
    assert_eq!(in_time["refund"], "5999.00");
    assert_eq!(in_time["rules"], json!(["N1"]));
    assert_eq!(in_time["return_shipping_paid_by"], "customer");

    let too_late = assess(online("2026-03-09T00:00:00+08:00"), json!({}));
    assert!(allowed(&too_late).is_empty());
    assert_eq!(too_late["refund"], json!(null));
    assert_eq!(too_late["rules"], json!(["N1"]));
    let rejection = plugin()
        .guard(&online("2026-03-09T00:00:00+08:00").build(), "approve")
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("N1"));
}

#[test]
fn e3_fault_reported_on_the_17th_is_r1_on_the_18th_r2() {
    let reported = |at: &str| assess(faulty_tv().attr("reported_at", at), json!({}));
    let r1 = reported("2026-01-17");
    assert_eq!(r1["rules"], json!(["R1"]));
    assert_eq!(allowed(&r1), ["return", "exchange", "repair"]);
    assert_eq!(r1["refund"], "3000.00");

    let r2 = reported("2026-01-18");
    assert_eq!(r2["rules"], json!(["R2"]));
    assert_eq!(allowed(&r2), ["exchange", "repair"]);
    assert_eq!(r2["refund"], json!(null));
}
