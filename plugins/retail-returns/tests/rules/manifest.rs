//! The manifest agrees with the code: configuration, workflows, actions.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json;

use super::{plugin, return_ticket};
use retail_returns::{Config, RetailReturns};

#[test]
fn the_default_configuration_is_config_default() {
    let manifest = RetailReturns::manifest();
    assert_eq!(
        manifest.default_config,
        serde_json::to_value(Config::default()).unwrap()
    );
    assert_eq!(
        manifest.default_config["daily_depreciation_percent"],
        json!({"bicycle": "0.05", "colour_tv": "0.1"})
    );
    let parsed: Config = serde_json::from_value(manifest.default_config).unwrap();
    assert_eq!(parsed, Config::default());
}

#[test]
fn returns_wait_for_the_goods_with_the_clock_paused() {
    let manifest = RetailReturns::manifest();
    let ret = manifest.kind("return").unwrap();
    assert_eq!(
        ret.workflow.state("awaiting_goods").unwrap().category,
        Category::Waiting
    );
    assert!(manifest.actions.iter().any(|a| a.name == "assess"));
}

#[test]
fn a_malformed_configuration_is_a_rejection_not_a_trap() {
    let snapshot = return_ticket()
        .config(json!({"daily_depreciation_percent": {"colour_tv": "a lot"}}))
        .build();
    assert_eq!(
        plugin().on_create(&snapshot).unwrap_err().code,
        "invalid-input"
    );
    let rejection = plugin()
        .action(&return_ticket().build(), "refund_everything", json!({}))
        .unwrap_err();
    assert_eq!(rejection.code, "unknown-action");
}
