//! Kinds, workflows, attribute schema and configuration of the appliance
//! plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{self, Value};

use crate::config::Config;
use crate::installation::UNBOXING_ITEMS;

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
/// States of a repair that is not finished, waiting or not.
const REPAIR_OPEN: &[&str] = &[
    "reported",
    "scheduled",
    "on_site",
    "diagnosed",
    "awaiting_customer",
    "awaiting_parts",
];

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
        warranty_input_schema(),
    )
    .action(
        "quote",
        "Quote chargeable work",
        &[],
        &[Role::Agent, Role::Technician, Role::Admin],
        json!({
            "type": "object",
            "description": "Overrides of the ticket's attributes",
            "properties": {
                "pipe_length_m": {"type": ["number", "string"], "description": "metres of copper pipe used"}
            }
        }),
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
            Transition::named("check_in", "Check in on site")
                .from(&["scheduled"])
                .to("on_site")
                .by(FIELD),
        )
        .transition(
            Transition::named("unbox", "Unbox and check the unit")
                .from(&["on_site"])
                .to("unboxed")
                .by(FIELD),
        )
        .transition(
            Transition::named("install", "Install")
                .from(&["unboxed"])
                .to("installed")
                .by(FIELD),
        )
        .transition(
            Transition::named("commission", "Commission and trial run")
                .from(&["installed"])
                .to("commissioned")
                .by(FIELD),
        )
        .transition(
            Transition::named("accept", "Customer acceptance")
                .from(&["commissioned"])
                .to("accepted")
                .by(FIELD),
        )
        .transition(
            Transition::named("follow_up", "Follow-up call")
                .from(&["accepted"])
                .to("followed_up")
                .by(FOLLOW_UP),
        )
        .transition(
            Transition::named("wait_for_customer", "Wait for the customer")
                .from(INSTALLATION_WORK)
                .to("awaiting_customer")
                .by(FIELD),
        )
        .transition(
            Transition::named("wait_for_parts", "Wait for parts or a replacement")
                .from(INSTALLATION_WORK)
                .to("awaiting_parts")
                .by(&[Role::Technician, Role::Agent, Role::Admin, Role::System]),
        )
        .transition(
            Transition::named("reschedule", "Book a new visit")
                .from(&["awaiting_customer", "awaiting_parts"])
                .to("scheduled")
                .by(DESK),
        )
        .transition(
            Transition::named("cancel", "Cancel")
                .from(&["scheduled", "awaiting_customer", "awaiting_parts"])
                .to("cancelled")
                .by(DESK),
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
        .state(
            "replaced",
            "Exchanged or refunded instead (W4/W6)",
            Category::Resolved,
        )
        .state("followed_up", "Followed up (回访)", Category::Closed)
        .state(
            "awaiting_customer",
            "Waiting for the customer",
            Category::Waiting,
        )
        .state("awaiting_parts", "Waiting for parts", Category::Waiting)
        .state("cancelled", "Cancelled", Category::Cancelled)
        .transition(
            Transition::named("schedule", "Book a visit")
                .from(&["reported"])
                .to("scheduled")
                .by(DESK),
        )
        .transition(
            Transition::named("check_in", "Check in on site")
                .from(&["scheduled"])
                .to("on_site")
                .by(FIELD),
        )
        .transition(
            Transition::named("diagnose", "Record the diagnosis")
                .from(&["on_site"])
                .to("diagnosed")
                .by(FIELD),
        )
        .transition(
            Transition::named("repair", "Repaired")
                .from(&["diagnosed"])
                .to("repaired")
                .by(FIELD),
        )
        .transition(
            Transition::named("follow_up", "Follow-up call")
                .from(&["repaired"])
                .to("followed_up")
                .by(FOLLOW_UP),
        )
        .transition(
            Transition::named("replace", "Exchange or refund instead of repair (W4/W6)")
                .from(REPAIR_OPEN)
                .to("replaced")
                .by(DESK),
        )
        .transition(
            Transition::named("reopen", "Fault came back (返修)")
                .from(&["repaired", "followed_up"])
                .to("diagnosed")
                .by(DESK),
        )
        .transition(
            Transition::named("wait_for_customer", "Wait for the customer")
                .from(REPAIR_WORK)
                .to("awaiting_customer")
                .by(FIELD),
        )
        .transition(
            Transition::named("wait_for_parts", "Wait for parts")
                .from(REPAIR_WORK)
                .to("awaiting_parts")
                // The host too: a diagnosis whose parts are back-ordered.
                .by(&[Role::Technician, Role::Agent, Role::Admin, Role::System]),
        )
        .transition(
            Transition::named("reschedule", "Book a new visit")
                .from(&["awaiting_customer", "awaiting_parts"])
                .to("scheduled")
                .by(DESK),
        )
        .transition(
            Transition::named("cancel", "Cancel")
                .from(&["reported", "scheduled", "awaiting_customer"])
                .to("cancelled")
                .by(DESK),
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
            "on_site_due": {
                "type": "string", "format": "date-time",
                "description": "A6 arrival target, set by the plugin"
            },
            "on_site_at": {
                "type": "string", "format": "date-time",
                "description": "first check-in on site, set by the plugin"
            },
            "unboxing": {
                "type": "object",
                "description": "开箱验机: each check true when it passed",
                "properties": UNBOXING_ITEMS
                    .iter()
                    .map(|item| (item.to_string(), json!({"type": "boolean"})))
                    .collect::<serde_json::Map<_, _>>(),
                "additionalProperties": false
            },
            "unboxing_failed": {
                "type": "array",
                "items": {"enum": UNBOXING_ITEMS},
                "description": "A2: the failed unboxing items, set by the plugin"
            },
            "unboxing_remedy": {
                "enum": ["return", "exchange"],
                "description": "A2: the retail ticket a failed unboxing check opens"
            },
            "checklist": {
                "type": "object",
                "description": "Commissioning checklist: item → measured value",
                "additionalProperties": {"type": ["number", "boolean", "string"]}
            },
            "customer_signature": {"type": "string", "minLength": 1},
            "follow_up_due": {
                "type": "string", "format": "date-time",
                "description": "A5 follow-up call (回访) due, set by the plugin"
            },
            "pipe_length_m": {"type": "number", "minimum": 0},
            "parts_needed": {
                "type": "array",
                "description": "parts the diagnosis needs, reserved from stock at `diagnose`",
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "properties": {
                        "sku": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100000}
                    },
                    "required": ["sku", "quantity"],
                    "additionalProperties": false
                }
            },
            "fault": {"type": "string"},
            "failed_part": {"type": "string", "description": "e.g. compressor, motor, panel"},
            "main_function_failure": {"type": "boolean"},
            "main_function_repairs": {
                "type": "integer", "minimum": 0,
                "description": "W6: main-function repairs on earlier tickets"
            },
            "reported_at": {"type": "string", "description": "when the fault was found"},
            "received_at": {"type": "string", "description": "when the customer received the unit"},
            "exclusions": {
                "type": "array",
                "items": {"enum": [
                    "improper_use", "unauthorised_dismantling", "no_card_or_invoice",
                    "card_mismatch", "force_majeure", "unauthorised_installer"
                ]}
            },
            "days_in_repair": {
                "type": "integer", "minimum": 0,
                "description": "W2: days in repair or waiting for parts before this ticket"
            },
            "exchanged_at": {"type": "string", "format": "date"},
            "previous_repair_at": {"type": "string", "description": "W5: the unit's last repair"},
            "re_repair": {"type": "boolean", "description": "W5: same case, set by the plugin"},
            "exchange_entitled": {
                "enum": ["W4", "W6"],
                "description": "the rule that entitles the customer to an exchange, set by the plugin"
            },
            "customer_wants": {"enum": ["exchange", "refund"]},
            "burden_of_proof": {
                "enum": ["seller"],
                "description": "W7, set by the plugin"
            }
        }
    })
}

