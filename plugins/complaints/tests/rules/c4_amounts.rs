//! C4: a service recovery record is well formed whenever it is set; its
//! amounts are decimal strings of money, never JSON numbers.

use aftersale_sdk::prelude::*;

use crate::{complaint, desk};

#[test]
fn c4_an_amount_given_as_a_number_is_refused() {
    let desk = desk();
    let snapshot = complaint("2026-01-12T10:00:00+08:00")
        .state("investigating")
        .attr("service_recovery", json!({"refund": 50.5}))
        .build();
    let rejection = desk
        .edit(&snapshot, None, &["service_recovery"])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C4"));
    assert_eq!(rejection.code, "invalid-service-recovery");
    assert_eq!(rejection.details.len(), 1);
    assert!(
        rejection.details[0].starts_with("service_recovery.refund: 50.5 is a JSON number"),
        "{:?}",
        rejection.details
    );
}

#[test]
fn c4_every_malformed_part_is_listed() {
    let desk = desk();
    let snapshot = complaint("2026-01-12T10:00:00+08:00")
        .attr(
            "service_recovery",
            json!({"apology": "yes", "refund": "-5.00", "compensation": "1.234"}),
        )
        .build();
    let rejection = desk.on_create(&snapshot).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C4"));
    let parts: Vec<_> = rejection
        .details
        .iter()
        .map(|d| d.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        parts,
        [
            "service_recovery.apology",
            "service_recovery.refund",
            "service_recovery.compensation"
        ]
    );
}

#[test]
fn c4_amounts_with_up_to_two_decimals_or_null_pass() {
    let desk = desk();
    for refund in [json!("50"), json!("50.5"), json!("50.50"), json!(null)] {
        let snapshot = complaint("2026-01-12T10:00:00+08:00")
            .state("investigating")
            .attr("service_recovery", json!({"refund": refund}))
            .build();
        assert_eq!(
            desk.edit(&snapshot, None, &["service_recovery"]),
            Ok(vec![]),
            "{refund}"
        );
    }
}

#[test]
fn c4_a_third_decimal_is_refused() {
    let desk = desk();
    let snapshot = complaint("2026-01-12T10:00:00+08:00")
        .state("investigating")
        .attr("service_recovery", json!({"compensation": "50.505"}))
        .build();
    let rejection = desk
        .edit(&snapshot, None, &["service_recovery"])
        .unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C4"));
}

#[test]
fn c4_closing_with_a_bad_amount_names_both_rules() {
    let desk = desk();
    let snapshot = complaint("2026-01-12T10:00:00+08:00")
        .state("responded")
        .attr("about_failed_service", true)
        .attr(
            "service_recovery",
            json!({"apology": true, "repair": false, "replacement": false, "refund": 20}),
        )
        .build();
    let rejection = desk.guard(&snapshot, "close").unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C3"));
    assert!(
        rejection.message.contains("C3, C4"),
        "{}",
        rejection.message
    );
    assert_eq!(
        rejection
            .details
            .iter()
            .map(|d| &d[..4])
            .collect::<Vec<_>>(),
        ["[C3]", "[C4]"]
    );
}
