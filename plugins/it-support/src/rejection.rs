//! Gathering every problem with a change into one rejection that names the
//! rule that decided.

use aftersale_sdk::Rejection;

/// The problems found with a change, in the order the rules were checked.
///
/// A person fixing a refused change should learn everything that is wrong
/// at once, not one problem per attempt, so checks add to this list and the
/// rejection is built once at the end.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

#[derive(Debug)]
struct Violation {
    rule: &'static str,
    code: &'static str,
    message: String,
    detail: String,
}

impl Violations {
    /// Record that `rule` refuses the change: `code` and `message` describe
    /// the kind of problem, `detail` the individual thing that is missing.
    pub fn add(
        &mut self,
        rule: &'static str,
        code: &'static str,
        message: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Violation {
            rule,
            code,
            message: message.into(),
            detail: detail.into(),
        });
    }

    /// `Ok` when nothing was found; otherwise a rejection with the
    /// lowest-numbered rule that refused and every detail.
    ///
    /// The contract has room for one rule per rejection, so when several
    /// rules refuse, the message names them all and each detail says which
    /// rule it belongs to. Ordering by rule id keeps the answer the same
    /// whatever order the checks ran in.
    pub fn into_result(mut self) -> Result<(), Rejection> {
        self.0.sort_by_key(|v| rule_order(v.rule));
        let Some(first) = self.0.first() else {
            return Ok(());
        };
        let mut rules: Vec<&str> = Vec::new();
        let mut messages: Vec<&str> = Vec::new();
        for v in &self.0 {
            if !rules.contains(&v.rule) {
                rules.push(v.rule);
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
        Err(Rejection::new(first.code, message)
            .rule(first.rule)
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
        assert!(r.message.contains("I4, I5"), "{}", r.message);
        assert_eq!(r.details, ["[I4] work note", "[I5] incident_manager"]);
    }

    #[test]
    fn rules_order_by_their_number() {
        assert!(rule_order("I9") < rule_order("I10"));
        assert!(rule_order("C4") < rule_order("I1"));
    }
}
