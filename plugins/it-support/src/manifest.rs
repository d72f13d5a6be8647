//! Kinds, workflow, attribute schema, SLA defaults and actions of the
//! it-support plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

use crate::config::{self, BUSINESS_DAY_MINUTES, Config, Resolution};

pub const INCIDENT: &str = "incident";
pub const SERVICE_REQUEST: &str = "service_request";
pub const PROBLEM: &str = "problem";

pub const RESOLVED: &str = "resolved";
pub const CLOSED: &str = "closed";
pub const CANCELLED: &str = "cancelled";

/// The transition the auto-close timer takes.
pub const CLOSE: &str = "close";

/// The named action of I1/I2.
pub const PRIORITY_ACTION: &str = "priority";

const DESK: &[Role] = &[Role::Agent, Role::Admin];
const DESK_OR_HOST: &[Role] = &[Role::Agent, Role::Admin, Role::System];

/// Whether work on a ticket in `state` is still going on (or waiting).
pub fn is_open(state: &str) -> bool {
    !matches!(state, RESOLVED | CLOSED | CANCELLED)
}

pub fn manifest() -> Manifest {
    ManifestBuilder::new(
        "it-support",
        env!("CARGO_PKG_VERSION"),
        "IT service desk: derived priorities, response and resolution targets, escalation, \
         major incidents",
    )
    .kind(service_desk(INCIDENT, "Incident"))
    .kind(service_desk(SERVICE_REQUEST, "Service request"))
    .kind(service_desk(PROBLEM, "Problem"))
    .action(
        PRIORITY_ACTION,
        "Priority from impact and urgency",
        &[],
        &[Role::Agent, Role::Admin, Role::Viewer],
        json!({
            "type": ["object", "null"],
            "properties": {
                "impact": {"enum": ["high", "medium", "low"]},
                "urgency": {"enum": ["high", "medium", "low"]},
                "major_incident": {"type": "boolean"}
            },
            "additionalProperties": false
        }),
    )
    .config(config::config_schema(), config::default_config())
    .build()
}

fn service_desk(name: &str, label: &str) -> KindBuilder {
    let mut kind = KindBuilder::new(name, label)
        .state("new", "New", Category::New)
        .state("assigned", "Assigned", Category::Active)
        .state("in_progress", "In progress", Category::Active)
        .state("on_hold", "On hold", Category::Waiting)
        .state(RESOLVED, "Resolved", Category::Resolved)
        .state(CLOSED, "Closed", Category::Closed)
        .state(CANCELLED, "Cancelled", Category::Cancelled)
        .transition(
            Transition::named("assign", "Assign")
                .from(&["new"])
                .to("assigned")
                .by(DESK),
        )
        .transition(
            Transition::named("start", "Start work")
                .from(&["new", "assigned"])
                .to("in_progress")
                .by(DESK),
        )
        .transition(
            Transition::named("hold", "Put on hold")
                .from(&["assigned", "in_progress"])
                .to("on_hold")
                .by(DESK),
        )
        .transition(
            Transition::named("resume", "Resume")
                .from(&["on_hold"])
                .to("in_progress")
                .by(DESK_OR_HOST),
        )
        .transition(
            Transition::named("resolve", "Resolve")
                .from(&["assigned", "in_progress"])
                .to(RESOLVED)
                .by(DESK),
        )
        .transition(
            Transition::named("reopen", "Reopen")
                .from(&[RESOLVED])
                .to("in_progress")
                .by(&[Role::Agent, Role::Admin, Role::Customer]),
        )
        // The host takes `close` as `system` when the auto-close timer asks.
        .transition(
            Transition::named(CLOSE, "Close")
                .from(&[RESOLVED])
                .to(CLOSED)
                .by(DESK_OR_HOST),
        )
        .transition(
            Transition::named("cancel", "Cancel")
                .from(&["new", "assigned", "on_hold"])
                .to(CANCELLED)
                .by(DESK),
        )
        .attributes_schema(attributes_schema())
        .default_priority(Priority::P3);
    for (priority, metric, minutes, business_time) in sla_targets(&Config::default()) {
        kind = kind.sla(metric, Some(priority), minutes, business_time);
    }
    kind
}

/// I2 as SLA targets: `(priority, metric, minutes, business time)`. A
/// resolution target in business days is business time of
/// [`BUSINESS_DAY_MINUTES`] a day; minutes are calendar time.
fn sla_targets(config: &Config) -> Vec<(Priority, SlaMetric, u32, bool)> {
    let mut targets = Vec::new();
    for (priority, target) in &config.targets {
        if let Some(minutes) = target.response_minutes {
            targets.push((*priority, SlaMetric::Response, minutes, false));
        }
        match target.resolution() {
            Some(Resolution::Minutes(minutes)) => {
                targets.push((*priority, SlaMetric::Resolution, minutes, false));
            }
            Some(Resolution::BusinessDays(days)) => targets.push((
                *priority,
                SlaMetric::Resolution,
                days.saturating_mul(BUSINESS_DAY_MINUTES),
                true,
            )),
            None => {}
        }
    }
    targets
}

fn attributes_schema() -> Value {
    let level = json!({"enum": ["high", "medium", "low"]});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "impact": level,
            "urgency": level,
            "major_incident": {"type": "boolean"},
            "incident_manager": {"type": "string", "minLength": 1},
            // The ceiling is the tenant's `max_tier`, which a schema cannot see.
            "tier": {"type": "integer", "minimum": 1},
            "service": {"type": "string"},
            "problem_ticket": {"type": "string"},
            "incident_ticket": {"type": "string"},
            "problem_raised_at": {"type": "string", "format": "date-time"}
        }
    })
}
