//! Guards and timers of the return and exchange workflows: approval must
//! match the assessment, N5 refund deadline and shipping, N4 at refund time,
//! R6 the replacement unit, W7 the burden of proof.

use aftersale_sdk::Facts;
use aftersale_sdk::law::DURABLE_GOODS;
use aftersale_sdk::period::{self, Period};
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{Map, Value};

use crate::assess::{self, Payer};
use crate::claim::{Case, Reason, Remedy};
use crate::config::Config;
use crate::no_reason;

/// Timer that fires when the N5 refund deadline passes.
pub const REFUND_TIMER: &str = "refund_due";

/// What the customer asked for; a ticket's kind says it when the attribute
/// does not.
fn wish(snapshot: &Snapshot, case: &Case) -> Remedy {
    case.claim
        .customer_wants
        .unwrap_or(match snapshot.ticket.kind.as_str() {
            "exchange" => Remedy::Exchange,
            _ => Remedy::Return,
        })
}

/// `approve`: the customer's wish must be one the assessment allows, and a
/// return or exchange ticket approves only what its kind does.
pub fn approve(snapshot: &Snapshot, config: &Config) -> Decision {
    let facts = Facts::of(&snapshot.ticket);
    let assessment = assess::assess(snapshot, &facts, config)?;
    let case = Case::new(snapshot, &facts)?;
    let wish = wish(snapshot, &case);
    let kind_fits = match snapshot.ticket.kind.as_str() {
        "exchange" => wish == Remedy::Exchange,
        _ => wish.pays_back(),
    };
    if !kind_fits {
        return Err(Rejection::new(
            "remedy-not-this-kind",
            format!(
                "a {} ticket cannot approve `{}`: open a ticket of the matching kind",
                snapshot.ticket.kind,
                wish.name()
            ),
        )
        .rule(assessment.deciding_rule())
        .details([format!("customer_wants: {}", wish.name())]));
    }
    if !assessment.allows(wish) {
        let mut details = assessment.details.clone();
        details.push(format!("allowed: {}", assessment.allowed_names()));
        return Err(Rejection::new(
            "remedy-not-allowed",
            format!("`{}` is not allowed: {}", wish.name(), assessment.reason),
        )
        .rule(assessment.deciding_rule())
        .details(details));
    }
    let mut effects = vec![
        Effect::set_attribute("approved_remedy", wish.name()),
        Effect::set_attribute("assessment_rules", &assessment.rules),
        Effect::set_attribute(
            "return_shipping_paid_by",
            assessment.return_shipping_paid_by.name(),
        ),
        Effect::note(
            shipping_note(&case, assessment.return_shipping_paid_by),
            false,
        ),
    ];
    if wish.pays_back() {
        let Some(refund) = assessment.refund else {
            let rule = if assessment.rules.contains(&"R5") {
                "R5"
            } else {
                assessment.deciding_rule()
            };
            return Err(Rejection::new(
                "refund-unknown",
                "the refund cannot be computed: record what is missing",
            )
            .rule(rule)
            .details(assessment.details));
        };
        effects.push(Effect::set_attribute("refund_amount", refund.to_string()));
    }
    Ok(effects)
}

/// N5: who pays the return shipping, and on what authority.
fn shipping_note(case: &Case, payer: Payer) -> String {
    let agreed = case.facts.attributes.has("return_shipping_agreed_payer");
    let why = match (agreed, case.reason()) {
        (true, _) => "as agreed",
        (false, Reason::NoReason) => "return without a reason, CPL Art. 25",
        (false, Reason::QualityFault) => "quality return, CPL Art. 24",
    };
    format!(
        "N5: the return shipping is paid by the {} ({why}).",
        payer.name()
    )
}

/// `receive`: N5's refund deadline runs from the day the goods arrive.
pub fn receive(snapshot: &Snapshot, config: &Config) -> Decision {
    if snapshot.ticket.kind != "return" {
        return Ok(Vec::new());
    }
    let zone = &snapshot.time_zone;
    let attributes = &snapshot.ticket.attributes;
    let received = attributes
        .instant("goods_received_at", zone)?
        .unwrap_or(snapshot.now);
    let received_on = period::local_date(received, zone)?;
    let due = period::end(received_on, Period::Days(config.refund_due_days), zone)?;
    let mut effects = vec![Effect::set_attribute(
        "refund_due",
        period::rfc3339(due, zone)?,
    )];
    if !attributes.has("goods_received_at") {
        effects.push(Effect::set_attribute(
            "goods_received_at",
            period::rfc3339(received, zone)?,
        ));
    }
    if due > snapshot.now {
        effects.push(Effect::schedule_timer(
            REFUND_TIMER,
            due,
            json!({"rule": "N5"}),
        ));
    }
    Ok(effects)
}

