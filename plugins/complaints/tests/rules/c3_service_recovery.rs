//! C3: a complaint about a failed service closes only with a complete
//! service recovery record that gives at least one remedy.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::SnapshotBuilder;

use crate::{complaint, desk};

fn responded() -> SnapshotBuilder {
    complaint("2026-01-12T10:00:00+08:00")
        .state("responded")
        .attr("about_failed_service", true)
        .now("2026-01-20T10:00:00+08:00")
}

fn close(snapshot: SnapshotBuilder) -> Result<Vec<Effect>, Rejection> {
    desk().guard(&snapshot.build(), "close")
}

#[test]
fn c3_closing_without_a_record_is_refused() {
    let rejection = close(responded()).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C3"));
    assert_eq!(rejection.code, "service-recovery-missing");
    assert_eq!(rejection.details.len(), 1);
    assert!(rejection.details[0].starts_with("service_recovery:"));
}

#[test]
fn c3_a_partial_record_lists_every_missing_part() {
    let rejection =
        close(responded().attr("service_recovery", json!({"apology": true}))).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("C3"));
    let missing: Vec<_> = rejection
        .details
        .iter()
        .map(|d| d.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        missing,
        [
            "service_recovery.repair",
            "service_recovery.replacement",
            "service_recovery.refund",
            "service_recovery.compensation"
        ]
    );
}

fn record(apology: bool, refund: Value) -> Value {
    json!({
        "apology": apology,
        "repair": false,
        "replacement": false,
        "refund": refund,
        "compensation": null
    })
}

#[test]
fn c3_a_record_that_gives_no_remedy_is_refused() {
    for refund in [Value::Null, json!("0.00")] {
        let rejection =
            close(responded().attr("service_recovery", record(false, refund))).unwrap_err();
        assert_eq!(rejection.rule.as_deref(), Some("C3"));
        assert!(
            rejection.details[0].contains("no remedy"),
            "{:?}",
            rejection.details
        );
    }
}

#[test]
fn c3_a_complete_record_with_one_remedy_closes() {
    assert!(close(responded().attr("service_recovery", record(true, Value::Null))).is_ok());
    assert!(close(responded().attr("service_recovery", record(false, json!("0.01")))).is_ok());
}

#[test]
fn c3_a_complaint_not_about_a_failed_service_closes_without_a_record() {
    assert!(close(responded().attr("about_failed_service", false)).is_ok());
    assert!(close(responded().attr("about_failed_service", Value::Null)).is_ok());
}

#[test]
fn c3_only_closing_needs_the_record() {
    let desk = desk();
    let snapshot = responded().state("investigating").build();
    assert!(desk.guard(&snapshot, "respond").is_ok());
}
