//! Kinds, workflow, attribute schema and configuration of the it-support
//! plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

const DESK: &[Role] = &[Role::Agent, Role::Admin];
const DESK_OR_HOST: &[Role] = &[Role::Agent, Role::Admin, Role::System];

pub fn manifest() -> Manifest {
    ManifestBuilder::new(
        "it-support",
        env!("CARGO_PKG_VERSION"),
        "IT service desk: derived priorities, response and resolution targets, escalation, \
         major incidents",
    )
    .kind(service_desk("incident", "Incident"))
    .kind(service_desk("service_request", "Service request"))
    .kind(service_desk("problem", "Problem"))
    .action(
        "priority",
        "Priority from impact and urgency",
        &[],
        &[Role::Agent, Role::Admin, Role::Viewer],
        json!({
            "type": "object",
            "properties": {
                "impact": {"enum": ["high", "medium", "low"]},
                "urgency": {"enum": ["high", "medium", "low"]}
            },
            "additionalProperties": false
        }),
    )
    .config(config_schema(), default_config())
    .build()
}

fn service_desk(name: &str, label: &str) -> KindBuilder {
    let mut kind = KindBuilder::new(name, label)
        .state("new", "New", Category::New)
        .state("assigned", "Assigned", Category::Active)
        .state("in_progress", "In progress", Category::Active)
        .state("on_hold", "On hold", Category::Waiting)
        .state("resolved", "Resolved", Category::Resolved)
        .state("closed", "Closed", Category::Closed)
        .state("cancelled", "Cancelled", Category::Cancelled)
        .transition("assign", "Assign", &["new"], "assigned", DESK)
        .transition(
            "start",
            "Start work",
            &["new", "assigned"],
            "in_progress",
            DESK,
        )
        .transition(
            "hold",
            "Put on hold",
            &["assigned", "in_progress"],
            "on_hold",
            DESK,
        )
        .transition(
            "resume",
            "Resume",
            &["on_hold"],
            "in_progress",
            DESK_OR_HOST,
        )
        .transition(
            "resolve",
            "Resolve",
            &["assigned", "in_progress"],
            "resolved",
            DESK,
        )
        .transition(
            "reopen",
            "Reopen",
            &["resolved"],
            "in_progress",
            &[Role::Agent, Role::Admin, Role::Customer],
        )
        .transition("close", "Close", &["resolved"], "closed", DESK_OR_HOST)
        .transition(
            "cancel",
            "Cancel",
            &["new", "assigned", "on_hold"],
            "cancelled",
            DESK,
        )
        .attributes_schema(attributes_schema())
        .default_priority(Priority::P3);
    // I2 defaults; P5 is planned work without targets.
    for (priority, response, resolution, business) in [
        (Priority::P1, 15, 4 * 60, false),
        (Priority::P2, 30, 8 * 60, false),
        (Priority::P3, 4 * 60, 24 * 60, false),
        (Priority::P4, 8 * 60, 5 * 8 * 60, true),
    ] {
        kind = kind
            .sla(SlaMetric::Response, Some(priority), response, business)
            .sla(SlaMetric::Resolution, Some(priority), resolution, business);
    }
    kind
}

fn attributes_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "impact": {"enum": ["high", "medium", "low"]},
            "urgency": {"enum": ["high", "medium", "low"]},
            "major_incident": {"type": "boolean"},
            "incident_manager": {"type": "string", "minLength": 1},
            "tier": {"type": "integer", "minimum": 1, "maximum": 3},
            "service": {"type": "string"},
            "problem_ticket": {"type": "string"}
        }
    })
}

fn config_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "targets": {"type": "object"},
            "auto_close_business_days": {"type": "integer", "minimum": 0},
            "stakeholder_update_minutes": {"type": "integer", "minimum": 1},
            "escalation_percent": {
                "type": "object",
                "properties": {
                    "assignee": {"type": "integer"},
                    "group_lead": {"type": "integer"},
                    "breach": {"type": "integer"}
                }
            },
            "max_tier": {"type": "integer", "minimum": 1}
        }
    })
}

fn default_config() -> Value {
    json!({
        "targets": {
            "P1": {"response_minutes": 15, "resolution_minutes": 240},
            "P2": {"response_minutes": 30, "resolution_minutes": 480},
            "P3": {"response_minutes": 240, "resolution_minutes": 1440},
            "P4": {"response_minutes": 480, "resolution_business_days": 5}
        },
        "auto_close_business_days": 3,
        "stakeholder_update_minutes": 30,
        "escalation_percent": {"assignee": 50, "group_lead": 75, "breach": 100},
        "max_tier": 3
    })
}
