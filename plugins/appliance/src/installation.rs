//! The installation's own checks: A2 unboxing (开箱验机) and A3 customer
//! acceptance with the commissioning checklist.

use aftersale_sdk::money::{self, Decimal};
use aftersale_sdk::period;
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{Map, Value};

use crate::config::{Config, SplitAcChecklist, UnboxingRemedy};

/// The unboxing check's items, each `true` when it passed.
pub const UNBOXING_ITEMS: &[&str] = &[
    "model_matches",
    "accessories_complete",
    "certificate_present",
    "warranty_card_present",
    "undamaged",
];

/// The outcome of the unboxing check recorded on the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unboxing {
    /// Items not recorded yet (all of them when there is no check at all).
    Unrecorded(Vec<&'static str>),
    /// Items that failed.
    Failed(Vec<&'static str>),
    Passed,
}

impl Unboxing {
    pub fn of(attributes: &Attributes) -> Result<Unboxing, Rejection> {
        let items: Map<String, Value> = attributes.parse("unboxing")?.unwrap_or_default();
        let mut unrecorded = Vec::new();
        let mut failed = Vec::new();
        for &item in UNBOXING_ITEMS {
            match items.get(item).and_then(Value::as_bool) {
                Some(true) => {}
                Some(false) => failed.push(item),
                None => unrecorded.push(item),
            }
        }
        Ok(if !unrecorded.is_empty() {
            Unboxing::Unrecorded(unrecorded)
        } else if !failed.is_empty() {
            Unboxing::Failed(failed)
        } else {
            Unboxing::Passed
        })
    }
}

fn prefixed(items: &[&str]) -> Vec<String> {
    items
        .iter()
        .map(|item| format!("unboxing.{item}"))
        .collect()
}

/// A2 at `unbox`: the check must be complete. A unit that fails it is
/// recorded, the ticket goes on to wait for a replacement, and a retail
/// ticket is opened for the unit.
pub fn unbox(snapshot: &Snapshot, config: &Config) -> Decision {
    match Unboxing::of(&snapshot.ticket.attributes)? {
        Unboxing::Unrecorded(items) => Err(Rejection::new(
            "unboxing-check-incomplete",
            "record every item of the unboxing check (true when it passed) before unboxing",
        )
        .rule("A2")
        .details(prefixed(&items))),
        Unboxing::Failed(items) => failed_unboxing(snapshot, config, &items),
        Unboxing::Passed => Ok(clear_failure(snapshot)),
    }
}

/// A2 at `install`: a unit that has not passed the unboxing check is not
/// installed.
pub fn install(snapshot: &Snapshot) -> Decision {
    let (items, why) = match Unboxing::of(&snapshot.ticket.attributes)? {
        Unboxing::Passed => return Ok(Vec::new()),
        Unboxing::Unrecorded(items) => (items, "was not recorded"),
        Unboxing::Failed(items) => (items, "failed"),
    };
    Err(Rejection::new(
        "unboxing-check-failed",
        format!("the unit cannot be installed: its unboxing check {why}"),
    )
    .rule("A2")
    .details(prefixed(&items)))
}

/// A2 for an edit of the check after unboxing: a unit found faulty later
/// takes the same way as one that failed at once.
pub fn edit_unboxing(snapshot: &Snapshot, config: &Config) -> Decision {
    match Unboxing::of(&snapshot.ticket.attributes)? {
        Unboxing::Failed(items) if snapshot.ticket.state == "unboxed" => {
            failed_unboxing(snapshot, config, &items)
        }
        Unboxing::Passed => Ok(clear_failure(snapshot)),
        _ => Ok(Vec::new()),
    }
}

fn clear_failure(snapshot: &Snapshot) -> Vec<Effect> {
    if snapshot.ticket.attributes.has("unboxing_failed") {
        vec![Effect::set_attribute("unboxing_failed", Value::Null)]
    } else {
        Vec::new()
    }
}

fn failed_unboxing(snapshot: &Snapshot, config: &Config, items: &[&str]) -> Decision {
    let ticket = &snapshot.ticket;
    let remedy = match ticket.attributes.str("unboxing_remedy") {
        Some("return") => UnboxingRemedy::Return,
        Some("exchange") => UnboxingRemedy::Exchange,
        _ => config.unboxing_failure_remedy,
    };
    let reported_at = period::rfc3339(snapshot.now, &snapshot.time_zone)?;
    let mut attributes = Attributes::default()
        .with("reason", "quality_fault")
        .with("reported_at", &reported_at)
        .with("customer_wants", remedy.kind())
        .with("defects", items)
        .with("source_ticket", &ticket.id);
    if let Some(sold) = ticket
        .product
        .as_ref()
        .and_then(|p| p.purchase_date.as_ref())
    {
        attributes.insert("sold_at", sold);
    }
    let listed = items.join(", ");
    let follow_up = FollowUp {
        kind: remedy.kind().into(),
        title: format!(
            "{} after a failed unboxing check",
            crate::capitalised(remedy.kind())
        ),
        description: format!(
            "The unit of installation {} failed the unboxing check (开箱验机): {listed}.",
            ticket.id
        ),
        priority: None,
        attributes,
        relation: format!("{}_for", remedy.kind()),
    };
    let mut effects = vec![
        Effect::set_attribute("unboxing_failed", items),
        Effect::note(
            format!(
                "A2: the unit failed the unboxing check ({listed}); it will not be installed. \
                 A {} ticket was opened and the installation waits for the replacement.",
                remedy.kind()
            ),
            false,
        ),
        Effect::CreateTicket(follow_up),
    ];
    // A faulty accessory or part found at unboxing is replaced from stock.
    effects.extend(crate::parts::reserve(snapshot)?);
    effects.push(Effect::request_transition("wait_for_parts"));
    Ok(effects)
}

/// Checklist items the split air-conditioner rule reads; the generic "a
/// `false` item failed" rule leaves them alone (`vacuum_rise: false` is good).
const SPLIT_AC_ITEMS: &[&str] = &[
    "vacuum_mmhg",
    "vacuum_hold_minutes",
    "vacuum_rise",
    "leak_test",
    "drain_test",
    "trial_run_minutes",
    "anchor_bolts",
    "exposed_pipe_cm",
];

/// A3: acceptance needs the customer's signature and a complete checklist;
/// the rejection names every failed item.
pub fn accept(snapshot: &Snapshot, config: &Config) -> Decision {
    let ticket = &snapshot.ticket;
    let attributes = &ticket.attributes;
    let mut failed = Vec::new();
    let signed = attributes
        .str("customer_signature")
        .is_some_and(|s| !s.trim().is_empty());
    if !signed {
        failed.push("customer_signature: missing".to_string());
    }
    let checklist: Map<String, Value> = attributes.parse("checklist")?.unwrap_or_default();
    if checklist.is_empty() {
        failed.push("checklist: missing".to_string());
    }
    let split_ac = &config.split_ac_checklist;
    let is_split_ac = ticket
        .product
        .as_ref()
        .and_then(|p| p.category.as_deref())
        .is_some_and(|c| split_ac.categories.iter().any(|s| s == c));
    if is_split_ac {
        failed.extend(split_ac_failures(&checklist, split_ac));
    }
    for (item, value) in &checklist {
        if value == &Value::Bool(false) && !SPLIT_AC_ITEMS.contains(&item.as_str()) {
            failed.push(format!("checklist.{item}: failed"));
        }
    }
    if failed.is_empty() {
        Ok(Vec::new())
    } else {
        Err(Rejection::new(
            "acceptance-incomplete",
            "the customer can accept only a signed installation with a complete checklist",
        )
        .rule("A3")
        .details(failed))
    }
}

/// What one split air-conditioner checklist item must show.
enum Limit {
    AtMost(Decimal, &'static str),
    AtLeast(Decimal, &'static str),
    Is(bool, &'static str),
}

/// Every failed item of the split air-conditioner checklist, in the order
/// the technician works through them.
fn split_ac_failures(checklist: &Map<String, Value>, limits: &SplitAcChecklist) -> Vec<String> {
    let checks = [
        (
            "vacuum_mmhg",
            Limit::AtMost(Decimal::from(limits.vacuum_max_mmhg), "mmHg"),
        ),
        (
            "vacuum_hold_minutes",
            Limit::AtLeast(Decimal::from(limits.vacuum_hold_minutes), "min"),
        ),
        (
            "vacuum_rise",
            Limit::Is(false, "the vacuum rose during the hold"),
        ),
        ("leak_test", Limit::Is(true, "failed")),
        ("drain_test", Limit::Is(true, "failed")),
        (
            "trial_run_minutes",
            Limit::AtLeast(Decimal::from(limits.trial_run_min_minutes), "min"),
        ),
        (
            "anchor_bolts",
            Limit::AtLeast(Decimal::from(limits.min_anchor_bolts), "bolts"),
        ),
        (
            "exposed_pipe_cm",
            Limit::AtMost(Decimal::from(limits.max_exposed_pipe_cm), "cm"),
        ),
    ];
    let mut failed = Vec::new();
    for (item, limit) in checks {
        let value = checklist.get(item);
        let problem = match limit {
            Limit::AtMost(max, unit) => match value.and_then(money::decimal) {
                None => Some("not recorded".to_string()),
                Some(v) if v > max => Some(format!("{v} {unit}, must be at most {max}")),
                Some(_) => None,
            },
            Limit::AtLeast(min, unit) => match value.and_then(money::decimal) {
                None => Some("not recorded".to_string()),
                Some(v) if v < min => Some(format!("{v} {unit}, must be at least {min}")),
                Some(_) => None,
            },
            Limit::Is(expected, otherwise) => match value.and_then(Value::as_bool) {
                None => Some("not recorded".to_string()),
                Some(v) if v != expected => Some(otherwise.to_string()),
                Some(_) => None,
            },
        };
        if let Some(problem) = problem {
            failed.push(format!("checklist.{item}: {problem}"));
        }
    }
    failed
}
