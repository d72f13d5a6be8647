//! The manifest agrees with the code: configuration, workflows, actions.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json;

use super::{installation, plugin};
use appliance::{Appliance, Config};

#[test]
fn the_default_configuration_is_config_default() {
    let manifest = Appliance::manifest();
    assert_eq!(
        manifest.default_config,
        serde_json::to_value(Config::default()).unwrap()
    );
    let parsed: Config = serde_json::from_value(manifest.default_config).unwrap();
    assert_eq!(parsed, Config::default());
    assert_eq!(
        Config::default().arrival_hours.rural,
        72,
        "DOMAIN.md A6 rural default"
    );
}

#[test]
fn tenant_overrides_merge_over_the_defaults() {
    let snapshot = installation("scheduled")
        .config(json!({"arrival_hours": {"city": 12}, "follow_up_days": 5}))
        .build();
    let config = Config::of(&snapshot).unwrap();
    assert_eq!(config.arrival_hours.city, 12);
    assert_eq!(config.arrival_hours.county, 48);
    assert_eq!(config.follow_up_days, 5);
    assert_eq!(
        config.warranty.periods(Some("air_conditioner")).main_parts,
        ["compressor"]
    );
}

#[test]
fn a_malformed_configuration_is_a_rejection_not_a_trap() {
    let snapshot = installation("scheduled")
        .config(json!({"follow_up_days": "three"}))
        .build();
    let rejection = plugin().on_create(&snapshot).unwrap_err();
    assert_eq!(rejection.code, "invalid-input");
}

#[test]
fn workflows_start_in_their_new_state() {
    let manifest = Appliance::manifest();
    for kind in &manifest.kinds {
        let initial = kind.workflow.state(&kind.workflow.initial).unwrap();
        assert_eq!(initial.category, Category::New, "kind {}", kind.name);
    }
}

#[test]
fn actions_are_declared_and_unknown_ones_refused() {
    let manifest = Appliance::manifest();
    let names: Vec<_> = manifest.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["warranty", "quote"]);
    let rejection = plugin()
        .action(&installation("scheduled").build(), "teleport", json!({}))
        .unwrap_err();
    assert_eq!(rejection.code, "unknown-action");
}
