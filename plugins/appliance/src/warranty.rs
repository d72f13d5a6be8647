//! Warranty (三包) status of the unit: W1 periods, W2 extension and restart,
//! W3 exclusions, W6 exchange after two repairs, W7 burden of proof, and the
//! `warranty` action that answers them together (with W4 and W5 from
//! [`crate::repair`]).

use aftersale_sdk::Facts;
use aftersale_sdk::law::DURABLE_GOODS;
use aftersale_sdk::period::{self, Period};
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use jiff::civil::Date;
use serde::Serialize;

use crate::config::Config;
use crate::repair;

/// The answer of `warranty` (DESIGN.md fixes the first five fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warranty {
    pub in_warranty: bool,
    /// Last day of the whole-unit warranty (ends 24:00 that day).
    pub whole_unit_until: Date,
    /// Last day of the main-part warranty; `null` when the category has no
    /// main parts.
    pub main_parts_until: Option<Date>,
    pub chargeable: bool,
    pub rules: Vec<&'static str>,
    /// What the customer is entitled to: `repair`, `exchange`, `refund` or
    /// `chargeable_repair`.
    pub remedy: Vec<&'static str>,
    /// W3 causes that void the free warranty.
    pub exclusions: Vec<String>,
    pub reason: String,
}

/// `warranty`: reads the ticket; `input` may override attributes and product
/// fields (see `README.md`).
pub fn action(snapshot: &Snapshot, input: &Json) -> Result<ActionOutput, Rejection> {
    let config = Config::of(snapshot)?;
    let facts = Facts::with_input(&snapshot.ticket, input)?;
    Ok(ActionOutput::new(status(snapshot, &facts, &config)?))
}

/// The warranty status of the unit at the moment the fault was reported.
pub fn status(snapshot: &Snapshot, facts: &Facts, config: &Config) -> Result<Warranty, Rejection> {
    let zone = &snapshot.time_zone;
    let attributes = &facts.attributes;
    let product = &facts.product;
    let mut rules = vec!["W1"];
    let mut reasons = Vec::new();

    // W2: an exchange restarts the warranty on the exchange date.
    let exchanged = attributes.date("exchanged_at", zone)?;
    let start = match exchanged {
        Some(date) => date,
        None => invoice_date(facts, zone)?,
    };
    // W2: days in repair and waiting for parts extend the periods.
    let days_in_repair: u32 = attributes.parse("days_in_repair")?.unwrap_or(0);
    if exchanged.is_some() || days_in_repair > 0 {
        rules.push("W2");
    }
    let periods = config.warranty.periods(product.category.as_deref());
    let whole_unit_until = period::last_day_extended(
        start,
        Period::Years(periods.whole_unit_years),
        days_in_repair,
    )?;
    let main_parts_until = if periods.main_parts.is_empty() {
        None
    } else {
        Some(period::last_day_extended(
            start,
            Period::Years(periods.main_parts_years),
            days_in_repair,
        )?)
    };

    // The warranty covers a fault reported within it, however long the
    // repair then takes.
    let reported = attributes
        .instant("reported_at", zone)?
        .unwrap_or(snapshot.ticket.created_at);
    let failed_part = attributes.str("failed_part");
    let is_main_part = failed_part.is_some_and(|p| periods.main_parts.iter().any(|m| m == p));
    let whole_unit_covers = period::on_or_before(reported, whole_unit_until, zone)?;
    let main_part_covers = match main_parts_until {
        Some(until) if is_main_part => period::on_or_before(reported, until, zone)?,
        _ => false,
    };
    let in_warranty = whole_unit_covers || main_part_covers;
    if !in_warranty {
        reasons.push(format!("the warranty ended on {whole_unit_until}"));
    } else if !whole_unit_covers {
        reasons.push(format!(
            "the whole unit is out of warranty, but the {} is covered until {}",
            failed_part.unwrap_or("main part"),
            main_parts_until.map(|d| d.to_string()).unwrap_or_default()
        ));
    }

    let exclusions = exclusions(facts)?;
    if !exclusions.is_empty() {
        rules.push("W3");
        reasons.push(format!(
            "outside free warranty because of {}",
            exclusions.join(", ")
        ));
    }
    let chargeable = !in_warranty || !exclusions.is_empty();

    let mut remedy = vec!["repair"];
    if chargeable {
        remedy = vec!["chargeable_repair"];
    } else if let Some(repairs) = main_function_repairs(snapshot, facts)?.filter(|r| *r >= 2) {
        rules.push("W6");
        remedy = vec!["exchange", "refund"];
        reasons.push(format!(
            "the main function failed again after {repairs} repairs: exchange or refund"
        ));
    } else if let Some(delay) = repair::w4_entitlement(snapshot)? {
        rules.push("W4");
        remedy = vec!["exchange"];
        reasons.push(delay.reason());
    }
    if attributes.bool("re_repair") == Some(true) {
        rules.push("W5");
        reasons.push("a re-repair (返修) of the same case".into());
    }
    if seller_bears_burden_of_proof(snapshot, facts)? {
        rules.push("W7");
        reasons.push("the seller carries the burden of proof for the defect".into());
    }
    let reason = if reasons.is_empty() {
        "in warranty: free repair".to_string()
    } else {
        reasons.join("; ")
    };
    Ok(Warranty {
        in_warranty,
        whole_unit_until,
        main_parts_until,
        chargeable,
        rules,
        remedy,
        exclusions,
        reason,
    })
}

