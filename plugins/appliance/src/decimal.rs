//! Exact numbers: measurements and money read from JSON without passing
//! through binary floating point, and amounts rounded to the cent.

use std::str::FromStr;

use aftersale_sdk::serde_json::Value;
use rust_decimal::{Decimal, RoundingStrategy};

/// A JSON number or decimal string as a `Decimal`. A number is read from its
/// shortest text form (`4.2` stays 4.2, not 4.2000000000000002).
pub fn of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => parse(&n.to_string()),
        Value::String(s) => parse(s),
        _ => None,
    }
}

fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

/// An amount rounded to the cent, half away from zero (half up for the
/// non-negative amounts billed here), always with two decimals.
pub fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::serde_json::json;

    #[test]
    fn numbers_are_read_exactly() {
        assert_eq!(of(&json!(4.2)), Decimal::from_str("4.2").ok());
        assert_eq!(of(&json!("60.00")), Decimal::from_str("60.00").ok());
        assert_eq!(of(&json!(-755)), Some(Decimal::from(-755)));
        assert_eq!(of(&json!(true)), None);
        assert_eq!(of(&json!("sixty")), None);
    }

    #[test]
    fn cents_round_half_up_and_keep_two_decimals() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        assert_eq!(cents(d("120")).to_string(), "120.00");
        assert_eq!(cents(d("0.125")).to_string(), "0.13");
        assert_eq!(cents(d("0.124")).to_string(), "0.12");
    }
}
