//! I5: major incidents — a flag above P1 that needs a named incident
//! manager, keeps stakeholders updated while the incident is open and leaves
//! a `problem` ticket behind once it is resolved.

use aftersale_sdk::prelude::*;
use aftersale_sdk::{Audience, Violations, log};
use jiff::SignedDuration;

use crate::config::Config;
use crate::manifest::{INCIDENT, PROBLEM, is_open};
use crate::priority::{self, Assessment};

/// The timer that brings the next stakeholder update due.
pub const STAKEHOLDER_UPDATE: &str = "stakeholder_update";

/// Set on the incident when its problem ticket is requested, so that
/// resolving it again after a reopen does not open a second problem.
pub const PROBLEM_RAISED_AT: &str = "problem_raised_at";

/// Whether the ticket is flagged as a major incident.
pub fn is_flagged(attributes: &Attributes) -> bool {
    attributes.bool("major_incident") == Some(true)
}

/// The named incident manager, if any.
fn manager(attributes: &Attributes) -> Option<&str> {
    attributes
        .str("incident_manager")
        .map(str::trim)
        .filter(|m| !m.is_empty())
}

/// Check I5's preconditions on the ticket as the change would leave it and
/// say whether it is a major incident.
pub fn check(ticket: &Ticket, violations: &mut Violations) -> bool {
    let flagged = match ticket.attributes.get("major_incident") {
        None => false,
        Some(flag) => match flag.as_bool() {
            Some(flag) => flag,
            None => {
                violations.add(
                    "I5",
                    "invalid-attribute",
                    "major_incident is a flag",
                    format!("major_incident: {flag} is not true or false"),
                );
                false
            }
        },
    };
    if flagged {
        refuse_other_kinds(ticket, violations);
        if manager(&ticket.attributes).is_none() {
            violations.add(
                "I5",
                "incident-manager-missing",
                "a major incident needs a named incident manager",
                "incident_manager: name the incident manager who runs the major incident",
            );
        }
    }
    flagged
}

/// Only incidents can be major incidents: a flag that changes nothing on a
/// service request or a problem would only mislead.
pub fn refuse_other_kinds(ticket: &Ticket, violations: &mut Violations) {
    if ticket.kind != INCIDENT {
        violations.add(
            "I5",
            "not-an-incident",
            "only an incident can be a major incident",
            format!(
                "major_incident: a {} cannot be a major incident; open an incident",
                ticket.kind
            ),
        );
    }
}

/// Why stakeholder updates start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Declared,
    Reopened,
}

/// Tell the stakeholders and schedule the first update.
pub fn start_updates(
    snapshot: &Snapshot,
    config: &Config,
    start: Start,
) -> Result<Vec<Effect>, Rejection> {
    let ticket = &snapshot.ticket;
    let next = after_minutes(snapshot.now, config.stakeholder_update_minutes)
        .ok_or_else(|| Rejection::invalid_input("the next stakeholder update is out of range"))?;
    let (template, verb) = match start {
        Start::Declared => ("major-incident-declared", "declared"),
        Start::Reopened => ("major-incident-reopened", "reopened"),
    };
    Ok(vec![
        Effect::notify(
            Audience::Stakeholders,
            template,
            format!("Major incident {verb}: {}", ticket.title),
            format!(
                "{}. Incident manager: {}. Updates follow every {} minutes while it is open.",
                summary(ticket),
                manager(&ticket.attributes).unwrap_or("not named"),
                config.stakeholder_update_minutes
            ),
        ),
        Effect::schedule_timer(STAKEHOLDER_UPDATE, next, Json::default()),
    ])
}

/// Stop the stakeholder updates.
pub fn stop_updates() -> Effect {
    Effect::cancel_timer(STAKEHOLDER_UPDATE)
}

/// A major incident was resolved: tell the stakeholders and open the
/// problem ticket that looks for its root cause (once per incident).
pub fn on_resolved(snapshot: &Snapshot, assessment: &Assessment) -> Vec<Effect> {
    let ticket = &snapshot.ticket;
    let mut effects = vec![Effect::notify(
        Audience::Stakeholders,
        "major-incident-resolved",
        format!("Major incident resolved: {}", ticket.title),
        format!("{}. No further updates follow.", summary(ticket)),
    )];
    if ticket.attributes.has(PROBLEM_RAISED_AT) {
        return effects;
    }
    let mut attributes = Attributes::default()
        .with("impact", assessment.impact)
        .with("urgency", assessment.urgency)
        .with("incident_ticket", &ticket.id);
    if let Some(service) = ticket.attributes.get("service") {
        attributes.insert("service", service);
    }
    effects.push(Effect::CreateTicket(FollowUp {
        kind: PROBLEM.into(),
        title: format!("Root cause of major incident: {}", ticket.title),
        description: format!(
            "Opened when major incident {} was resolved (incident manager: {}). Find and \
             remove the root cause.",
            ticket.id,
            manager(&ticket.attributes).unwrap_or("not named"),
        ),
        // The incident's own P1 came from the flag; the problem is ranked by
        // the impact and urgency it inherits.
        priority: Some(priority::from_table(assessment.impact, assessment.urgency)),
        attributes,
        relation: "caused_by".into(),
    }));
    effects.push(Effect::set_attribute(PROBLEM_RAISED_AT, snapshot.now));
    effects
}

/// The stakeholder-update timer came due: update the stakeholders and
/// schedule the next one, as long as the ticket is an open major incident.
pub fn on_update_due(snapshot: &Snapshot, config: &Config, timer: &FiredTimer) -> Vec<Effect> {
    let ticket = &snapshot.ticket;
    if !is_flagged(&ticket.attributes) || !is_open(&ticket.state) {
        return Vec::new();
    }
    let interval = config.stakeholder_update_minutes;
    // Keep the cadence of the original schedule; after an outage that left
    // it in the past, count from now instead.
    let next = after_minutes(timer.due, interval)
        .filter(|next| *next > snapshot.now)
        .or_else(|| after_minutes(snapshot.now, interval));
    let mut effects = vec![Effect::notify(
        Audience::Stakeholders,
        "major-incident-update",
        format!("Major incident update: {}", ticket.title),
        format!(
            "{}, state {}, assigned to {}. Incident manager: {}. Next update in {} minutes.",
            summary(ticket),
            ticket.state,
            ticket.assignee.as_deref().unwrap_or("nobody yet"),
            manager(&ticket.attributes).unwrap_or("not named"),
            interval
        ),
    )];
    match next {
        Some(next) => effects.push(Effect::schedule_timer(
            STAKEHOLDER_UPDATE,
            next,
            Json::default(),
        )),
        None => log::error("the next stakeholder update is out of range; updates stop"),
    }
    effects
}

fn summary(ticket: &Ticket) -> String {
    // No priority here: at creation the ticket still carries the kind's
    // default, and a major incident is P1 anyway.
    format!("Major incident {} \"{}\"", ticket.id, ticket.title)
}

fn after_minutes(at: Timestamp, minutes: u32) -> Option<Timestamp> {
    at.checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok()
}
