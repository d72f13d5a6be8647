use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::EffectsExt;

use crate::{desk, priority_answer};

#[test]
fn e4_medium_impact_high_urgency_is_p2_with_30_minute_response_and_8_hour_resolution() {
    let desk = desk();
    let snapshot = desk
        .snapshot("incident")
        .attr("impact", "medium")
        .attr("urgency", "high")
        .build();

    let effects = desk.on_create(&snapshot).unwrap();
    assert_eq!(effects.priority(), Some(Priority::P2));

    let answer = priority_answer(&snapshot, json!({}));
    assert_eq!(
        answer,
        json!({
            "priority": "P2",
            "impact": "medium",
            "urgency": "high",
            "major_incident": false,
            "response_minutes": 30,
            "resolution_minutes": 480,
            "rules": ["I1", "I2"]
        })
    );

    // The host's SLA clocks start from the manifest's targets.
    let incident = desk.manifest().kind("incident").unwrap();
    let p2: Vec<_> = incident
        .sla
        .iter()
        .filter(|t| t.priority == Some(Priority::P2))
        .map(|t| (t.metric, t.minutes, t.business_time))
        .collect();
    assert_eq!(
        p2,
        [
            (SlaMetric::Response, 30, false),
            (SlaMetric::Resolution, 8 * 60, false)
        ]
    );
}
