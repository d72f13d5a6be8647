//! One row of facts per ticket, derived from its history: the durations net
//! of pauses, first-contact resolution and its exclusions, and the flags the
//! rates count.

use aftersale_sdk::period::{self, Period};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::history::{
    Clock, Complaint, Dimensions, Elapsed, FieldWork, MetricsPolicy, Phase, Repair, SlaOutcomes,
    TicketHistory,
};
use super::survey::SurveyAnswer;
use crate::domain::Category;

/// Everything the metrics need about one ticket. Durations are whole
/// milliseconds (anything finer is dropped), net of time in `waiting`, on the
/// clock the policy chose.
///
/// Facts change while a ticket lives (it is handled, resolved, reopened,
/// surveyed), so the host recomputes them from the history after each event
/// that matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketFacts {
    /// When the request was recorded; the host files the ticket under this
    /// day.
    pub created_at: Timestamp,
    /// What reports group by.
    pub dimensions: Dimensions,
    /// The start of handling, if it has started.
    pub handling_started_at: Option<Timestamp>,
    /// The first entry into a `resolved` state, if any.
    pub resolved_at: Option<Timestamp>,
    /// Response time (服务响应时间): creation → start of handling.
    pub response_ms: Option<u64>,
    /// Resolution time (服务解决时间): start of handling → first resolution.
    pub resolution_ms: Option<u64>,
    /// Lead time: creation → first resolution.
    pub lead_ms: Option<u64>,
    /// The ticket was reopened after its first resolution (at any time).
    pub reopened: bool,
    /// Why the ticket was not resolved at the first contact. Empty for a
    /// first-contact resolution, and for a ticket not resolved yet.
    pub fcr_exclusions: Vec<FcrExclusion>,
    /// Set when the ticket is a complaint.
    pub complaint: Option<Complaint>,
    /// Set when the ticket is a repair.
    pub repair: Option<Repair>,
    /// The customer's survey answer.
    pub survey: Option<SurveyAnswer>,
    /// The SLA verdicts.
    pub sla: SlaOutcomes,
    /// Visits and parts, for first-time fix and the parts fill rate.
    #[serde(default)]
    pub field: FieldWork,
}

/// A reason a resolved ticket does not count as resolved at the first
/// contact (首次解决).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FcrExclusion {
    /// A second person took the ticket over before it was resolved.
    Reassigned,
    /// It was escalated before it was resolved.
    Escalated,
    /// A technician was dispatched on site before it was resolved.
    DispatchedOnSite,
    /// It was reopened within the policy's window (7 days) of the resolution.
    ReopenedWithinWindow,
    /// The customer rated an attribute 1 or 2 of 5.
    RatedDissatisfied,
}

/// A history the facts cannot be derived from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    /// A state was entered before the ticket existed.
    #[error("a phase at {at} precedes the ticket's creation")]
    PhaseBeforeCreation {
        /// The phase's instant.
        at: Timestamp,
    },
    /// The phases are not oldest first.
    #[error("the phase at {at} is earlier than the one before it")]
    PhasesOutOfOrder {
        /// The first phase out of order.
        at: Timestamp,
    },
    /// Handling started before the ticket existed.
    #[error("handling started at {at}, before the ticket was created")]
    HandlingBeforeCreation {
        /// The start of handling.
        at: Timestamp,
    },
    /// The first resolution came before the start of handling.
    #[error("handling started at {handled}, after the first resolution at {resolved}")]
    HandlingAfterResolution {
        /// The start of handling.
        handled: Timestamp,
        /// The first resolution.
        resolved: Timestamp,
    },
    /// The host's [`Elapsed`] answered a negative duration.
    #[error("the elapsed time from {from} to {to} is negative")]
    NegativeElapsed {
        /// Start of the span.
        from: Timestamp,
        /// End of the span.
        to: Timestamp,
    },
    /// A duration does not fit in milliseconds as `u64`.
    #[error("a duration is out of range")]
    DurationOutOfRange,
    /// The policy's time zone or a date in it is unusable.
    #[error("cannot count days: {0}")]
    Calendar(String),
}

