//! I3: what follows when the host's SLA clock of a ticket passes a share of
//! its target — warnings at 50 % and 75 %, and at 100 % a breach that moves
//! the ticket up a support tier.

use aftersale_sdk::prelude::*;
use aftersale_sdk::{Audience, log};

use crate::config::{Config, EscalationPercent};
use crate::manifest::is_open;

/// The attribute that holds the ticket's support tier (absent: first line).
pub const TIER: &str = "tier";

/// The prefix of the SLA timers the host fires: `sla:<metric>:<percent>`.
pub const SLA_TIMER_PREFIX: &str = "sla:";

/// Which target a timer measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Response,
    Resolution,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::Response => "response",
            Metric::Resolution => "resolution",
        }
    }
}

/// How far past its target a clock is, in I3's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    WarnAssignee,
    WarnGroupLead,
    Breach,
}

impl EscalationPercent {
    /// The stage `percent` of a target has reached. The host fires at the
    /// thresholds of its SLA policy, which a tenant may set differently from
    /// this plugin's, so each threshold counts from its value upwards.
    fn stage(&self, percent: u32) -> Option<Stage> {
        if percent >= self.breach {
            Some(Stage::Breach)
        } else if percent >= self.group_lead {
            Some(Stage::WarnGroupLead)
        } else if percent >= self.assignee {
            Some(Stage::WarnAssignee)
        } else {
            None
        }
    }
}

/// `sla:<metric>:<percent>` → the metric and the percent.
fn parse(name: &str) -> Option<(Metric, u32)> {
    let rest = name.strip_prefix(SLA_TIMER_PREFIX)?;
    let (metric, percent) = rest.split_once(':')?;
    let metric = match metric {
        "response" => Metric::Response,
        "resolution" => Metric::Resolution,
        _ => return None,
    };
    Some((metric, percent.parse().ok()?))
}

/// The ticket's current support tier.
pub fn tier(attributes: &Attributes) -> u8 {
    attributes
        .get(TIER)
        .and_then(|t| t.as_u64())
        .and_then(|t| u8::try_from(t).ok())
        .filter(|t| *t >= 1)
        .unwrap_or(1)
}

/// An SLA timer of the host came due.
pub fn on_sla_timer(snapshot: &Snapshot, config: &Config, name: &str) -> Vec<Effect> {
    let Some((metric, percent)) = parse(name) else {
        log::warn(&format!(
            "ignoring SLA timer `{name}`: not sla:<response|resolution>:<percent>"
        ));
        return Vec::new();
    };
    let ticket = &snapshot.ticket;
    // A clock that fires after the ticket was resolved is stale: the host
    // stops it on resolution, and nobody should be chased for closed work.
    if !is_open(&ticket.state) {
        return Vec::new();
    }
    let Some(stage) = config.escalation_percent.stage(percent) else {
        return Vec::new();
    };
    let metric = metric.name();
    let subject = format!(
        "{:?} {}: {percent} % of the {metric} target used — {}",
        ticket.priority, ticket.kind, ticket.title
    );
    let body = format!(
        "Ticket {} \"{}\" has used {percent} % of its {metric} target (state {}).",
        ticket.id, ticket.title, ticket.state
    );
    match stage {
        Stage::WarnAssignee => {
            // The response clock mostly runs before anyone has taken the
            // ticket; a warning to nobody would be lost, so the lead gets it.
            let audience = if ticket.assignee.is_some() {
                Audience::Assignee
            } else {
                Audience::GroupLead
            };
            vec![Effect::notify(audience, "sla-warning", subject, body)]
        }
        Stage::WarnGroupLead => {
            vec![Effect::notify(
                Audience::GroupLead,
                "sla-warning",
                subject,
                body,
            )]
        }
        Stage::Breach => breach(ticket, config, metric, subject, body),
    }
}

fn breach(
    ticket: &Ticket,
    config: &Config,
    metric: &str,
    subject: String,
    body: String,
) -> Vec<Effect> {
    let current = tier(&ticket.attributes);
    let mut effects = vec![Effect::notify(
        Audience::Manager,
        "sla-breach",
        format!("Breached — {subject}"),
        body,
    )];
    if current < config.max_tier {
        let next = current + 1;
        effects.push(Effect::escalate(
            next,
            format!("{metric} target breached at tier {current}"),
        ));
        effects.push(Effect::set_attribute(TIER, next));
    } else {
        effects.push(Effect::note(
            format!(
                "The {metric} target was breached at tier {current}, the highest support \
                 tier; there is no tier left to escalate to."
            ),
            true,
        ));
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i3_timer_names_follow_the_host_convention() {
        assert_eq!(parse("sla:response:50"), Some((Metric::Response, 50)));
        assert_eq!(parse("sla:resolution:100"), Some((Metric::Resolution, 100)));
        assert_eq!(parse("sla:on_site:50"), None);
        assert_eq!(parse("sla:response:half"), None);
        assert_eq!(parse("sla:response"), None);
        assert_eq!(parse("auto_close"), None);
    }

    #[test]
    fn i3_each_threshold_counts_from_its_value() {
        let p = EscalationPercent::default();
        assert_eq!(p.stage(49), None);
        assert_eq!(p.stage(50), Some(Stage::WarnAssignee));
        assert_eq!(p.stage(74), Some(Stage::WarnAssignee));
        assert_eq!(p.stage(75), Some(Stage::WarnGroupLead));
        assert_eq!(p.stage(99), Some(Stage::WarnGroupLead));
        assert_eq!(p.stage(100), Some(Stage::Breach));
        assert_eq!(p.stage(150), Some(Stage::Breach));
    }
}
