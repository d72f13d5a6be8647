//! Exact decimal numbers: amounts of money and measurements read without
//! binary floating point, and amounts rounded to the cent.
//!
//! Money is a decimal string in the contract (`"2736.00"`), never a JSON
//! number, so no float rounds it on the way. [`Decimal`] serializes as such a
//! string.
//!
//! ```
//! use aftersale_sdk::money::{self, Decimal};
//!
//! let price = money::parse("3000.00").unwrap();
//! let refund = money::cents(price - price * Decimal::new(1, 3) * Decimal::from(5));
//! assert_eq!(refund.to_string(), "2985.00");
//! assert!(money::parse("-5.00").is_err());
//! ```

use std::str::FromStr;

use rust_decimal::RoundingStrategy;
use serde_json::Value;

use crate::types::Rejection;

/// The decimal number type, re-exported so plugins name the same one.
pub use rust_decimal::Decimal;

/// Parse an amount of money strictly: digits, optionally a point and one or
/// two decimals, never negative (`"50"`, `"50.5"`, `"2736.00"`). Anything
/// else — a sign, a third decimal, an exponent, spaces, a number too large
/// for [`Decimal`] — is an `invalid-input` rejection whose message says
/// what is wrong.
pub fn parse(text: &str) -> Result<Decimal, Rejection> {
    if text.starts_with('-') {
        return Err(Rejection::invalid_input(format!(
            "\"{text}\" is negative; an amount given back is never below zero"
        )));
    }
    let (units, cents) = match text.split_once('.') {
        Some((units, cents)) => (units, Some(cents)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(units) && cents.is_none_or(|c| digits(c) && c.len() <= 2);
    if !well_formed {
        return Err(Rejection::invalid_input(format!(
            "\"{text}\" is not an amount of money; write digits with at most two decimals, \
             e.g. \"50.00\""
        )));
    }
    Decimal::from_str(text)
        .map_err(|_| Rejection::invalid_input(format!("\"{text}\" is too large an amount")))
}

/// A JSON number or decimal string read exactly, for measurements and
/// amounts that need not be money-shaped. A number is read from its shortest
/// text form (`4.2` stays 4.2, not 4.2000000000000002); a string may have
/// surrounding spaces, a sign and an exponent. Anything else is `None`.
pub fn decimal(value: &Value) -> Option<Decimal> {
    let read = |text: &str| {
        let text = text.trim();
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .ok()
    };
    match value {
        Value::Number(n) => read(&n.to_string()),
        Value::String(s) => read(s),
        _ => None,
    }
}

/// An amount rounded to the cent, half away from zero (half up for the
/// non-negative amounts of money), and always written with two decimals:
/// `120` is `120.00`, `0.125` is `0.13`.
pub fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn amounts_of_money_are_parsed_strictly() {
        assert_eq!(parse("50"), Ok(Decimal::new(50, 0)));
        assert_eq!(parse("50.5"), Ok(Decimal::new(505, 1)));
        assert_eq!(parse("2736.00"), Ok(Decimal::new(273600, 2)));
        assert_eq!(parse("0.00"), Ok(Decimal::ZERO));
        for bad in [
            "50.001", "-5.00", "-0", "+5", "5.", ".5", "1e3", "1_000", " 50", "50 ", "", "five",
        ] {
            let rejection = parse(bad).unwrap_err();
            assert_eq!(rejection.code, "invalid-input", "{bad}");
        }
        assert!(parse("-5.00").unwrap_err().message.contains("negative"));
        assert!(
            parse("99999999999999999999999999999999")
                .unwrap_err()
                .message
                .contains("too large")
        );
    }

    #[test]
    fn numbers_are_read_exactly() {
        assert_eq!(decimal(&json!(4.2)), Some(d("4.2")));
        assert_eq!(decimal(&json!("60.00")), Some(d("60.00")));
        assert_eq!(decimal(&json!(" 1.5e2 ")), Some(Decimal::from(150)));
        assert_eq!(decimal(&json!(-755)), Some(Decimal::from(-755)));
        assert_eq!(decimal(&json!(true)), None);
        assert_eq!(decimal(&json!(null)), None);
        assert_eq!(decimal(&json!("sixty")), None);
    }

    #[test]
    fn cents_keep_two_decimals() {
        assert_eq!(cents(d("120")).to_string(), "120.00");
        assert_eq!(cents(d("0.1")).to_string(), "0.10");
        assert_eq!(cents(d("2736.004")).to_string(), "2736.00");
        assert_eq!(
            serde_json::to_value(cents(d("2736"))).unwrap(),
            json!("2736.00")
        );
    }

    #[test]
    fn cents_round_a_half_up_where_half_even_would_round_down() {
        // Half-even (banker's) rounding would give 0.12, 2.67 and 1.00.
        assert_eq!(cents(d("0.125")).to_string(), "0.13");
        assert_eq!(cents(d("2.675")).to_string(), "2.68");
        assert_eq!(cents(d("1.005")).to_string(), "1.01");
        // Just below the half rounds down, just above rounds up.
        assert_eq!(cents(d("0.124")).to_string(), "0.12");
        assert_eq!(cents(d("0.1249999")).to_string(), "0.12");
        assert_eq!(cents(d("0.1250001")).to_string(), "0.13");
        // Where half-even rounds up too, both agree.
        assert_eq!(cents(d("0.135")).to_string(), "0.14");
        // Away from zero below it: a negative half rounds to the larger cent.
        assert_eq!(cents(d("-0.125")).to_string(), "-0.13");
    }
}