impl TicketFacts {
    /// Derive the facts of one ticket. `elapsed` counts time (calendar or
    /// business, as `policy` says) and is only asked about spans outside
    /// `waiting`, which is how paused time is subtracted.
    ///
    /// # Errors
    ///
    /// A history out of order (phases not oldest first or before creation;
    /// handling before creation or after the first resolution), a negative
    /// answer from `elapsed`, a duration past `u64` milliseconds, or a policy
    /// time zone that does not exist.
    pub fn from(
        history: &TicketHistory,
        policy: &MetricsPolicy,
        elapsed: &dyn Elapsed,
    ) -> Result<Self, FactsError> {
        let timeline = Timeline::new(history)?;
        let created = history.created_at;
        let resolved_at = timeline.first_resolved();
        // Resolving is itself handling, so a ticket resolved without an
        // earlier response starts handling when it is resolved.
        let handled_at = history.handling_started_at.or(resolved_at);
        if let Some(handled) = handled_at {
            if handled < created {
                return Err(FactsError::HandlingBeforeCreation { at: handled });
            }
            if let Some(resolved) = resolved_at
                && handled > resolved
            {
                return Err(FactsError::HandlingAfterResolution { handled, resolved });
            }
        }

        let response_ms = handled_at
            .map(|handled| timeline.active(created, handled, policy.response, elapsed))
            .transpose()?;
        let resolution_ms = match (handled_at, resolved_at) {
            (Some(handled), Some(resolved)) => {
                Some(timeline.active(handled, resolved, policy.resolution, elapsed)?)
            }
            _ => None,
        };
        let lead_ms = resolved_at
            .map(|resolved| timeline.active(created, resolved, policy.resolution, elapsed))
            .transpose()?;

        let reopens = resolved_at
            .map(|r| timeline.reopens_after(r))
            .unwrap_or_default();
        let fcr_exclusions = match resolved_at {
            Some(resolved) => fcr_exclusions(history, policy, resolved, &reopens)?,
            None => Vec::new(),
        };

        Ok(TicketFacts {
            created_at: created,
            dimensions: history.dimensions.clone(),
            handling_started_at: handled_at,
            resolved_at,
            response_ms,
            resolution_ms,
            lead_ms,
            reopened: !reopens.is_empty(),
            fcr_exclusions,
            complaint: history.complaint,
            repair: history.repair,
            survey: history.survey.clone(),
            sla: history.sla,
            field: history.field,
        })
    }

    /// Whether the ticket was resolved.
    pub fn is_resolved(&self) -> bool {
        self.resolved_at.is_some()
    }

    /// Whether the ticket was resolved at the first contact: resolved, and no
    /// [`FcrExclusion`] applies.
    pub fn is_first_contact_resolution(&self) -> bool {
        self.is_resolved() && self.fcr_exclusions.is_empty()
    }
}

/// Everything that disqualifies a ticket resolved at `resolved` from
/// first-contact resolution. Reassignment, escalation and dispatch count only
/// up to the first resolution: what happens after a reopen is the reopen's
/// business, and a late reopen (outside the window) leaves the first contact
/// a success.
fn fcr_exclusions(
    history: &TicketHistory,
    policy: &MetricsPolicy,
    resolved: Timestamp,
    reopens: &[Timestamp],
) -> Result<Vec<FcrExclusion>, FactsError> {
    let mut exclusions = Vec::new();
    if was_reassigned(history, resolved) {
        exclusions.push(FcrExclusion::Reassigned);
    }
    if history.escalations.iter().any(|at| *at <= resolved) {
        exclusions.push(FcrExclusion::Escalated);
    }
    if history.on_site_dispatches.iter().any(|at| *at <= resolved) {
        exclusions.push(FcrExclusion::DispatchedOnSite);
    }
    // Computed even without a reopen, so a bad time zone fails every
    // resolved ticket alike instead of only the reopened ones.
    let calendar = |e: aftersale_sdk::Rejection| FactsError::Calendar(e.message);
    let day = period::local_date(resolved, &policy.time_zone).map_err(calendar)?;
    let window = Period::Days(policy.reopen_window_days);
    let window_end = period::end(day, window, &policy.time_zone).map_err(calendar)?;
    if reopens.first().is_some_and(|at| *at < window_end) {
        exclusions.push(FcrExclusion::ReopenedWithinWindow);
    }
    if history.survey.as_ref().is_some_and(|s| s.is_dissatisfied()) {
        exclusions.push(FcrExclusion::RatedDissatisfied);
    }
    Ok(exclusions)
}

