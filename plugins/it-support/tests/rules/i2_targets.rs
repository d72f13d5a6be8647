use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

use crate::{desk, priority_answer};

#[test]
fn i2_manifest_sla_defaults_are_the_domain_targets() {
    let desk = desk();
    let expected = [
        (Priority::P1, SlaMetric::Response, 15, false),
        (Priority::P1, SlaMetric::Resolution, 4 * 60, false),
        (Priority::P2, SlaMetric::Response, 30, false),
        (Priority::P2, SlaMetric::Resolution, 8 * 60, false),
        (Priority::P3, SlaMetric::Response, 4 * 60, false),
        (Priority::P3, SlaMetric::Resolution, 24 * 60, false),
        (Priority::P4, SlaMetric::Response, 8 * 60, false),
        // Five business days of the calendar's eight-hour working day.
        (Priority::P4, SlaMetric::Resolution, 5 * 8 * 60, true),
    ];
    for kind in &desk.manifest().kinds {
        let declared: Vec<_> = kind
            .sla
            .iter()
            .map(|t| {
                let priority = t
                    .priority
                    .expect("every it-support target names a priority");
                (priority, t.metric, t.minutes, t.business_time)
            })
            .collect();
        assert_eq!(declared, expected, "{}", kind.name);
    }
}

#[test]
fn i2_manifest_sla_defaults_are_in_sync_with_the_config() {
    let desk = desk();
    let config = &desk.manifest().default_config;
    let incident = desk.manifest().kind("incident").unwrap();
    for target in &incident.sla {
        let priority = format!("{:?}", target.priority.unwrap());
        let entry = &config["targets"][&priority];
        let configured = match (target.metric, target.business_time) {
            (SlaMetric::Response, false) => entry["response_minutes"].as_u64(),
            (SlaMetric::Resolution, false) => entry["resolution_minutes"].as_u64(),
            (SlaMetric::Resolution, true) => entry["resolution_business_days"]
                .as_u64()
                .map(|days| days * u64::from(it_support::config::BUSINESS_DAY_MINUTES)),
            other => panic!("unexpected target {other:?}"),
        };
        assert_eq!(
            configured,
            Some(u64::from(target.minutes)),
            "{priority} {target:?}"
        );
    }
    let configured_targets = config["targets"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t.as_object().unwrap().len())
        .sum::<usize>();
    assert_eq!(configured_targets, incident.sla.len());
}

#[test]
fn i2_p1_responds_in_15_minutes_and_resolves_in_4_hours() {
    let snapshot = desk().snapshot("incident").build();
    let answer = priority_answer(&snapshot, json!({"impact": "high", "urgency": "high"}));
    assert_eq!(answer["response_minutes"], 15);
    assert_eq!(answer["resolution_minutes"], 240);
}

#[test]
fn i2_p3_responds_in_4_hours_and_resolves_in_24_hours() {
    let snapshot = desk().snapshot("incident").build();
    let answer = priority_answer(&snapshot, json!({}));
    assert_eq!(answer["priority"], "P3");
    assert_eq!(answer["response_minutes"], 240);
    assert_eq!(answer["resolution_minutes"], 1440);
}

#[test]
fn i2_p4_resolves_in_5_business_days() {
    let snapshot = desk().snapshot("incident").build();
    let answer = priority_answer(&snapshot, json!({"impact": "medium", "urgency": "low"}));
    assert_eq!(answer["priority"], "P4");
    assert_eq!(answer["response_minutes"], 480);
    assert_eq!(answer["resolution_business_days"], 5);
    assert!(answer.get("resolution_minutes").is_none(), "{answer}");
}

#[test]
fn i2_p5_is_planned_work_without_targets() {
    let snapshot = desk().snapshot("incident").build();
    let answer = priority_answer(&snapshot, json!({"impact": "low", "urgency": "low"}));
    assert_eq!(answer["priority"], "P5");
    assert_eq!(answer["response_minutes"], Value::Null);
    assert_eq!(answer["resolution_minutes"], Value::Null);
}

#[test]
fn i2_a_tenant_override_changes_the_answer() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .config(json!({"targets": {
            "P2": {"response_minutes": 20},
            "P3": {"resolution_minutes": null, "resolution_business_days": 2}
        }}))
        .build();
    let p2 = priority_answer(&snapshot, json!({"impact": "high", "urgency": "medium"}));
    assert_eq!(
        (&p2["response_minutes"], &p2["resolution_minutes"]),
        (&json!(20), &json!(480))
    );
    let p3 = priority_answer(&snapshot, json!({}));
    assert_eq!(p3["resolution_business_days"], 2);
}

#[test]
fn i2_a_resolution_in_minutes_and_business_days_at_once_is_refused() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .config(json!({"targets": {"P3": {"resolution_business_days": 2}}}))
        .build();
    let rejection = desk.action(&snapshot, "priority", json!({})).unwrap_err();
    assert_eq!(rejection.code, "invalid-config");
    assert_eq!(rejection.rule.as_deref(), Some("I2"));
    assert!(
        rejection.details[0].starts_with("targets.P3"),
        "{:?}",
        rejection.details
    );
}
