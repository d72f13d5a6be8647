//! Kinds, workflows, attribute schema and configuration of the retail-returns
//! plugin.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;

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
            .transition("approve", "Approve", &["requested"], "approved", DESK)
            .transition("reject", "Reject", &["requested"], "rejected", DESK)
            .transition(
                "await_goods",
                "Send return label",
                &["approved"],
                "awaiting_goods",
                DESK,
            )
            .transition(
                "receive",
                "Goods received",
                &["approved", "awaiting_goods"],
                "received",
                DESK,
            )
            .transition("refund", "Refund paid", &["received"], "refunded", DESK)
            .transition(
                "close",
                "Close",
                &["refunded"],
                "closed",
                &[Role::Agent, Role::Admin, Role::System],
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
            .transition("approve", "Approve", &["requested"], "approved", DESK)
            .transition("reject", "Reject", &["requested"], "rejected", DESK)
            .transition(
                "await_goods",
                "Send return label",
                &["approved"],
                "awaiting_goods",
                DESK,
            )
            .transition(
                "receive",
                "Goods received",
                &["approved", "awaiting_goods"],
                "received",
                DESK,
            )
            .transition(
                "send_replacement",
                "Send the new unit",
                &["received"],
                "replacement_sent",
                DESK,
            )
            .transition(
                "close",
                "Close",
                &["replacement_sent"],
                "closed",
                &[Role::Agent, Role::Admin, Role::System],
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
        json!({"type": "object"}),
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
            "delivered_at": {"type": "string", "format": "date-time"},
            "reason": {"enum": ["no_reason", "quality_fault"]},
            "reported_at": {"type": "string"},
            "goods_class": {"enum": ["custom_made", "perishable", "digital_unsealed", "periodical"]},
            "confirmed_non_returnable": {"type": "boolean"},
            "intact": {"type": "boolean"},
            "main_function_repairs": {"type": "integer", "minimum": 0},
            "days_in_repair": {"type": "integer", "minimum": 0},
            "same_model_available": {"type": "boolean"},
            "customer_wants": {"enum": ["return", "exchange", "repair", "refund"]},
            "accepts_other_model": {"type": "boolean"},
            "return_date": {"type": "string", "format": "date"},
            "exclusions": {"type": "array", "items": {"type": "string"}},
            "goods_received_at": {"type": "string", "format": "date-time"}
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
                "additionalProperties": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}
            },
            "refund_due_days": {"type": "integer", "minimum": 1}
        }
    })
}

fn default_config() -> Value {
    json!({
        "daily_depreciation_percent": {"colour_tv": "0.1", "bicycle": "0.05"},
        "refund_due_days": 7
    })
}