/// Whether two different people held the ticket by `until`. Unassigning and
/// taking it back (A → nobody → A) is not a reassignment; A → B is, with or
/// without a gap.
fn was_reassigned(history: &TicketHistory, until: Timestamp) -> bool {
    let mut first: Option<&str> = None;
    for assignment in history.assignments.iter().filter(|a| a.at <= until) {
        let Some(who) = assignment.assignee.as_deref() else {
            continue;
        };
        match first {
            None => first = Some(who),
            Some(earlier) if earlier != who => return true,
            Some(_) => {}
        }
    }
    false
}

/// The ticket's phases, checked, as spans of one category each.
struct Timeline<'h> {
    created: Timestamp,
    phases: &'h [Phase],
}

impl<'h> Timeline<'h> {
    fn new(history: &'h TicketHistory) -> Result<Self, FactsError> {
        let mut previous = history.created_at;
        for phase in &history.phases {
            if phase.at < history.created_at {
                return Err(FactsError::PhaseBeforeCreation { at: phase.at });
            }
            if phase.at < previous {
                return Err(FactsError::PhasesOutOfOrder { at: phase.at });
            }
            previous = phase.at;
        }
        Ok(Timeline {
            created: history.created_at,
            phases: &history.phases,
        })
    }

    /// `(start, end, category)` for each span; the last runs on forever.
    /// Before the first phase the ticket is `new`.
    fn spans(&self) -> impl Iterator<Item = (Timestamp, Timestamp, Category)> + '_ {
        let starts = std::iter::once((self.created, Category::New))
            .chain(self.phases.iter().map(|p| (p.at, p.category)));
        let ends = self
            .phases
            .iter()
            .map(|p| p.at)
            .chain(std::iter::once(Timestamp::MAX));
        starts
            .zip(ends)
            .map(|((start, category), end)| (start, end, category))
    }

    fn first_resolved(&self) -> Option<Timestamp> {
        self.phases
            .iter()
            .find(|p| p.category == Category::Resolved)
            .map(|p| p.at)
    }

    /// Each return to an open state (new, active, waiting) from a finished
    /// one after `resolved`.
    fn reopens_after(&self, resolved: Timestamp) -> Vec<Timestamp> {
        let mut reopens = Vec::new();
        let mut was_open = true;
        for phase in self.phases {
            let open = is_open(phase.category);
            if phase.at >= resolved && open && !was_open {
                reopens.push(phase.at);
            }
            was_open = open;
        }
        reopens
    }

    /// The time from `from` to `to` on `clock`, leaving out every span in
    /// `waiting`. Asking `elapsed` about each unpaused span and adding up is
    /// exact for any additive calendar, and cannot go negative the way
    /// "total minus paused" can when the two are counted differently.
    fn active(
        &self,
        from: Timestamp,
        to: Timestamp,
        clock: Clock,
        elapsed: &dyn Elapsed,
    ) -> Result<u64, FactsError> {
        let mut total = SignedDuration::ZERO;
        for (start, end, category) in self.spans() {
            let (start, end) = (start.max(from), end.min(to));
            if start >= end || category == Category::Waiting {
                continue;
            }
            let span = elapsed.between(start, end, clock.is_business());
            if span.is_negative() {
                return Err(FactsError::NegativeElapsed {
                    from: start,
                    to: end,
                });
            }
            total = total
                .checked_add(span)
                .ok_or(FactsError::DurationOutOfRange)?;
        }
        u64::try_from(total.as_millis()).map_err(|_| FactsError::DurationOutOfRange)
    }
}

fn is_open(category: Category) -> bool {
    matches!(
        category,
        Category::New | Category::Active | Category::Waiting
    )
}
