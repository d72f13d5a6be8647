//! C3 and C4: the service recovery record — what was done to put right a
//! failed service — that a complaint about one needs before it closes.

use aftersale_sdk::Violations;
use aftersale_sdk::money::{self, Decimal};
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{Map, Value};

/// The attribute holding the record.
pub const SERVICE_RECOVERY: &str = "service_recovery";

/// The attribute saying the complaint is about a service that failed.
pub const ABOUT_FAILED_SERVICE: &str = "about_failed_service";

/// Remedies recorded as done or not done.
const FLAGS: [&str; 3] = ["apology", "repair", "replacement"];

/// Remedies recorded as an amount of money, or `null` for none.
const AMOUNTS: [&str; 2] = ["refund", "compensation"];

const INVALID: &str = "the service recovery record is malformed";
const INCOMPLETE: &str =
    "a complaint about a failed service needs a complete service recovery record before it closes";

/// C4: whenever the record is set, each part has its shape and every amount
/// is a decimal string of money.
pub fn check_valid(attributes: &Attributes, violations: &mut Violations) {
    let Some(record) = attributes.get(SERVICE_RECOVERY) else {
        return;
    };
    let Some(record) = record.as_object() else {
        violations.add(
            "C4",
            "invalid-service-recovery",
            INVALID,
            format!("{SERVICE_RECOVERY}: {record} is not an object of apology, repair, replacement, refund and compensation"),
        );
        return;
    };
    for flag in FLAGS {
        if let Some(value) = record.get(flag).filter(|v| !v.is_boolean()) {
            violations.add(
                "C4",
                "invalid-service-recovery",
                INVALID,
                format!("{SERVICE_RECOVERY}.{flag}: {value} is not true or false"),
            );
        }
    }
    for name in AMOUNTS {
        if let Some(Err(problem)) = record.get(name).map(amount) {
            violations.add(
                "C4",
                "invalid-service-recovery",
                INVALID,
                format!("{SERVICE_RECOVERY}.{name}: {problem}"),
            );
        }
    }
}

/// C3: before a complaint about a failed service closes, the record says
/// for every remedy whether it was given, and at least one was.
pub fn check_complete(attributes: &Attributes, violations: &mut Violations) {
    if attributes.bool(ABOUT_FAILED_SERVICE) != Some(true) {
        return;
    }
    let Some(record) = attributes.get(SERVICE_RECOVERY) else {
        violations.add(
            "C3",
            "service-recovery-missing",
            INCOMPLETE,
            format!(
                "{SERVICE_RECOVERY}: record the service recovery — apology, repair, replacement \
                 (true or false), refund and compensation (an amount such as \"50.00\", or null)"
            ),
        );
        return;
    };
    // A record of the wrong shape is C4's to report.
    let Some(record) = record.as_object() else {
        return;
    };
    let mut complete = true;
    for flag in FLAGS.into_iter().filter(|f| !record.contains_key(*f)) {
        complete = false;
        violations.add(
            "C3",
            "service-recovery-missing",
            INCOMPLETE,
            format!("{SERVICE_RECOVERY}.{flag}: missing (true or false)"),
        );
    }
    for name in AMOUNTS.into_iter().filter(|a| !record.contains_key(*a)) {
        complete = false;
        violations.add(
            "C3",
            "service-recovery-missing",
            INCOMPLETE,
            format!(
                "{SERVICE_RECOVERY}.{name}: missing (an amount such as \"50.00\", or null for none)"
            ),
        );
    }
    if complete && !gives_a_remedy(record) {
        violations.add(
            "C3",
            "service-recovery-missing",
            INCOMPLETE,
            format!(
                "{SERVICE_RECOVERY}: no remedy was given; a failed service needs at least an \
                 apology, a repair, a replacement, a refund or compensation"
            ),
        );
    }
}

fn gives_a_remedy(record: &Map<String, Value>) -> bool {
    let flagged = FLAGS
        .iter()
        .any(|f| record.get(*f).and_then(Value::as_bool) == Some(true));
    let paid = AMOUNTS.iter().any(
        |a| matches!(record.get(*a).map(amount), Some(Ok(Some(money))) if money > Decimal::ZERO),
    );
    flagged || paid
}

/// An amount of the record: a decimal string of money (digits, at most two
/// decimals, not negative) or `null` for none.
pub fn amount(value: &Value) -> Result<Option<Decimal>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => money::parse(text).map(Some).map_err(|r| r.message),
        Value::Number(number) => Err(format!(
            "{number} is a JSON number; give money as a decimal string such as \"{number}\" \
             so no float rounds it"
        )),
        other => Err(format!(
            "{other} is not an amount; give a decimal string such as \"50.00\", or null"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::serde_json::json;

    #[test]
    fn c4_amounts_are_decimal_strings_with_at_most_two_decimals() {
        assert_eq!(amount(&json!("50")), Ok(Some(Decimal::new(50, 0))));
        assert_eq!(amount(&json!("50.5")), Ok(Some(Decimal::new(505, 1))));
        assert_eq!(amount(&json!("2736.00")), Ok(Some(Decimal::new(273600, 2))));
        assert_eq!(amount(&json!("0.00")), Ok(Some(Decimal::ZERO)));
        assert_eq!(amount(&json!(null)), Ok(None));
        for bad in [
            json!("50.001"),
            json!("-5.00"),
            json!("5."),
            json!(".5"),
            json!("1e3"),
            json!("1_000"),
            json!(" 50"),
            json!(""),
            json!(50.5),
            json!(50),
            json!(true),
            json!("99999999999999999999999999999999"),
        ] {
            assert!(amount(&bad).is_err(), "{bad} should be refused");
        }
    }
}
