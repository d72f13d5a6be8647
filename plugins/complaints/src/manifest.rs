//! Kinds, workflows, attribute schemas, SLA defaults and configuration of
//! the complaints plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

use crate::config::{self, BUSINESS_DAY_MINUTES, Config};

pub const COMPLAINT: &str = "complaint";
pub const CONSULTATION: &str = "consultation";

pub const RECEIVED: &str = "received";
pub const ACKNOWLEDGED: &str = "acknowledged";
pub const ASSESSED: &str = "assessed";
pub const INVESTIGATING: &str = "investigating";
pub const RESPONDED: &str = "responded";
pub const CLOSED: &str = "closed";

const DESK: &[Role] = &[Role::Agent, Role::Admin];
const DESK_OR_HOST: &[Role] = &[Role::Agent, Role::Admin, Role::System];

/// Where the complainant has no decision yet.
pub fn awaits_decision(state: &str) -> bool {
    matches!(state, RECEIVED | ACKNOWLEDGED | ASSESSED | INVESTIGATING)
}

pub fn manifest() -> Manifest {
    ManifestBuilder::new(
        "complaints",
        env!("CARGO_PKG_VERSION"),
        "Consultations and complaints (ISO 10002): acknowledgement and decision deadlines, \
         service recovery",
    )
    .kind(complaint())
    .kind(consultation())
    .config(config::config_schema(), config::default_config())
    .build()
}

/// A complaint, handled after ISO 10002: receipt, acknowledgement,
/// assessment, investigation, response (the decision), closing.
fn complaint() -> KindBuilder {
    let defaults = Config::default();
    KindBuilder::new(COMPLAINT, "Complaint")
        .state(RECEIVED, "Received", Category::New)
        .state(ACKNOWLEDGED, "Acknowledged", Category::Active)
        .state(ASSESSED, "Assessed", Category::Active)
        .state(INVESTIGATING, "Investigating", Category::Active)
        .state(RESPONDED, "Responded", Category::Resolved)
        .state(CLOSED, "Closed", Category::Closed)
        .transition(
            Transition::named("acknowledge", "Acknowledge")
                .from(&[RECEIVED])
                .to(ACKNOWLEDGED)
                .by(DESK),
        )
        .transition(
            Transition::named("assess", "Assess")
                .from(&[ACKNOWLEDGED])
                .to(ASSESSED)
                .by(DESK),
        )
        .transition(
            Transition::named("investigate", "Investigate")
                .from(&[ASSESSED])
                .to(INVESTIGATING)
                .by(DESK),
        )
        .transition(
            Transition::named("respond", "Respond")
                .from(&[ASSESSED, INVESTIGATING])
                .to(RESPONDED)
                .by(DESK),
        )
        .transition(
            Transition::named("close", "Close")
                .from(&[RESPONDED])
                .to(CLOSED)
                .by(DESK_OR_HOST),
        )
        .attributes_schema(complaint_schema())
        .default_priority(Priority::P3)
        // C1 and C2 as the host's clocks; the plugin also sets the calendar
        // due dates (see `deadlines`).
        .sla(
            SlaMetric::Response,
            None,
            business_minutes(defaults.acknowledge_business_days),
            true,
        )
        .sla(
            SlaMetric::Resolution,
            None,
            business_minutes(defaults.decision_business_days),
            true,
        )
}

/// A target of zero minutes is refused by the host; "by the end of the day
/// of receipt" is at most one business day of business time.
fn business_minutes(days: u32) -> u32 {
    days.max(1).saturating_mul(BUSINESS_DAY_MINUTES)
}

fn consultation() -> KindBuilder {
    KindBuilder::new(CONSULTATION, "Consultation")
        .state(RECEIVED, "Received", Category::New)
        .state("answered", "Answered", Category::Resolved)
        .state(CLOSED, "Closed", Category::Closed)
        .transition(
            Transition::named("answer", "Answer")
                .from(&[RECEIVED])
                .to("answered")
                .by(DESK),
        )
        .transition(
            Transition::named("close", "Close")
                .from(&["answered"])
                .to(CLOSED)
                .by(DESK_OR_HOST),
        )
        .attributes_schema(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "topic": {"type": "string"},
                "related_ticket": {"type": "string", "minLength": 1}
            }
        }))
}

fn complaint_schema() -> Value {
    // Amounts are money: decimal strings with at most two decimals, never
    // JSON numbers, which would travel as floats.
    let amount = json!({
        "type": ["string", "null"],
        "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"
    });
    let instant = json!({"type": "string", "format": "date-time"});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "category": {"enum": [
                "product_quality", "service_quality", "delivery", "installation",
                "repair", "billing", "staff_conduct", "other"
            ]},
            "severity": {"enum": ["low", "medium", "high", "critical"]},
            "complaint_channel": {"enum": [
                "phone", "online", "walk_in", "onsite", "email", "letter", "social_media",
                "regulator_12315", "consumer_association"
            ]},
            "related_ticket": {"type": "string", "minLength": 1},
            "about_failed_service": {"type": "boolean"},
            // Not `required` here: a record may be filled in step by step,
            // and C3 names what is still missing when the complaint closes.
            "service_recovery": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "apology": {"type": "boolean"},
                    "repair": {"type": "boolean"},
                    "replacement": {"type": "boolean"},
                    "refund": amount,
                    "compensation": amount,
                    "note": {"type": "string"}
                }
            },
            "acknowledge_due_at": instant,
            "decision_due_at": instant,
            "acknowledged_at": instant,
            "responded_at": instant,
            "acknowledgement_overdue": {"type": "boolean"},
            "decision_overdue": {"type": "boolean"}
        }
    })
}
