//! Gathering every problem with a change into one rejection that names the
//! rule that decided.

use crate::types::Rejection;

/// The problems found with a change, collected into one [`Rejection`].
///
/// A person fixing a refused change should learn everything that is wrong
/// at once, not one problem per attempt, so checks add to this list and the
/// rejection is built once at the end:
///
/// ```
/// use aftersale_sdk::Violations;
///
/// let mut violations = Violations::default();
/// violations.add("I5", "incident-manager-missing", "a manager is needed", "incident_manager");
/// violations.add("I4", "work-note-required", "a note is needed", "work note");
/// let rejection = violations.into_result().unwrap_err();
/// assert_eq!(rejection.rule.as_deref(), Some("I4"));
/// assert_eq!(rejection.details, ["[I4] work note", "[I5] incident_manager"]);
/// ```
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

#[derive(Debug)]
struct Violation {
    rule: String,
    code: String,
    message: String,
    detail: String,
}

impl Violations {
    /// Record that `rule` refuses the change: `code` and `message` describe
    /// the kind of problem, `detail` the individual thing that is wrong.
    pub fn add(
        &mut self,
        rule: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Violation {
            rule: rule.into(),
            code: code.into(),
            message: message.into(),
            detail: detail.into(),
        });
    }

    /// `Ok` when nothing was found; otherwise a rejection with the code of
    /// the lowest-numbered rule that refused and every detail.
    ///
    /// The contract has room for one rule per rejection, so when several
    /// rules refuse, the message names them all and each detail says which
    /// rule it belongs to. Ordering by rule id (`I10` after `I9`) keeps the
    /// answer the same whatever order the checks ran in.
    pub fn into_result(mut self) -> Result<(), Rejection> {
        self.0
            .sort_by(|a, b| rule_order(&a.rule).cmp(&rule_order(&b.rule)));
        let Some(first) = self.0.first() else {
            return Ok(());
        };
        let mut rules: Vec<&str> = Vec::new();
        let mut messages: Vec<&str> = Vec::new();
        for v in &self.0 {
            if !rules.contains(&v.rule.as_str()) {
                rules.push(&v.rule);
                messages.push(&v.message);
            }
        }
        let several = rules.len() > 1;
        let message = if several {
            format!(
                "rules {} refuse this change: {}",
                rules.join(", "),
                messages.join("; ")
            )
        } else {
            first.message.clone()
        };
        let details = self.0.iter().map(|v| {
            if several {
                format!("[{}] {}", v.rule, v.detail)
            } else {
                v.detail.clone()
            }
        });
        Err(Rejection::new(first.code.as_str(), message)
            .rule(first.rule.as_str())
            .details(details))
    }
}

/// `I10` after `I9`: the letters, then the number.
fn rule_order(rule: &str) -> (&str, u32) {
    let digits = rule.trim_start_matches(|c: char| !c.is_ascii_digit());
    let prefix = &rule[..rule.len() - digits.len()];
    (prefix, digits.parse().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_found_allows_the_change() {
        assert!(Violations::default().into_result().is_ok());
    }

    #[test]
    fn one_rule_keeps_its_own_code_and_message() {
        let mut v = Violations::default();
        v.add("I4", "work-note-required", "a note is needed", "work note");
        let r = v.into_result().unwrap_err();
        assert_eq!(
            (r.code.as_str(), r.rule.as_deref()),
            ("work-note-required", Some("I4"))
        );
        assert_eq!(r.message, "a note is needed");
        assert_eq!(r.details, ["work note"]);
    }

    #[test]
    fn one_rule_with_several_details_lists_them_unprefixed() {
        let mut v = Violations::default();
        v.add(
            "C3",
            "service-recovery-missing",
            "a record is needed",
            "apology",
        );
        v.add(
            "C3",
            "service-recovery-missing",
            "a record is needed",
            "refund",
        );
        let r = v.into_result().unwrap_err();
        assert_eq!(r.rule.as_deref(), Some("C3"));
        assert_eq!(r.message, "a record is needed");
        assert_eq!(r.details, ["apology", "refund"]);
    }

    #[test]
    fn several_rules_are_all_named() {
        let mut v = Violations::default();
        v.add(
            "I5",
            "incident-manager-missing",
            "a manager is needed",
            "incident_manager",
        );
        v.add("I4", "work-note-required", "a note is needed", "work note");
        let r = v.into_result().unwrap_err();
        assert_eq!(r.rule.as_deref(), Some("I4"));
        assert_eq!(r.code, "work-note-required");
        assert!(r.message.contains("I4, I5"), "{}", r.message);
        assert_eq!(r.details, ["[I4] work note", "[I5] incident_manager"]);

        let mut v = Violations::default();
        v.add(
            "C4",
            "invalid-amount",
            "amounts are decimal strings",
            "service_recovery.refund",
        );
        v.add(
            "C3",
            "service-recovery-missing",
            "a record is needed",
            "service_recovery",
        );
        let r = v.into_result().unwrap_err();
        assert_eq!(r.rule.as_deref(), Some("C3"));
        assert!(r.message.contains("C3, C4"), "{}", r.message);
        assert_eq!(
            r.details,
            ["[C3] service_recovery", "[C4] service_recovery.refund"]
        );
    }

    #[test]
    fn rules_order_by_their_number() {
        assert!(rule_order("I9") < rule_order("I10"));
        assert!(rule_order("C4") < rule_order("C10"));
        assert!(rule_order("C1") < rule_order("C2"));
        assert!(rule_order("C4") < rule_order("I1"));
    }
}
