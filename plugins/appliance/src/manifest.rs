//! Kinds, workflows, attribute schema and configuration of the appliance
//! plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

const FIELD: &[Role] = &[Role::Technician, Role::Agent, Role::Admin];
const DESK: &[Role] = &[Role::Agent, Role::Admin];
const FOLLOW_UP: &[Role] = &[Role::Agent, Role::Admin, Role::System];

/// States of an installation that work happens in, in the order DOMAIN.md
/// gives them; any of them can stop to wait for the customer or for parts.
const INSTALLATION_WORK: &[&str] = &[
    "scheduled",
    "on_site",
    "unboxed",
    "installed",
    "commissioned",
];
const REPAIR_WORK: &[&str] = &["reported", "scheduled", "on_site", "diagnosed"];

pub fn manifest() -> Manifest {
    ManifestBuilder::new(
        "appliance",
        env!("CARGO_PKG_VERSION"),
        "Installation and repair of household appliances: visits, unboxing checks, \
         commissioning checklists, warranty (三包) decisions",
    )
    .kind(installation())
    .kind(repair())
    .action(
        "warranty",
        "Warranty status",
        &[],
        &[Role::Agent, Role::Technician, Role::Admin],
        json!({"type": "object", "additionalProperties": false}),
    )
    .action(
        "quote",
        "Quote chargeable work",
        &[],
        &[Role::Agent, Role::Technician, Role::Admin],
        json!({"type": "object", "additionalProperties": false}),
    )
    .config(config_schema(), default_config())
    .build()
}

fn installation() -> KindBuilder {
    KindBuilder::new("installation", "Installation")
        .state("scheduled", "Scheduled (预约)", Category::New)
        .state("on_site", "On site (上门签到)", Category::Active)
        .state(
            "unboxed",
            "Unboxed and checked (开箱验机)",
            Category::Active,
        )
        .state("installed", "Installed (安装)", Category::Active)
        .state(
            "commissioned",
            "Commissioned (调试/试运行)",
            Category::Active,
        )
        .state(
            "accepted",
            "Accepted by customer (用户验收签字)",
            Category::Resolved,
        )
        .state("followed_up", "Followed up (回访)", Category::Closed)
        .state(
            "awaiting_customer",
            "Waiting for the customer",
            Category::Waiting,
        )
        .state(
            "awaiting_parts",
            "Waiting for parts or a replacement unit",
            Category::Waiting,
        )
        .state("cancelled", "Cancelled", Category::Cancelled)
        .transition(
            "check_in",
            "Check in on site",
            &["scheduled"],
            "on_site",
            FIELD,
        )
        .transition(
            "unbox",
            "Unbox and check the unit",
            &["on_site"],
            "unboxed",
            FIELD,
        )
        .transition("install", "Install", &["unboxed"], "installed", FIELD)
        .transition(
            "commission",
            "Commission and trial run",
            &["installed"],
            "commissioned",
            FIELD,
        )
        .transition(
            "accept",
            "Customer acceptance",
            &["commissioned"],
            "accepted",
            FIELD,
        )
        .transition(
            "follow_up",
            "Follow-up call",
            &["accepted"],
            "followed_up",
            FOLLOW_UP,
        )
        .transition(
            "wait_for_customer",
            "Wait for the customer",
            INSTALLATION_WORK,
            "awaiting_customer",
            FIELD,
        )
        .transition(
            "wait_for_parts",
            "Wait for parts or a replacement",
            INSTALLATION_WORK,
            "awaiting_parts",
            &[Role::Technician, Role::Agent, Role::Admin, Role::System],
        )
        .transition(
            "reschedule",
            "Book a new visit",
            &["awaiting_customer", "awaiting_parts"],
            "scheduled",
            DESK,
        )
        .transition(
            "cancel",
            "Cancel",
            &["scheduled", "awaiting_customer", "awaiting_parts"],
            "cancelled",
            DESK,
        )
        .attributes_schema(attributes_schema())
        .default_priority(Priority::P3)
        .sla(SlaMetric::Response, None, 120, true)
        .sla(SlaMetric::OnSite, None, 24 * 60, false)
        .sla(SlaMetric::Resolution, None, 3 * 24 * 60, false)
}

