//! The configuration and the manifest agree with each other.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json;
use complaints::Config;
use complaints::config::BUSINESS_DAY_MINUTES;

use crate::desk;

#[test]
fn the_manifest_default_config_is_the_typed_default() {
    let desk = desk();
    assert_eq!(
        desk.manifest().default_config,
        serde_json::to_value(Config::default()).unwrap()
    );
    assert_eq!(
        desk.manifest().default_config,
        json!({"acknowledge_business_days": 1, "decision_business_days": 7})
    );
}

#[test]
fn the_sla_targets_are_the_default_deadlines_in_business_time() {
    let desk = desk();
    let complaint = desk.manifest().kind("complaint").unwrap();
    let config = Config::default();
    let targets: Vec<_> = complaint
        .sla
        .iter()
        .map(|t| (t.metric, t.priority, t.minutes, t.business_time))
        .collect();
    assert_eq!(
        targets,
        [
            (
                SlaMetric::Response,
                None,
                config.acknowledge_business_days * BUSINESS_DAY_MINUTES,
                true
            ),
            (
                SlaMetric::Resolution,
                None,
                config.decision_business_days * BUSINESS_DAY_MINUTES,
                true
            ),
        ]
    );
}

#[test]
fn both_kinds_are_declared_and_complaints_close_by_system_too() {
    let desk = desk();
    let names: Vec<_> = desk
        .manifest()
        .kinds
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(names, ["complaint", "consultation"]);
    let close = desk
        .manifest()
        .kind("complaint")
        .unwrap()
        .workflow
        .transition("close")
        .unwrap();
    assert!(close.roles.contains(&Role::System));
}

#[test]
fn a_malformed_config_is_refused() {
    let desk = desk();
    let snapshot = desk
        .snapshot("complaint")
        .config(json!({"decision_business_days": "seven"}))
        .build();
    assert_eq!(
        desk.on_create(&snapshot).unwrap_err().code,
        "invalid-config"
    );
}
