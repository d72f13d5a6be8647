//! A4 extra copper pipe.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::SnapshotBuilder;

use super::{installation, plugin};

fn quote(snapshot: SnapshotBuilder, input: Value) -> Result<Value, Rejection> {
    plugin()
        .action(&snapshot.build(), "quote", input)
        .map(|answer| answer.output)
}

fn total(length: Value) -> String {
    let answer = quote(
        installation("installed").attr("pipe_length_m", length),
        json!({}),
    )
    .expect("quoted");
    answer["total"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a4_the_included_length_is_free() {
    assert_eq!(total(json!(0)), "0.00");
    assert_eq!(total(json!(3)), "0.00");
    assert_eq!(total(json!(3.0)), "0.00");
    let answer = quote(
        installation("installed").attr("pipe_length_m", 3),
        json!({}),
    )
    .unwrap();
    assert_eq!(answer["chargeable"], false);
    assert_eq!(answer["items"], json!([]));
    assert_eq!(answer["rules"], json!(["A4"]));
}

#[test]
fn a4_a_started_metre_counts_as_a_whole_metre() {
    assert_eq!(total(json!(3.01)), "60.00");
    assert_eq!(total(json!(4)), "60.00");
    assert_eq!(total(json!(4.2)), "120.00");
    assert_eq!(total(json!(5.5)), "180.00");
    let answer = quote(
        installation("installed").attr("pipe_length_m", 5.5),
        json!({}),
    )
    .unwrap();
    assert_eq!(answer["chargeable"], true);
    assert_eq!(
        answer["items"],
        json!([{
            "item": "extra_copper_pipe", "rule": "A4", "quantity": "3", "unit": "m",
            "unit_price": "60.00", "amount": "180.00"
        }])
    );
}

#[test]
fn a4_the_tenant_sets_the_included_length_and_a_decimal_price() {
    let snapshot = installation("installed")
        .attr("pipe_length_m", 6.5)
        .config(json!({"included_pipe_m": 5, "pipe_price_per_m": "45.5"}));
    let answer = quote(snapshot, json!({})).unwrap();
    assert_eq!(answer["items"][0]["unit_price"], "45.50");
    assert_eq!(answer["total"], "91.00");
}

#[test]
fn a4_input_overrides_the_recorded_length() {
    let answer = quote(
        installation("installed").attr("pipe_length_m", 3),
        json!({"pipe_length_m": "7"}),
    )
    .unwrap();
    assert_eq!(answer["total"], "240.00");
}

#[test]
fn a4_without_a_length_there_is_nothing_to_quote() {
    let rejection = quote(installation("installed"), json!(null)).unwrap_err();
    assert_eq!(rejection.rule.as_deref(), Some("A4"));
    assert_eq!(rejection.details, ["pipe_length_m"]);
    let negative = quote(installation("installed"), json!({"pipe_length_m": -1})).unwrap_err();
    assert_eq!(negative.code, "invalid-attribute");
    let not_an_object = quote(installation("installed"), json!([1])).unwrap_err();
    assert_eq!(not_an_object.code, "invalid-input");
}
