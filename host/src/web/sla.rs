//! SLA badges: how a ticket stands against its clocks, in one word and the
//! time left.

use jiff::{SignedDuration, Timestamp};
use maud::{Markup, html};

use super::i18n::Catalog;
use crate::domain::sla::{Clock, ClockState, Outcome, Target};

/// The state of a ticket's most urgent clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// No clock applies.
    None,
    /// Every decided clock met its target and none runs.
    Met,
    Paused,
    Running,
    /// A running clock passed the first warning threshold.
    Warning,
    Breached,
}

impl Status {
    /// The name used in the queue's filter and as a CSS class.
    pub fn name(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Met => "met",
            Status::Paused => "paused",
            Status::Running => "running",
            Status::Warning => "warning",
            Status::Breached => "breached",
        }
    }

    pub fn parse(name: &str) -> Option<Status> {
        [
            Status::None,
            Status::Met,
            Status::Paused,
            Status::Running,
            Status::Warning,
            Status::Breached,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// A ticket's badge: the worst status, and the time left on the most urgent
/// running clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    pub status: Status,
    pub left: Option<SignedDuration>,
}

/// The badge of a ticket's clocks; `warn_at` is the first warning
/// threshold in percent.
pub fn badge(clocks: &[(Target, Clock)], warn_at: u32, now: Timestamp) -> Badge {
    let mut status = Status::None;
    let mut left: Option<SignedDuration> = None;
    for (_, clock) in clocks {
        let this = match (clock.outcome(), clock.state()) {
            (Outcome::Breached, _) => Status::Breached,
            (_, ClockState::Running) if clock.percent() >= f64::from(warn_at) => Status::Warning,
            (_, ClockState::Running) => Status::Running,
            (_, ClockState::Paused) => Status::Paused,
            (Outcome::Met, _) => Status::Met,
            _ => Status::None,
        };
        if clock.state() == ClockState::Running
            && let Some(due) = clock.due_at()
        {
            let remaining = due.duration_since(now);
            left = Some(left.map_or(remaining, |l| l.min(remaining)));
        }
        status = status.max(this);
    }
    Badge { status, left }
}

/// `2 h 05 min` / `2小时05分`.
pub fn duration(tr: &Catalog, d: SignedDuration) -> String {
    let minutes = d.as_secs().max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        tr.ta(
            "duration-days",
            &[("d", days.to_string()), ("h", hours.to_string())],
        )
    } else {
        tr.ta(
            "duration-hours",
            &[("h", hours.to_string()), ("m", format!("{minutes:02}"))],
        )
    }
}

pub fn render(tr: &Catalog, badge: Badge) -> Markup {
    let text = match badge.status {
        Status::None => tr.t("sla-none"),
        Status::Met => tr.t("sla-met"),
        Status::Paused => tr.t("sla-paused"),
        Status::Breached => tr.t("sla-breached"),
        Status::Running | Status::Warning => match badge.left {
            Some(left) => tr.ta("sla-left", &[("left", duration(tr, left))]),
            None => tr.t("sla-running"),
        },
    };
    let label = match badge.status {
        Status::Warning => format!("{} · {text}", tr.t("sla-warning")),
        _ => text,
    };
    html! { span class=(format!("badge sla-{}", badge.status.name())) { (label) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_order_from_calm_to_breached() {
        assert!(Status::Breached > Status::Warning && Status::Warning > Status::Running);
        assert!(Status::Running > Status::Paused && Status::Paused > Status::Met);
        assert_eq!(Status::parse("warning"), Some(Status::Warning));
        assert_eq!(Status::parse("nope"), None);
    }

    #[test]
    fn durations_read_in_days_or_hours() {
        let en = super::super::i18n::catalog("en");
        assert_eq!(duration(en, SignedDuration::from_mins(125)), "2 h 05 min");
        assert_eq!(duration(en, SignedDuration::from_hours(50)), "2 d 2 h");
    }
}
