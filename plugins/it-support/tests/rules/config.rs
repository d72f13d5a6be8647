//! The configuration and the manifest agree with each other.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json;
use it_support::Config;

use crate::desk;

#[test]
fn the_manifest_default_config_is_the_typed_default() {
    let desk = desk();
    assert_eq!(
        desk.manifest().default_config,
        serde_json::to_value(Config::default()).unwrap()
    );
    let parsed: Config = serde_json::from_value(desk.manifest().default_config.clone()).unwrap();
    assert_eq!(parsed, Config::default());
}

#[test]
fn the_defaults_are_the_domain_numbers() {
    let config = Config::default();
    assert_eq!(config.auto_close_business_days, 3);
    assert_eq!(config.stakeholder_update_minutes, 30);
    assert_eq!(config.max_tier, 3);
    let p = &config.escalation_percent;
    assert_eq!((p.assignee, p.group_lead, p.breach), (50, 75, 100));
    assert!(config.target(Priority::P5).is_none());
}

#[test]
fn an_empty_or_partial_config_falls_back_to_the_defaults() {
    let config: Config = serde_json::from_value(json!({"max_tier": 4})).unwrap();
    assert_eq!(config.max_tier, 4);
    assert_eq!(config.targets, Config::default().targets);
}

#[test]
fn every_kind_shares_the_service_desk_workflow() {
    let desk = desk();
    let names: Vec<_> = desk
        .manifest()
        .kinds
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(names, ["incident", "service_request", "problem"]);
    for kind in &desk.manifest().kinds {
        let on_hold = kind.workflow.state("on_hold").unwrap();
        assert_eq!(on_hold.category, Category::Waiting);
        assert!(kind.workflow.transition(aftersale_sdk::EDIT).is_none());
    }
}

#[test]
fn a_malformed_config_is_refused_but_timers_keep_the_defaults() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .state("in_progress")
        .assignee("agent-7")
        .config(json!({"max_tier": "three"}))
        .build();
    assert_eq!(
        desk.on_create(&snapshot).unwrap_err().code,
        "invalid-config"
    );
    let effects = desk.on_timer(&snapshot, "sla:response:100", serde_json::Value::Null);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Escalate { tier: 2, .. }))
    );
}
