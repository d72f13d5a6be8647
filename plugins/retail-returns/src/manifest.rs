//! Kinds, workflows, attribute schema and configuration of the retail-returns
//! plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{self, Value};

use crate::config::Config;

const DESK: &[Role] = &[Role::Agent, Role::Admin];

pub fn manifest() -> Manifest {
    ManifestBuilder::new(
        "retail-returns",
        env!("CARGO_PKG_VERSION"),
        "Returns, exchanges and refunds: 三包 quality remedies and no-reason returns of \
         distance sales, with the refund computed",
    )
    .kind(
        KindBuilder::new("return", "Return and refund")
            .state("requested", "Requested", Category::New)
            .state("approved", "Approved", Category::Active)
            .state("awaiting_goods", "Waiting for the goods", Category::Waiting)
            .state("received", "Goods received", Category::Active)
            .state("refunded", "Refunded", Category::Resolved)
            .state("closed", "Closed", Category::Closed)
            .state("rejected", "Rejected", Category::Cancelled)
            .transition(
                Transition::named("approve", "Approve")
                    .from(&["requested"])
                    .to("approved")
                    .by(DESK),
            )
            .transition(
                Transition::named("reject", "Reject")
                    .from(&["requested"])
                    .to("rejected")
                    .by(DESK),
            )
            .transition(
                Transition::named("await_goods", "Send return label")
                    .from(&["approved"])
                    .to("awaiting_goods")
                    .by(DESK),
            )
            .transition(
                Transition::named("receive", "Goods received")
                    .from(&["approved", "awaiting_goods"])
                    .to("received")
                    .by(DESK),
            )
            .transition(
                Transition::named("refund", "Refund paid")
                    .from(&["received"])
                    .to("refunded")
                    .by(DESK),
            )
            .transition(
                Transition::named("close", "Close")
                    .from(&["refunded"])
                    .to("closed")
                    .by(&[Role::Agent, Role::Admin, Role::System]),
            )
            .attributes_schema(attributes_schema())
            .default_priority(Priority::P3)
            .sla(SlaMetric::Response, None, 8 * 60, true)
            .sla(SlaMetric::Resolution, None, 7 * 24 * 60, false),
    )
    .kind(
        KindBuilder::new("exchange", "Exchange")
            .state("requested", "Requested", Category::New)
            .state("approved", "Approved", Category::Active)
            .state("awaiting_goods", "Waiting for the goods", Category::Waiting)
            .state("received", "Goods received", Category::Active)
            .state("replacement_sent", "Replacement sent", Category::Resolved)
            .state("closed", "Closed", Category::Closed)
            .state("rejected", "Rejected", Category::Cancelled)
            .transition(
                Transition::named("approve", "Approve")
                    .from(&["requested"])
                    .to("approved")
                    .by(DESK),
            )
            .transition(
                Transition::named("reject", "Reject")
                    .from(&["requested"])
                    .to("rejected")
                    .by(DESK),
            )
            .transition(
                Transition::named("await_goods", "Send return label")
                    .from(&["approved"])
                    .to("awaiting_goods")
                    .by(DESK),
            )
            .transition(
                Transition::named("receive", "Goods received")
                    .from(&["approved", "awaiting_goods"])
                    .to("received")
                    .by(DESK),
            )
            .transition(
                Transition::named("send_replacement", "Send the new unit")
                    .from(&["received"])
                    .to("replacement_sent")
                    .by(DESK),
            )
            .transition(
                Transition::named("close", "Close")
                    .from(&["replacement_sent"])
                    .to("closed")
                    .by(&[Role::Agent, Role::Admin, Role::System]),
            )
            .attributes_schema(attributes_schema())
            .default_priority(Priority::P3)
            .sla(SlaMetric::Response, None, 8 * 60, true)
            .sla(SlaMetric::Resolution, None, 15 * 24 * 60, false),
    )
    .action(
        "assess",
        "Assess the remedy and the refund",
        &[],
        &[Role::Agent, Role::Admin, Role::Partner],
        assess_input_schema(),
    )
    .config(config_schema(), default_config())
    .build()
}

