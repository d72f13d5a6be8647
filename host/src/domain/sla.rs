//! SLA clocks: how much of a target a ticket has used, and when its warnings
//! and breach fall due.
//!
//! A clock is derived, never stored: [`clock`] reads a [`Timeline`] that the
//! host builds from the ticket's event log, so re-targeting after a change of
//! priority is calling [`clock`] again with the new [`Target`] — the elapsed
//! time comes from the timeline and is kept.
//!
//! What each metric measures (the standard's definitions):
//!
//! - **response**: from creation to the start of handling (first staff
//!   response or acceptance);
//! - **resolution**: from the start of handling — not creation — to the first
//!   entry into a `resolved` state;
//! - **on-site**: from creation to the technician's arrival;
//!
//! all minus the time spent in `waiting` states, counted in calendar time or
//! in the tenant's business hours as the target says.
//!
//! A clock whose event has not happened when the ticket first enters a
//! `resolved`, `closed` or `cancelled` state stops there without being met
//! ([`Outcome::Abandoned`]): a ticket resolved remotely will see no
//! technician, and a cancelled one no response.
//!
//! The deadline is inclusive: stopping at the very instant 100 % is reached
//! meets the target; still running at that instant breaches it. In business
//! time 100 % is reached at the end of the last working minute, so a stop on
//! the following weekend is late.
//!
//! Only what happened up to `now` counts; later entries are ignored. A
//! timeline that stops a clock before its start (resolved before handling
//! started) leaves that clock not started and abandoned.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::calendar::Calendar;
use crate::domain::workflow::Category;

/// Which clock an SLA target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaMetric {
    Response,
    Resolution,
    OnSite,
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// A ticket's history as far as SLA clocks care, built from its event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// When the customer's request was made (the ticket created).
    pub created_at: Timestamp,
    /// Each category the ticket entered and when, the first being its
    /// creation. Read in time order; of entries at one instant, the one
    /// listed last is in force.
    pub phases: Vec<(Timestamp, Category)>,
    /// The start of handling: first staff response or acceptance.
    pub handling_started_at: Option<Timestamp>,
    /// The first entry into a `resolved` state.
    pub resolved_at: Option<Timestamp>,
    /// The technician's arrival on site.
    pub on_site_at: Option<Timestamp>,
}

/// The longest target a clock may have: a year (527 040 minutes). Longer
/// ones are refused where they are set, so no deadline walks the business
/// calendar for more than a few years of days.
pub const MAX_TARGET_MINUTES: u32 = 366 * 24 * 60;

/// Why a target's length is refused, if it is.
pub fn check_target_minutes(minutes: u32) -> Result<(), String> {
    match minutes {
        0 => Err("a target needs more than 0 minutes".into()),
        m if m > MAX_TARGET_MINUTES => Err(format!(
            "a target of {m} minutes is longer than a year ({MAX_TARGET_MINUTES} minutes)"
        )),
        _ => Ok(()),
    }
}

/// What a clock is held to: a policy's target for the ticket's priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Which clock.
    pub metric: SlaMetric,
    /// How long it may run.
    pub minutes: u32,
    /// Count only the business calendar's working hours.
    pub business_time: bool,
}

/// Whether a clock is counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Its start has not happened (resolution before handling starts), or
    /// the ticket ended before it could.
    NotStarted,
    /// Counting.
    Running,
    /// Started, but the ticket is in a `waiting` state.
    Paused,
    /// Its event happened, or the ticket ended without it.
    Stopped,
}

/// How a clock stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not decided yet: 100 % not reached and the event not happened.
    Pending,
    /// The event happened by the deadline.
    Met,
    /// The deadline passed while the clock was open; final.
    Breached,
    /// The ticket was resolved, closed or cancelled before the event and
    /// before the deadline: the target no longer applies.
    Abandoned,
}

