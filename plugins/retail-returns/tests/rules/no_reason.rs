//! N1–N4: returns without a reason for distance sales; T1/T2 as they count.

use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::SnapshotBuilder;

use super::{allowed, assess, product, return_ticket};

/// An online order signed for on 2026-03-01 15:20 Shanghai, returned without
/// a reason on 2026-03-05.
fn online_order() -> SnapshotBuilder {
    return_ticket()
        .product(product("laptop", "5999.00", "2026-02-27"))
        .attr("reason", "no_reason")
        .attr("sale_channel", "online")
        .attr("delivered_at", "2026-03-01T15:20:00+08:00")
        .attr("reported_at", "2026-03-05T10:00:00+08:00")
}

#[test]
fn n1_only_distance_sales_may_be_returned_without_a_reason() {
    for channel in ["online", "tv", "phone", "mail"] {
        let answer = assess(online_order().attr("sale_channel", channel), json!({}));
        assert_eq!(allowed(&answer), ["return"], "{channel}");
    }
    let store = assess(online_order().attr("sale_channel", "store"), json!({}));
    assert!(allowed(&store).is_empty());
    assert_eq!(store["rules"], json!(["N1"]));
    assert_eq!(
        store["details"],
        json!(["sale_channel: `store` is not a distance sale (online, tv, phone, mail)"])
    );
    let unknown = assess(online_order(), json!({"sale_channel": null}));
    assert_eq!(unknown["details"], json!(["sale_channel: not recorded"]));
}

#[test]
fn n1_no_stated_reason_is_a_return_without_a_reason() {
    let answer = assess(online_order(), json!({"reason": null}));
    assert_eq!(allowed(&answer), ["return"]);
    assert_eq!(answer["rules"], json!(["N1"]));
}

#[test]
fn t1_t2_the_seven_days_start_the_day_after_delivery_and_end_at_midnight_in_the_tenant_zone() {
    // 23:30 Shanghai on day 7 is 00:30 of day 8 in Tokyo.
    let asked = json!({"reported_at": "2026-03-08T23:30:00+08:00"});
    assert_eq!(allowed(&assess(online_order(), asked.clone())), ["return"]);
    let tokyo = assess(online_order().time_zone("Asia/Tokyo"), asked);
    assert!(allowed(&tokyo).is_empty());
}

#[test]
fn t2_a_delivery_is_dated_in_the_tenant_zone() {
    // A delivery signed at 23:30 New York time is already the next day in
    // Shanghai, so its 7 days end a day later.
    let late_signature = json!({
        "delivered_at": "2026-03-01T23:30:00-05:00",
        "reported_at": "2026-03-09T23:59:00+08:00"
    });
    assert_eq!(allowed(&assess(online_order(), late_signature)), ["return"]);
}

#[test]
fn n2_some_goods_are_never_returnable_without_a_reason() {
    for class in [
        "custom_made",
        "perishable",
        "digital_unsealed",
        "periodical",
    ] {
        let answer = assess(online_order().attr("goods_class", class), json!({}));
        assert!(allowed(&answer).is_empty(), "{class}");
        assert_eq!(answer["rules"], json!(["N2"]), "{class}");
    }
}

#[test]
fn n3_only_the_customer_s_explicit_confirmation_excludes_other_goods() {
    let confirmed = assess(
        online_order().attr("confirmed_non_returnable", true),
        json!({}),
    );
    assert!(allowed(&confirmed).is_empty());
    assert_eq!(confirmed["rules"], json!(["N3"]));

    let pre_ticked = assess(
        online_order()
            .attr("confirmed_non_returnable", true)
            .attr("non_returnable_pre_ticked", true),
        json!({}),
    );
    assert_eq!(allowed(&pre_ticked), ["return"]);
    assert_eq!(pre_ticked["rules"], json!(["N1", "N3"]));
}

#[test]
fn n4_opening_and_a_reasonable_trial_keep_the_goods_intact() {
    let tried = assess(
        online_order()
            .attr("intact", true)
            .attr("condition_issues", ["opened_package", "reasonable_trial"]),
        json!({}),
    );
    assert_eq!(allowed(&tried), ["return"]);
    assert_eq!(tried["rules"], json!(["N1", "N4"]));
}

#[test]
fn n4_altered_serials_labels_damage_or_activation_are_not_intact() {
    let damaged = assess(
        online_order().attr(
            "condition_issues",
            [
                "opened_package",
                "serial_altered",
                "labels_altered",
                "cosmetic_damage",
                "activated",
            ],
        ),
        json!({}),
    );
    assert!(allowed(&damaged).is_empty());
    assert_eq!(damaged["rules"], json!(["N4"]));
    assert_eq!(
        damaged["details"],
        json!([
            "condition_issues: serial_altered",
            "condition_issues: labels_altered",
            "condition_issues: cosmetic_damage",
            "condition_issues: activated"
        ])
    );
    let not_intact = assess(online_order().attr("intact", false), json!({}));
    assert_eq!(not_intact["details"], json!(["intact: false"]));
}

#[test]
fn every_obstacle_to_a_no_reason_return_is_named() {
    let answer = assess(
        online_order()
            .attr("sale_channel", "store")
            .attr("goods_class", "custom_made")
            .attr("condition_issues", ["activated"]),
        json!({"reported_at": "2026-03-20"}),
    );
    assert_eq!(answer["rules"], json!(["N1", "N2", "N4"]));
    assert_eq!(answer["details"].as_array().map(Vec::len), Some(4));
}