fn attributes_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "sale_channel": {"enum": ["online", "tv", "phone", "mail", "store"]},
            "sold_at": {"type": "string"},
            "delivered_at": {"type": "string", "description": "when the delivery was signed for"},
            "reason": {"enum": ["no_reason", "quality_fault"]},
            "reported_at": {"type": "string", "description": "when the customer asked"},
            "goods_class": {"enum": ["custom_made", "perishable", "digital_unsealed", "periodical"]},
            "confirmed_non_returnable": {"type": "boolean"},
            "non_returnable_pre_ticked": {
                "type": "boolean",
                "description": "N3: the confirmation was a box ticked by default"
            },
            "intact": {"type": "boolean"},
            "condition_issues": {
                "type": "array",
                "description": "N4: findings on the returned goods",
                "items": {"enum": [
                    "opened_package", "reasonable_trial", "serial_altered", "labels_altered",
                    "cosmetic_damage", "activated"
                ]}
            },
            "main_function_repairs": {"type": "integer", "minimum": 0},
            "days_in_repair": {"type": "integer", "minimum": 0},
            "same_model_available": {"type": "boolean"},
            "customer_wants": {"enum": ["return", "exchange", "repair", "refund"]},
            "accepts_other_model": {"type": "boolean"},
            "return_date": {"type": "string", "format": "date"},
            "exclusions": {"type": "array", "items": {"type": "string"}},
            "exchanged_at": {
                "type": "string", "format": "date",
                "description": "R6: a previous exchange restarted the warranty; set by the plugin"
            },
            "goods_received_at": {"type": "string", "format": "date-time"},
            "refund_due": {
                "type": "string", "format": "date-time",
                "description": "N5 refund deadline, set by the plugin"
            },
            "refunded_at": {"type": "string", "format": "date-time"},
            "refund_amount": {
                "type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$",
                "description": "the refund approved, set by the plugin"
            },
            "approved_remedy": {"enum": ["return", "exchange", "repair", "refund"]},
            "assessment_rules": {"type": "array", "items": {"type": "string"}},
            "return_shipping_paid_by": {"enum": ["customer", "seller"]},
            "return_shipping_agreed_payer": {"enum": ["customer", "seller"]},
            "replacement": {
                "type": "object",
                "description": "R6: the unit sent in exchange",
                "properties": {
                    "serial": {"type": "string"},
                    "condition": {"enum": ["new", "refurbished", "repaired", "defective"]}
                }
            },
            "burden_of_proof": {"enum": ["seller"], "description": "W7, set by the plugin"},
            "defects": {"type": "array", "items": {"type": "string"}},
            "source_ticket": {"type": "string"}
        }
    })
}

fn assess_input_schema() -> Value {
    json!({
        "type": "object",
        "description": "Overrides of the ticket's attributes (any attribute name); `product` \
                        overrides product fields",
        "properties": {
            "reason": {"enum": ["no_reason", "quality_fault"]},
            "customer_wants": {"enum": ["return", "exchange", "repair", "refund"]},
            "reported_at": {"type": "string"},
            "return_date": {"type": "string"},
            "same_model_available": {"type": "boolean"},
            "days_in_repair": {"type": "integer", "minimum": 0},
            "main_function_repairs": {"type": "integer", "minimum": 0},
            "product": {
                "type": "object",
                "properties": {
                    "category": {"type": "string"},
                    "price": {"type": "string"},
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
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "daily_depreciation_percent": {
                "type": "object",
                "description": "R5: percent of the price per day of use, by category",
                "additionalProperties": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}
            },
            "refund_due_days": {
                "type": "integer", "minimum": 1,
                "description": "N5: days from receiving the goods to the refund"
            },
            "warranty": {
                "type": "object",
                "description": "R3: the whole-unit warranty in years, per category",
                "properties": {
                    "whole_unit_years": {"type": "integer", "minimum": 0},
                    "categories": {
                        "type": "object",
                        "additionalProperties": {"type": "integer", "minimum": 0}
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