fn repair() -> KindBuilder {
    KindBuilder::new("repair", "Repair")
        .state("reported", "Reported", Category::New)
        .state("scheduled", "Visit booked", Category::Active)
        .state("on_site", "On site", Category::Active)
        .state("diagnosed", "Diagnosed", Category::Active)
        .state("repaired", "Repaired", Category::Resolved)
        .state("followed_up", "Followed up (回访)", Category::Closed)
        .state(
            "awaiting_customer",
            "Waiting for the customer",
            Category::Waiting,
        )
        .state("awaiting_parts", "Waiting for parts", Category::Waiting)
        .state("cancelled", "Cancelled", Category::Cancelled)
        .transition("schedule", "Book a visit", &["reported"], "scheduled", DESK)
        .transition(
            "check_in",
            "Check in on site",
            &["scheduled"],
            "on_site",
            FIELD,
        )
        .transition(
            "diagnose",
            "Record the diagnosis",
            &["on_site"],
            "diagnosed",
            FIELD,
        )
        .transition("repair", "Repaired", &["diagnosed"], "repaired", FIELD)
        .transition(
            "follow_up",
            "Follow-up call",
            &["repaired"],
            "followed_up",
            FOLLOW_UP,
        )
        .transition(
            "reopen",
            "Fault came back (返修)",
            &["repaired", "followed_up"],
            "diagnosed",
            DESK,
        )
        .transition(
            "wait_for_customer",
            "Wait for the customer",
            REPAIR_WORK,
            "awaiting_customer",
            FIELD,
        )
        .transition(
            "wait_for_parts",
            "Wait for parts",
            REPAIR_WORK,
            "awaiting_parts",
            FIELD,
        )
        .transition(
            "reschedule",
            "Book a new visit",
            &["awaiting_customer", "awaiting_parts"],
            "scheduled",
            DESK,
        )
        .transition(
            "cancel",
            "Cancel",
            &["reported", "scheduled", "awaiting_customer"],
            "cancelled",
            DESK,
        )
        .attributes_schema(attributes_schema())
        .default_priority(Priority::P3)
        .sla(SlaMetric::Response, None, 120, true)
        .sla(SlaMetric::OnSite, None, 24 * 60, false)
        .sla(SlaMetric::Resolution, None, 7 * 24 * 60, false)
}

fn attributes_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "region": {"enum": ["city", "county", "rural"]},
            "appointment_at": {"type": "string", "format": "date-time"},
            "technician": {"type": "string", "minLength": 1},
            "unboxing": {
                "type": "object",
                "description": "开箱验机: each check true when it passed",
                "properties": {
                    "model_matches": {"type": "boolean"},
                    "accessories_complete": {"type": "boolean"},
                    "certificate_present": {"type": "boolean"},
                    "warranty_card_present": {"type": "boolean"},
                    "undamaged": {"type": "boolean"}
                },
                "additionalProperties": false
            },
            "checklist": {
                "type": "object",
                "description": "Commissioning checklist: item → measured value",
                "additionalProperties": {"type": ["number", "boolean", "string"]}
            },
            "customer_signature": {"type": "string", "minLength": 1},
            "pipe_length_m": {"type": "number", "minimum": 0},
            "fault": {"type": "string"},
            "exclusions": {
                "type": "array",
                "items": {"enum": [
                    "improper_use", "unauthorised_dismantling", "no_card_or_invoice",
                    "card_mismatch", "force_majeure", "unauthorised_installer"
                ]}
            },
            "days_in_repair": {"type": "integer", "minimum": 0},
            "exchanged_at": {"type": "string", "format": "date"}
        }
    })
}

fn config_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "arrival_hours": {
                "type": "object",
                "properties": {
                    "city": {"type": "integer", "minimum": 1},
                    "county": {"type": "integer", "minimum": 1},
                    "rural": {"type": "integer", "minimum": 1}
                }
            },
            "follow_up_days": {"type": "integer", "minimum": 0},
            "included_pipe_m": {"type": "number", "minimum": 0},
            "pipe_price_per_m": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"},
            "split_ac_checklist": {"type": "object"},
            "warranty": {"type": "object"}
        }
    })
}

fn default_config() -> Value {
    json!({
        "arrival_hours": {"city": 24, "county": 48, "rural": 72},
        "follow_up_days": 3,
        "included_pipe_m": 3,
        "pipe_price_per_m": "60.00",
        "split_ac_checklist": {
            "vacuum_max_mmhg": -755,
            "vacuum_hold_minutes": 15,
            "trial_run_min_minutes": 30,
            "min_anchor_bolts": 4,
            "max_exposed_pipe_cm": 20
        },
        "warranty": {
            "whole_unit_years": 1,
            "main_parts_years": 3,
            "main_parts": {
                "air_conditioner": "compressor",
                "refrigerator": "compressor",
                "washing_machine": "motor",
                "colour_tv": "panel"
            }
        }
    })
}