/// W1 counts from the invoice date; the purchase date stands in for an
/// invoice that does not give one.
fn invoice_date(facts: &Facts, zone: &str) -> Result<Date, Rejection> {
    let product = &facts.product;
    let invoice = product.invoice_date_in(zone)?;
    let purchase = product.purchase_date_in(zone)?;
    invoice.or(purchase).ok_or_else(|| {
        Rejection::new(
            "invoice-date-missing",
            "the warranty counts from the invoice date; record it on the product",
        )
        .rule("W1")
        .details(["product.invoice_date"])
    })
}

/// W3: the recorded exclusions, plus "neither warranty card nor invoice" when
/// the product says both are missing.
pub fn exclusions(facts: &Facts) -> Result<Vec<String>, Rejection> {
    let mut causes: Vec<String> = facts.attributes.parse("exclusions")?.unwrap_or_default();
    let product = &facts.product;
    let nothing_to_show =
        product.has_invoice == Some(false) && product.has_warranty_card == Some(false);
    if nothing_to_show && !causes.iter().any(|c| c == "no_card_or_invoice") {
        causes.push("no_card_or_invoice".into());
    }
    Ok(causes)
}

/// W6: how many times the main function has been repaired, when the current
/// fault is a main-function failure: repairs on earlier tickets — the
/// unit's resolved repair tickets of a main-function failure on record, or
/// the `main_function_repairs` the desk typed, whichever is more — plus the
/// repairs recorded on this one.
pub fn main_function_repairs(snapshot: &Snapshot, facts: &Facts) -> Result<Option<u32>, Rejection> {
    if facts.attributes.bool("main_function_failure") != Some(true) {
        return Ok(None);
    }
    let typed: u32 = facts
        .attributes
        .parse("main_function_repairs")?
        .unwrap_or(0);
    let on_record = snapshot
        .resolved_earlier("repair")
        .filter(|prior| prior.attributes.bool("main_function_failure") == Some(true))
        .count();
    let earlier = typed.max(u32::try_from(on_record).unwrap_or(u32::MAX));
    let here = snapshot
        .transitions()
        .filter(|(_, step)| step.transition == "repair")
        .count();
    Ok(Some(
        earlier.saturating_add(u32::try_from(here).unwrap_or(u32::MAX)),
    ))
}

/// W7: a defect of durable goods found within 6 months of receipt is the
/// seller's to disprove. Receipt is `received_at`, else the purchase date,
/// else the invoice date; the defect is found when reported.
pub fn seller_bears_burden_of_proof(snapshot: &Snapshot, facts: &Facts) -> Result<bool, Rejection> {
    let zone = &snapshot.time_zone;
    let durable = facts
        .product
        .category
        .as_deref()
        .is_some_and(|c| DURABLE_GOODS.contains(&c));
    if !durable {
        return Ok(false);
    }
    let product = &facts.product;
    let received = match facts.attributes.date("received_at", zone)? {
        Some(date) => Some(date),
        None => product
            .purchase_date_in(zone)?
            .or(product.invoice_date_in(zone)?),
    };
    let Some(received) = received else {
        return Ok(false);
    };
    let found = facts
        .attributes
        .instant("reported_at", zone)?
        .unwrap_or(snapshot.ticket.created_at);
    period::within(received, Period::Months(6), found, zone)
}

/// W7 as effects: record who carries the burden of proof.
pub fn burden_of_proof(snapshot: &Snapshot) -> Decision {
    let facts = Facts::of(&snapshot.ticket);
    let applies = seller_bears_burden_of_proof(snapshot, &facts)?;
    let recorded = facts.attributes.str("burden_of_proof") == Some("seller");
    Ok(match (applies, recorded) {
        (true, false) => vec![
            Effect::set_attribute("burden_of_proof", "seller"),
            Effect::note(
                "W7: durable goods with a defect found within 6 months of receipt — the seller \
                 carries the burden of proof for the defect (CPL Art. 23).",
                false,
            ),
        ],
        (false, true) => vec![Effect::set_attribute("burden_of_proof", Value::Null)],
        _ => Vec::new(),
    })
}