/// One SLA clock of one ticket at one instant; see [`clock`].
#[derive(Debug, Clone)]
pub struct Clock {
    state: ClockState,
    outcome: Outcome,
    started_at: Option<Timestamp>,
    stopped_at: Option<Timestamp>,
    elapsed: SignedDuration,
    target: SignedDuration,
    /// The stretches counted so far, in time order.
    running: Vec<(Timestamp, Timestamp)>,
    /// Business hours, or 24/7 for calendar time.
    measure: Calendar,
    now: Timestamp,
}

/// The clock `target` describes for `timeline`, as it stands at `now`.
pub fn clock(target: &Target, timeline: &Timeline, calendar: &Calendar, now: Timestamp) -> Clock {
    let measure = if target.business_time {
        calendar.clone()
    } else {
        Calendar::always(calendar.time_zone().clone())
    };
    let target_len = SignedDuration::from_mins(i64::from(target.minutes));

    let mut phases: Vec<(Timestamp, Category)> = timeline
        .phases
        .iter()
        .copied()
        .filter(|(at, _)| *at <= now)
        .collect();
    // Stable, so entries at one instant keep their order and the last wins.
    phases.sort_by_key(|(at, _)| *at);

    let (start, event) = match target.metric {
        SlaMetric::Response => (Some(timeline.created_at), timeline.handling_started_at),
        SlaMetric::Resolution => (timeline.handling_started_at, timeline.resolved_at),
        SlaMetric::OnSite => (Some(timeline.created_at), timeline.on_site_at),
    };
    let start = start.filter(|at| *at <= now);
    let event = event.filter(|at| *at <= now);
    let ended = phases
        .iter()
        .find(|(_, c)| {
            matches!(
                c,
                Category::Resolved | Category::Closed | Category::Cancelled
            )
        })
        .map(|(at, _)| *at);
    // Which stops the clock first: its own event, or the end of the ticket.
    let (stop, by_event) = match (event, ended) {
        (Some(e), Some(end)) if end < e => (Some(end), false),
        (Some(e), _) => (Some(e), true),
        (None, end) => (end, false),
    };

    // Stopped before it began (the ticket ended first): it will never run.
    let Some(start) = start.filter(|s| stop.is_none_or(|stop| *s <= stop)) else {
        let outcome = if stop.is_some() {
            Outcome::Abandoned
        } else {
            Outcome::Pending
        };
        return Clock {
            state: ClockState::NotStarted,
            outcome,
            started_at: None,
            stopped_at: None,
            elapsed: SignedDuration::ZERO,
            target: target_len,
            running: Vec::new(),
            measure,
            now,
        };
    };

    let end = stop.unwrap_or(now);
    let running = running_stretches(&phases, start, end);
    let elapsed = running.iter().fold(SignedDuration::ZERO, |sum, (a, b)| {
        sum.saturating_add(measure.elapsed(*a, *b))
    });
    let state = if stop.is_some() {
        ClockState::Stopped
    } else if category_at(&phases, now) == Some(Category::Waiting) {
        ClockState::Paused
    } else {
        ClockState::Running
    };
    let mut clock = Clock {
        state,
        outcome: Outcome::Pending,
        started_at: Some(start),
        stopped_at: stop,
        elapsed,
        target: target_len,
        running,
        measure,
        now,
    };
    let deadline = clock.reached(target_len);
    clock.outcome = match (deadline, clock.stopped_at) {
        // The event at the deadline itself is in time; open at the
        // deadline in any other way is a breach.
        (Some(due), Some(stop)) if due == stop && by_event => Outcome::Met,
        (Some(_), _) => Outcome::Breached,
        (None, Some(_)) if by_event => Outcome::Met,
        (None, Some(_)) => Outcome::Abandoned,
        (None, None) => Outcome::Pending,
    };
    clock
}

impl Clock {
    /// Whether it is counting.
    pub fn state(&self) -> ClockState {
        self.state
    }

