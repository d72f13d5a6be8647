//! I1: a ticket's priority, derived from impact × urgency and never typed,
//! and the `priority` action that explains it together with the I2 targets.

use aftersale_sdk::Violations;
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{Map, Value};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Resolution};
use crate::major_incident;

/// How much impact or urgency a ticket has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    /// Assumed when the ticket does not say: the middle of the table, so a
    /// ticket nobody assessed neither jumps the queue nor drops out of it.
    pub const UNASSESSED: Level = Level::Medium;

    fn from_name(name: &str) -> Option<Level> {
        match name {
            "high" => Some(Level::High),
            "medium" => Some(Level::Medium),
            "low" => Some(Level::Low),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }

    fn index(self) -> usize {
        match self {
            Level::High => 0,
            Level::Medium => 1,
            Level::Low => 2,
        }
    }
}

/// The I1 table as DOMAIN.md prints it: rows impact, columns urgency, both
/// ordered high, medium, low.
const TABLE: [[Priority; 3]; 3] = {
    use Priority::*;
    [[P1, P2, P3], [P2, P3, P4], [P3, P4, P5]]
};

/// The priority impact × urgency gives.
pub fn from_table(impact: Level, urgency: Level) -> Priority {
    TABLE[impact.index()][urgency.index()]
}

/// What a ticket's priority is derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub impact: Level,
    pub urgency: Level,
    /// I5: a major incident is P1 whatever the table says.
    pub major_incident: bool,
}

impl Assessment {
    /// Impact and urgency from the ticket's attributes (medium when absent);
    /// a value outside high/medium/low is an I1 violation.
    pub fn of(attributes: &Attributes, major_incident: bool, violations: &mut Violations) -> Self {
        Assessment {
            impact: level(attributes, "impact", violations),
            urgency: level(attributes, "urgency", violations),
            major_incident,
        }
    }

    pub fn priority(&self) -> Priority {
        if self.major_incident {
            Priority::P1
        } else {
            from_table(self.impact, self.urgency)
        }
    }

    /// The rules the priority follows from.
    pub fn rules(&self) -> Vec<&'static str> {
        if self.major_incident {
            vec!["I1", "I5"]
        } else {
            vec!["I1"]
        }
    }
}

fn level(attributes: &Attributes, name: &str, violations: &mut Violations) -> Level {
    let Some(value) = attributes.get(name) else {
        return Level::UNASSESSED;
    };
    if let Some(level) = value.as_str().and_then(Level::from_name) {
        return level;
    }
    violations.add(
        "I1",
        "invalid-attribute",
        "impact and urgency must each be high, medium or low",
        format!("{name}: {value} is not one of high, medium, low"),
    );
    Level::UNASSESSED
}

/// I1 on an edit that changes no attribute: the only thing left to change
/// is the priority itself, which is derived and may not be typed.
pub fn refuse_typed(ticket: &Ticket, assessment: &Assessment, violations: &mut Violations) {
    let derived = assessment.priority();
    if ticket.priority != derived {
        violations.add(
            "I1",
            "priority-is-derived",
            "the priority is derived from impact and urgency and cannot be set directly",
            format!(
                "priority: {:?} follows from impact {} × urgency {}{}; change impact or \
                 urgency (with a work note) instead",
                derived,
                assessment.impact.as_str(),
                assessment.urgency.as_str(),
                if assessment.major_incident {
                    " and the major-incident flag"
                } else {
                    ""
                },
            ),
        );
    }
}

/// Input of the `priority` action: any of these replace the ticket's own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    impact: Option<Level>,
    urgency: Option<Level>,
    major_incident: Option<bool>,
}

/// The `priority` action: the priority and I2 targets for the given impact
/// and urgency, or the ticket's own.
pub fn answer(
    snapshot: &Snapshot,
    config: &Config,
    input: &Json,
) -> Result<ActionOutput, Rejection> {
    let question = input
        .parse::<Option<Question>>()
        .map_err(|r| r.rule("I1"))?
        .unwrap_or_default();
    let ticket = &snapshot.ticket;
    let mut violations = Violations::default();
    // The ticket's own values count only where the input leaves them out.
    let impact = match question.impact {
        Some(impact) => impact,
        None => level(&ticket.attributes, "impact", &mut violations),
    };
    let urgency = match question.urgency {
        Some(urgency) => urgency,
        None => level(&ticket.attributes, "urgency", &mut violations),
    };
    let major_incident = match question.major_incident {
        Some(true) => {
            major_incident::refuse_other_kinds(ticket, &mut violations);
            true
        }
        Some(false) => false,
        None => major_incident::is_flagged(&ticket.attributes),
    };
    violations.into_result()?;
    let assessment = Assessment {
        impact,
        urgency,
        major_incident,
    };

    let priority = assessment.priority();
    let mut rules = assessment.rules();
    rules.push("I2");
    let target = config.target(priority);
    let mut output = Map::new();
    output.insert("priority".into(), json!(priority));
    output.insert("impact".into(), json!(assessment.impact));
    output.insert("urgency".into(), json!(assessment.urgency));
    output.insert("major_incident".into(), json!(assessment.major_incident));
    output.insert(
        "response_minutes".into(),
        json!(target.and_then(|t| t.response_minutes)),
    );
    match target.and_then(|t| t.resolution()) {
        Some(Resolution::BusinessDays(days)) => {
            output.insert("resolution_business_days".into(), json!(days))
        }
        Some(Resolution::Minutes(minutes)) => {
            output.insert("resolution_minutes".into(), json!(minutes))
        }
        None => output.insert("resolution_minutes".into(), Value::Null),
    };
    output.insert("rules".into(), json!(rules));
    Ok(ActionOutput::new(Value::Object(output)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i1_the_table_is_symmetric_and_steps_one_priority_per_level() {
        let levels = [Level::High, Level::Medium, Level::Low];
        for (i, impact) in levels.into_iter().enumerate() {
            for (j, urgency) in levels.into_iter().enumerate() {
                assert_eq!(from_table(impact, urgency), from_table(urgency, impact));
                let expected = [
                    Priority::P1,
                    Priority::P2,
                    Priority::P3,
                    Priority::P4,
                    Priority::P5,
                ][i + j];
                assert_eq!(from_table(impact, urgency), expected);
            }
        }
    }
}