fn warranty_input_schema() -> Value {
    json!({
        "type": "object",
        "description": "Overrides of the ticket's attributes; `product` overrides product fields",
        "properties": {
            "reported_at": {"type": "string"},
            "failed_part": {"type": "string"},
            "exclusions": {"type": "array", "items": {"type": "string"}},
            "days_in_repair": {"type": "integer", "minimum": 0},
            "exchanged_at": {"type": "string"},
            "received_at": {"type": "string"},
            "main_function_failure": {"type": "boolean"},
            "main_function_repairs": {"type": "integer", "minimum": 0},
            "product": {
                "type": "object",
                "properties": {
                    "category": {"type": "string"},
                    "invoice_date": {"type": "string"},
                    "purchase_date": {"type": "string"},
                    "has_invoice": {"type": "boolean"},
                    "has_warranty_card": {"type": "boolean"}
                }
            }
        }
    })
}

fn config_schema() -> Value {
    let hours = json!({"type": "integer", "minimum": 1});
    let years = json!({"type": "integer", "minimum": 0});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "arrival_hours": {
                "type": "object",
                "description": "A6: on-site arrival target by region, hours from creation",
                "properties": {"city": hours, "county": hours, "rural": hours}
            },
            "follow_up_days": {
                "type": "integer", "minimum": 0,
                "description": "A5: days from acceptance to the follow-up call"
            },
            "included_pipe_m": {
                "type": ["number", "string"], "minimum": 0, "pattern": "^[0-9]+(\\.[0-9]+)?$",
                "description": "A4: metres of copper pipe included"
            },
            "pipe_price_per_m": {
                "type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$",
                "description": "A4: price per extra metre"
            },
            "unboxing_failure_remedy": {
                "enum": ["return", "exchange"],
                "description": "A2: the retail ticket a failed unboxing check opens"
            },
            "part_shortage": {
                "enum": ["refuse", "back_order"],
                "description": "what a diagnosis does when the service point lacks a needed \
                    part: refuse it, or back-order the part and wait for it (read by the host)"
            },
            "split_ac_checklist": {
                "type": "object",
                "description": "A3: split air-conditioner commissioning limits",
                "properties": {
                    "categories": {"type": "array", "items": {"type": "string"}},
                    "vacuum_max_mmhg": {"type": "integer"},
                    "vacuum_hold_minutes": {"type": "integer", "minimum": 0},
                    "trial_run_min_minutes": {"type": "integer", "minimum": 0},
                    "min_anchor_bolts": {"type": "integer", "minimum": 0},
                    "max_exposed_pipe_cm": {"type": "integer", "minimum": 0}
                }
            },
            "warranty": {
                "type": "object",
                "description": "W1: warranty periods, with per-category overrides and main parts",
                "properties": {
                    "whole_unit_years": years,
                    "main_parts_years": years,
                    "categories": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "whole_unit_years": years,
                                "main_parts_years": years,
                                "main_parts": {"type": "array", "items": {"type": "string"}}
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The defaults a tenant starts with: [`Config::default`], so the manifest
/// and the code read the same numbers.
pub fn default_config() -> Value {
    serde_json::to_value(Config::default()).expect("the default configuration is plain data")
}