    /// How it stands against its target.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// When it started: creation, or the start of handling for resolution.
    pub fn started_at(&self) -> Option<Timestamp> {
        self.started_at
    }

    /// When it stopped: its event, or the ticket's end without it.
    pub fn stopped_at(&self) -> Option<Timestamp> {
        self.stopped_at
    }

    /// Time counted so far, waiting excluded, in the target's kind of time.
    pub fn elapsed(&self) -> SignedDuration {
        self.elapsed
    }

    /// The target as a duration.
    pub fn target(&self) -> SignedDuration {
        self.target
    }

    /// Share of the target used, in percent (over 100 once breached). A
    /// zero target counts as fully used from the start.
    pub fn percent(&self) -> f64 {
        if self.target.is_zero() {
            return if self.started_at.is_some() {
                100.0
            } else {
                0.0
            };
        }
        self.elapsed.as_secs_f64() / self.target.as_secs_f64() * 100.0
    }

    /// When 100 % is reached if the clock keeps running — in the past once
    /// breached; `None` unless running.
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.state {
            ClockState::Running => self.at_percent(100),
            _ => None,
        }
    }

    /// When `percent` of the target was reached, or will be if the clock
    /// keeps running from now; `None` when it has not been reached and the
    /// clock is not running, or beyond the calendar's range.
    pub fn at_percent(&self, percent: u32) -> Option<Timestamp> {
        // Exact in nanoseconds: minutes × 60e9 × percent / 100.
        let share = SignedDuration::try_from_nanos_i128(
            self.target.as_nanos() * i128::from(percent) / 100,
        )?;
        if let Some(at) = self.reached(share) {
            return Some(at);
        }
        match self.state {
            ClockState::Running => self.measure.add(self.now, share - self.elapsed).ok(),
            _ => None,
        }
    }

    /// The first of `percents` not reached yet and when it will be, for the
    /// one timer the host keeps per clock; `None` unless running, or once
    /// all are reached. Pass the policy's warning thresholds and 100.
    pub fn next_threshold(&self, percents: &[u32]) -> Option<(u32, Timestamp)> {
        if self.state != ClockState::Running {
            return None;
        }
        percents
            .iter()
            .copied()
            .filter_map(|p| self.at_percent(p).map(|at| (p, at)))
            .filter(|(_, at)| *at > self.now)
            .min_by_key(|(p, at)| (*at, *p))
    }

    /// When `share` of counted time was reached within the stretches counted
    /// so far; `None` if it has not been.
    fn reached(&self, share: SignedDuration) -> Option<Timestamp> {
        if share.is_zero() {
            return self.started_at;
        }
        let mut counted = SignedDuration::ZERO;
        for (from, to) in &self.running {
            let here = self.measure.elapsed(*from, *to);
            if counted + here >= share {
                return self.measure.add(*from, share - counted).ok();
            }
            counted += here;
        }
        None
    }
}

/// `[start, end)` without the time spent in `waiting` states.
fn running_stretches(
    phases: &[(Timestamp, Category)],
    start: Timestamp,
    end: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let mut stretches = Vec::new();
    let mut open = (category_at(phases, start) != Some(Category::Waiting)).then_some(start);
    for (at, category) in phases.iter().filter(|(at, _)| start < *at && *at < end) {
        match (open, *category == Category::Waiting) {
            (Some(from), true) => {
                stretches.push((from, *at));
                open = None;
            }
            (None, false) => open = Some(*at),
            _ => {}
        }
    }
    if let Some(from) = open
        && from < end
    {
        stretches.push((from, end));
    }
    stretches.retain(|(a, b)| a < b);
    stretches
}

/// The category in force at `at`: the last one entered by then.
fn category_at(phases: &[(Timestamp, Category)], at: Timestamp) -> Option<Category> {
    phases.iter().rev().find(|(t, _)| *t <= at).map(|(_, c)| *c)
}
