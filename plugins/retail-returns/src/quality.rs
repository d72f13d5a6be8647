//! Remedies for a quality fault (三包): R1 the first 7 days, R2 days 8–15,
//! R3 the warranty (with W6 after two repairs), R4/R5 the refund when an
//! exchange is due, R7 the W3 exclusions. R6 is checked when the
//! replacement is sent ([`crate::workflow`]).

use aftersale_sdk::Rejection;
use aftersale_sdk::period::{self, Period};

use crate::assess::Assessment;
use crate::claim::{Case, Remedy};
use crate::config::Config;
use crate::refund::{self, Unknown};

/// The verdict on a quality fault.
pub fn assess(case: &Case, config: &Config) -> Result<Assessment, Rejection> {
    let exclusions = exclusions(case);
    if !exclusions.is_empty() {
        return Ok(Assessment {
            details: exclusions
                .iter()
                .map(|cause| format!("exclusions: {cause}"))
                .collect(),
            ..Assessment::allowing(
                vec![Remedy::ChargeableRepair],
                vec!["R7"],
                format!(
                    "outside free warranty because of {} (W3): no free remedy, a chargeable \
                     repair is offered",
                    exclusions.join(", ")
                ),
            )
        });
    }
    let zone = case.zone();
    let Some(sold) = case.sold_on()? else {
        return Ok(Assessment::refusing(
            vec!["R1"],
            "the remedy depends on the day of sale: record it".into(),
            vec!["sold_at: not recorded".into()],
        ));
    };
    let asked = case.asked_at()?;
    let day = period::day_number(sold, period::local_date(asked, zone)?);
    if period::within(sold, Period::Days(7), asked, zone)? {
        return first_week(case, day);
    }
    if period::within(sold, Period::Days(15), asked, zone)? {
        return second_week(case, day);
    }
    within_warranty(case, config)
}

/// R1: within 7 days of sale the customer chooses; a return refunds the full
/// price.
fn first_week(case: &Case, day: i64) -> Result<Assessment, Rejection> {
    let mut assessment = Assessment::allowing(
        vec![Remedy::Return, Remedy::Exchange, Remedy::Repair],
        vec!["R1"],
        format!(
            "fault reported on day {day} after the sale (within 7 days): return, exchange or \
             repair; a return refunds the full price"
        ),
    );
    full_refund(case, &mut assessment)?;
    Ok(assessment)
}

/// R2: days 8–15 allow an exchange or a repair; R4 adds a full refund when
/// no unit of the same model is left and the customer declines another.
fn second_week(case: &Case, day: i64) -> Result<Assessment, Rejection> {
    let mut assessment = Assessment::allowing(
        vec![Remedy::Exchange, Remedy::Repair],
        vec!["R2"],
        format!("fault reported on day {day} after the sale (days 8–15): exchange or repair only"),
    );
    let no_same_model = case.claim.same_model_available == Some(false);
    let declines_other = case.claim.accepts_other_model != Some(true);
    if no_same_model && declines_other {
        assessment.allowed.push(Remedy::Refund);
        assessment.rules.push("R4");
        assessment.reason.push_str(
            "; no unit of the same model and the customer declines another: full refund, no \
             depreciation",
        );
        full_refund(case, &mut assessment)?;
    }
    Ok(assessment)
}

/// R3: within the warranty a repair; after two repairs still failing (W6)
/// an exchange or a refund. Outside it, a chargeable repair.
fn within_warranty(case: &Case, config: &Config) -> Result<Assessment, Rejection> {
    let zone = case.zone();
    // R6: an exchange restarts the warranty on the exchange date.
    let exchanged = case.facts.attributes.date("exchanged_at", zone)?;
    let Some(start) = exchanged.map_or_else(|| case.invoiced_on(), |d| Ok(Some(d)))? else {
        return Ok(Assessment::refusing(
            vec!["R3"],
            "the warranty counts from the invoice date: record it".into(),
            vec!["product.invoice_date: not recorded".into()],
        ));
    };
    let years = config.warranty.years(case.category());
    // W2: days in repair extend the warranty.
    let until = period::last_day_extended(start, Period::Years(years), case.claim.days_in_repair)?;
    if !period::on_or_before(case.asked_at()?, until, zone)? {
        return Ok(Assessment::allowing(
            vec![Remedy::ChargeableRepair],
            vec!["R3"],
            format!("the warranty ended on {until}: chargeable repair only"),
        ));
    }
    let repairs = case.main_function_repairs();
    if repairs < 2 {
        return Ok(Assessment::allowing(
            vec![Remedy::Repair],
            vec!["R3"],
            format!(
                "within the warranty (until {until}) after {repairs} main-function repair(s): \
                 repair; only after two repairs still failing an exchange or a refund"
            ),
        ));
    }
    exchange_or_refund(case, config, repairs)
}

/// W6 through R3: the main function failed after two repairs. The refund is
/// the full price without a same-model unit (R4), else depreciated (R5).
fn exchange_or_refund(case: &Case, config: &Config, repairs: u32) -> Result<Assessment, Rejection> {
    let mut assessment = Assessment::allowing(
        vec![Remedy::Exchange, Remedy::Refund],
        vec!["R3"],
        format!("the main function failed after {repairs} repairs: exchange or refund"),
    );
    match case.claim.same_model_available {
        Some(false) => {
            assessment.rules.push("R4");
            assessment.reason.push_str(
                "; no unit of the same model: a refund is the full price, no depreciation",
            );
            full_refund(case, &mut assessment)?;
        }
        Some(true) => {
            assessment.rules.push("R5");
            match refund::depreciated(case, config)? {
                Ok(refund) => {
                    assessment.reason.push_str(&format!(
                        "; same model in stock: a refund is the price less depreciation for \
                         {} days of use",
                        refund.days_used
                    ));
                    assessment.refund = Some(refund.amount);
                    assessment.days_used = Some(refund.days_used);
                }
                Err(Unknown(missing)) => {
                    assessment
                        .reason
                        .push_str("; the refund cannot be computed yet");
                    assessment.details.push(format!("{missing}: not recorded"));
                }
            }
        }
        None => {
            assessment.reason.push_str(
                "; record whether the same model is available: without one a refund is the full \
                 price (R4), with one it is depreciated (R5)",
            );
            assessment
                .details
                .push("same_model_available: not recorded".into());
        }
    }
    Ok(assessment)
}

/// The full price as the refund, or the missing fact in `details`.
fn full_refund(case: &Case, assessment: &mut Assessment) -> Result<(), Rejection> {
    match refund::full(case)? {
        Ok(amount) => assessment.refund = Some(amount),
        Err(Unknown(missing)) => assessment.details.push(format!("{missing}: not recorded")),
    }
    Ok(())
}

/// R7: the W3 exclusions recorded, plus "neither warranty card nor invoice"
/// when the product says both are missing.
fn exclusions(case: &Case) -> Vec<String> {
    let mut causes = case.claim.exclusions.clone();
    let product = &case.facts.product;
    let nothing_to_show =
        product.has_invoice == Some(false) && product.has_warranty_card == Some(false);
    if nothing_to_show && !causes.iter().any(|c| c == "no_card_or_invoice") {
        causes.push("no_card_or_invoice".into());
    }
    causes
}
