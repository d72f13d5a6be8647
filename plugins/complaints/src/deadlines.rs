//! C1 and C2: a complaint is acknowledged within one business day and
//! decided within seven *(config)*, both counted from the day after it was
//! received (T1) to 24:00 of the last business day (T2).

use aftersale_sdk::prelude::*;
use aftersale_sdk::{Audience, period};

use crate::config::Config;
use crate::manifest::{RECEIVED, awaits_decision};

/// The timer and attribute names of one deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub rule: &'static str,
    /// The timer that fires when the deadline passes.
    pub timer: &'static str,
    /// The attribute holding when it passes.
    due_at: &'static str,
    /// The attribute recording when it was met.
    met_at: &'static str,
    /// The attribute saying whether it was missed.
    overdue: &'static str,
    what: &'static str,
}

/// C1: acknowledge the complaint.
pub const ACKNOWLEDGEMENT: Deadline = Deadline {
    rule: "C1",
    timer: "acknowledge_due",
    due_at: "acknowledge_due_at",
    met_at: "acknowledged_at",
    overdue: "acknowledgement_overdue",
    what: "acknowledgement",
};

/// C2: give the complainant a decision.
pub const DECISION: Deadline = Deadline {
    rule: "C2",
    timer: "decision_due",
    due_at: "decision_due_at",
    met_at: "responded_at",
    overdue: "decision_overdue",
    what: "decision",
};

impl Deadline {
    fn business_days(&self, config: &Config) -> u32 {
        if *self == ACKNOWLEDGEMENT {
            config.acknowledge_business_days
        } else {
            config.decision_business_days
        }
    }

    /// When the deadline passes for the complaint in `snapshot`: as set when
    /// it was received, so a later change of the tenant's configuration
    /// does not move a promise already made.
    fn due(&self, snapshot: &Snapshot, config: &Config) -> Result<Timestamp, Rejection> {
        let recorded = snapshot
            .ticket
            .attributes
            .str(self.due_at)
            .and_then(|text| period::parse_instant(text).ok());
        match recorded {
            Some(due) => Ok(due),
            None => period::end_after_weekdays(
                snapshot.ticket.created_at,
                self.business_days(config),
                &snapshot.time_zone,
            ),
        }
    }

    /// The complaint was received: record the due date and set the timer.
    fn start(&self, snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
        let due = period::end_after_weekdays(
            snapshot.ticket.created_at,
            self.business_days(config),
            &snapshot.time_zone,
        )?;
        Ok(vec![
            Effect::set_attribute(self.due_at, due),
            Effect::schedule_timer(self.timer, due, json!({"rule": self.rule})),
        ])
    }

    /// The deadline is being met now: record when and whether it was late.
    /// The due instant itself is 24:00 and already too late.
    fn meet(&self, snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
        let due = self.due(snapshot, config)?;
        Ok(vec![
            Effect::cancel_timer(self.timer),
            Effect::set_attribute(self.met_at, snapshot.now),
            Effect::set_attribute(self.overdue, snapshot.now >= due),
        ])
    }

    /// The deadline passed before it was met.
    fn missed(&self, snapshot: &Snapshot, audiences: &[Audience]) -> Vec<Effect> {
        let ticket = &snapshot.ticket;
        let mut effects: Vec<Effect> = audiences
            .iter()
            .map(|audience| {
                Effect::notify(
                    *audience,
                    format!("complaint-{}-overdue", self.what),
                    format!("Complaint {} overdue: {}", self.what, ticket.title),
                    format!(
                        "Complaint {} \"{}\" from {} has passed its {} deadline ({}) in state {}.",
                        ticket.id,
                        ticket.title,
                        ticket.customer.name,
                        self.what,
                        self.rule,
                        ticket.state
                    ),
                )
            })
            .collect();
        effects.push(Effect::set_attribute(self.overdue, true));
        effects
    }
}

/// A complaint was received: both deadlines start.
pub fn on_received(snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
    let mut effects = ACKNOWLEDGEMENT.start(snapshot, config)?;
    effects.extend(DECISION.start(snapshot, config)?);
    Ok(effects)
}

/// The complaint is acknowledged: C1 is met, and the complainant learns by
/// when the decision comes.
pub fn on_acknowledged(snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
    let mut effects = ACKNOWLEDGEMENT.meet(snapshot, config)?;
    let decision_due = DECISION.due(snapshot, config)?;
    // The deadline is 24:00, i.e. the start of the next day; people read
    // "by the end of" the day before.
    let last_day = period::local_date(decision_due, &snapshot.time_zone)?
        .yesterday()
        .map_err(|_| Rejection::invalid_input("the decision is due before the calendar starts"))?;
    effects.push(Effect::notify(
        Audience::Customer,
        "complaint-acknowledged",
        format!("We have received your complaint: {}", snapshot.ticket.title),
        format!(
            "Your complaint {} is being handled. You will have our decision by the end of {}.",
            snapshot.ticket.id, last_day
        ),
    ));
    Ok(effects)
}

/// The complainant has the decision: C2 is met.
pub fn on_responded(snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
    DECISION.meet(snapshot, config)
}

/// A deadline timer came due; it matters only if the deadline is unmet.
pub fn on_timer(snapshot: &Snapshot, deadline: Deadline) -> Vec<Effect> {
    let state = snapshot.ticket.state.as_str();
    if deadline == ACKNOWLEDGEMENT && state == RECEIVED {
        ACKNOWLEDGEMENT.missed(snapshot, &[Audience::GroupLead])
    } else if deadline == DECISION && awaits_decision(state) {
        DECISION.missed(snapshot, &[Audience::Manager])
    } else {
        Vec::new()
    }
}