/// `refund`: a return without a reason is refunded only for intact goods
/// (N4); paying stops the N5 reminder.
pub fn refund(snapshot: &Snapshot) -> Decision {
    let facts = Facts::of(&snapshot.ticket);
    let case = Case::new(snapshot, &facts)?;
    if case.reason() == Reason::NoReason {
        let problems = no_reason::intact_problems(&case);
        if !problems.is_empty() {
            return Err(Rejection::new(
                "goods-not-intact",
                "a return without a reason is refunded only for goods found intact",
            )
            .rule("N4")
            .details(problems));
        }
    }
    Ok(vec![
        Effect::cancel_timer(REFUND_TIMER),
        Effect::set_attribute(
            "refunded_at",
            period::rfc3339(snapshot.now, &snapshot.time_zone)?,
        ),
    ])
}

/// N5 reminder: the refund is overdue.
pub fn refund_overdue(snapshot: &Snapshot) -> Vec<Effect> {
    if matches!(
        snapshot.ticket.state.as_str(),
        "refunded" | "closed" | "rejected"
    ) {
        return Vec::new();
    }
    let subject = format!("Refund overdue: {}", snapshot.ticket.title);
    let body = "N5: the refund was due within 7 days of receiving the returned goods.";
    vec![
        Effect::notify(Audience::Manager, "refund-overdue", &subject, body),
        Effect::notify(Audience::Assignee, "refund-overdue", &subject, body),
        Effect::note("N5: the refund deadline has passed.", true),
    ]
}

/// R6: the unit sent in exchange must be new — not defective, not repaired,
/// not the returned one — and its warranty restarts on the exchange date.
pub fn send_replacement(snapshot: &Snapshot) -> Decision {
    let ticket = &snapshot.ticket;
    let replacement: Map<String, Value> =
        ticket.attributes.parse("replacement")?.unwrap_or_default();
    let mut problems = Vec::new();
    let serial = replacement
        .get("serial")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    match serial {
        None => problems.push("replacement.serial: not recorded".to_string()),
        Some(serial) => {
            let returned = ticket.product.as_ref().and_then(|p| p.serial.as_deref());
            if returned == Some(serial) {
                problems.push(format!("replacement.serial: {serial} is the returned unit"));
            }
        }
    }
    match replacement.get("condition").and_then(Value::as_str) {
        Some("new") => {}
        Some(other) => problems.push(format!(
            "replacement.condition: {other}, must be new (not defective, not repaired)"
        )),
        None => problems.push("replacement.condition: not recorded".into()),
    }
    if !problems.is_empty() {
        return Err(Rejection::new(
            "replacement-not-new",
            "an exchange must give the customer a new unit",
        )
        .rule("R6")
        .details(problems));
    }
    let today = period::local_date(snapshot.now, &snapshot.time_zone)?;
    Ok(vec![
        Effect::set_attribute("exchanged_at", today.to_string()),
        Effect::note(
            format!("R6: the exchanged unit's warranty restarts on {today}."),
            false,
        ),
    ])
}

/// W7: a quality fault of durable goods found within 6 months of receipt
/// (`delivered_at`, else the day of sale) is the seller's to disprove.
pub fn burden_of_proof(snapshot: &Snapshot) -> Decision {
    let facts = Facts::of(&snapshot.ticket);
    let case = Case::new(snapshot, &facts)?;
    let durable = case.category().is_some_and(|c| DURABLE_GOODS.contains(&c));
    if case.reason() != Reason::QualityFault || !durable {
        return Ok(Vec::new());
    }
    let zone = case.zone();
    let received = match facts.attributes.date("delivered_at", zone)? {
        Some(date) => Some(date),
        None => case.sold_on()?,
    };
    let Some(received) = received else {
        return Ok(Vec::new());
    };
    if !period::within(received, Period::Months(6), case.asked_at()?, zone)? {
        return Ok(Vec::new());
    }
    Ok(vec![
        Effect::set_attribute("burden_of_proof", "seller"),
        Effect::note(
            "W7: durable goods with a defect found within 6 months of receipt — the seller \
             carries the burden of proof for the defect (CPL Art. 23).",
            false,
        ),
    ])
}
