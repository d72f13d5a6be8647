//! Money back: the full price (R1, R4, N1) and R5's refund less
//! depreciation for the days of use.

use aftersale_sdk::Rejection;
use aftersale_sdk::money::{self, Decimal};
use aftersale_sdk::period;
use aftersale_sdk::serde_json::Value;
use jiff::civil::Date;

use crate::claim::Case;
use crate::config::Config;

/// Why a refund could not be computed, as the attribute or setting that is
/// missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown(pub String);

/// The price paid, from the product; a malformed price is a rejection, a
/// missing one is [`Unknown`].
pub fn price(case: &Case) -> Result<Result<Decimal, Unknown>, Rejection> {
    let Some(text) = case.facts.product.price.as_deref() else {
        return Ok(Err(Unknown("product.price".into())));
    };
    match money::decimal(&Value::String(text.into())) {
        Some(price) if !price.is_sign_negative() => Ok(Ok(price)),
        _ => Err(Rejection::invalid_input(format!(
            "product.price `{text}` is not a decimal amount like \"3000.00\""
        ))
        .details(["product.price"])),
    }
}

/// The full price back, no depreciation (R1, R4, N1).
pub fn full(case: &Case) -> Result<Result<Decimal, Unknown>, Rejection> {
    Ok(price(case)?.map(money::cents))
}

/// R5's refund and the days of use it charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depreciated {
    pub amount: Decimal,
    pub days_used: i64,
}

/// R5: refund = price − price × daily_rate × days_used, where days_used runs
/// from the invoice date to the return date less the days in repair or
/// waiting for it; rounded to the cent, half up, never below zero.
pub fn depreciated(
    case: &Case,
    config: &Config,
) -> Result<Result<Depreciated, Unknown>, Rejection> {
    let price = match price(case)? {
        Ok(price) => price,
        Err(unknown) => return Ok(Err(unknown)),
    };
    let Some(category) = case.category() else {
        return Ok(Err(Unknown("product.category".into())));
    };
    let Some(percent) = config.daily_depreciation_percent.get(category) else {
        return Ok(Err(Unknown(format!(
            "daily_depreciation_percent.{category}"
        ))));
    };
    let Some(invoiced) = case.invoiced_on()? else {
        return Ok(Err(Unknown("product.invoice_date".into())));
    };
    let returned = return_date(case)?;
    let days_used =
        (period::days_between(invoiced, returned) - i64::from(case.claim.days_in_repair)).max(0);
    let rate = percent / Decimal::ONE_HUNDRED;
    let amount = price - price * rate * Decimal::from(days_used);
    Ok(Ok(Depreciated {
        amount: money::cents(amount.max(Decimal::ZERO)),
        days_used,
    }))
}

/// The return date: `return_date`, else today in the tenant's zone.
fn return_date(case: &Case) -> Result<Date, Rejection> {
    match case.facts.attributes.date("return_date", case.zone())? {
        Some(date) => Ok(date),
        None => period::local_date(case.snapshot.now, case.zone()),
    }
}
