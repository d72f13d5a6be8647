//! The technician's visit and the call after it: A1 check-in, A6 on-site
//! arrival target, A5 follow-up (回访) reminder. Shared by both kinds.

use aftersale_sdk::period;
use aftersale_sdk::prelude::*;
use jiff::{SignedDuration, ToSpan};

use crate::config::Config;

/// Timer that fires when the A6 arrival target passes.
pub const ON_SITE_TIMER: &str = "on_site_due";
/// Timer that fires when the A5 follow-up call is due.
pub const FOLLOW_UP_TIMER: &str = "follow_up";

/// A1: a technician checks in on site only for an appointment that was made
/// and with a technician assigned to it: a visit booked through dispatch
/// (which names both), or the `appointment_at` and `technician` (or an
/// assignee) the desk typed. Arriving stops the A6 reminder.
pub fn check_in(snapshot: &Snapshot) -> Decision {
    let ticket = &snapshot.ticket;
    let attributes = &ticket.attributes;
    let booked = snapshot.appointment.is_some();
    let mut missing = Vec::new();
    if !booked && !attributes.has("appointment_at") {
        missing.push("appointment_at");
    }
    if !booked && !attributes.has("technician") && ticket.assignee.is_none() {
        missing.push("technician");
    }
    if !missing.is_empty() {
        return Err(Rejection::new(
            "visit-not-arranged",
            "a technician can check in only for a booked appointment with an assigned technician",
        )
        .rule("A1")
        .details(missing));
    }
    let mut effects = vec![Effect::cancel_timer(ON_SITE_TIMER)];
    if !attributes.has("on_site_at") {
        effects.push(Effect::set_attribute(
            "on_site_at",
            period::rfc3339(snapshot.now, &snapshot.time_zone)?,
        ));
    }
    Ok(effects)
}

/// The customer's region, which sets the A6 target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    City,
    County,
    Rural,
}

impl Region {
    fn of(attributes: &Attributes) -> Result<Option<Region>, Rejection> {
        match attributes.str("region") {
            None => Ok(None),
            Some("city") => Ok(Some(Region::City)),
            Some("county") => Ok(Some(Region::County)),
            Some("rural") => Ok(Some(Region::Rural)),
            Some(other) => Err(Rejection::new(
                "invalid-attribute",
                format!("region `{other}` is none of city, county, rural"),
            )
            .rule("A6")
            .details(["region"])),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Region::City => "city",
            Region::County => "county",
            Region::Rural => "rural",
        }
    }

    fn hours(self, config: &Config) -> u32 {
        let hours = &config.arrival_hours;
        match self {
            Region::City => hours.city,
            Region::County => hours.county,
            Region::Rural => hours.rural,
        }
    }
}

/// A6: the technician must be on site within the region's hours of the
/// ticket's creation. Records `on_site_due` and schedules a reminder for it;
/// without a region yet there is no target (it is set when the region is).
pub fn arrival_target(snapshot: &Snapshot, config: &Config) -> Decision {
    let ticket = &snapshot.ticket;
    let Some(region) = Region::of(&ticket.attributes)? else {
        return Ok(Vec::new());
    };
    if checked_in(snapshot) {
        // The target is met or missed already; moving it now would rewrite
        // history.
        return Ok(Vec::new());
    }
    let due = add_hours(ticket.created_at, region.hours(config))?;
    let mut effects = vec![Effect::set_attribute(
        "on_site_due",
        period::rfc3339(due, &snapshot.time_zone)?,
    )];
    if due > snapshot.now {
        effects.push(Effect::schedule_timer(
            ON_SITE_TIMER,
            due,
            json!({"rule": "A6", "region": region.name()}),
        ));
    } else {
        // The host schedules no timer in the past; say it instead.
        effects.push(Effect::note(
            format!(
                "A6: the on-site target for a {} customer ({} h from creation) has already passed",
                region.name(),
                region.hours(config)
            ),
            true,
        ));
    }
    Ok(effects)
}

/// A6 against the visit just booked: one that starts after the on-site
/// target cannot meet it, and the manager hears of it now rather than when
/// the target passes.
pub fn booked(snapshot: &Snapshot) -> Result<Vec<Effect>, Rejection> {
    let zone = &snapshot.time_zone;
    let Some(visit) = &snapshot.appointment else {
        return Ok(Vec::new());
    };
    let Some(due) = snapshot.ticket.attributes.instant("on_site_due", zone)? else {
        return Ok(Vec::new());
    };
    if visit.starts_at <= due || checked_in(snapshot) {
        return Ok(Vec::new());
    }
    let body = format!(
        "A6: the visit booked with {} starts {}, after the on-site target {}.",
        visit.technician,
        period::rfc3339(visit.starts_at, zone)?,
        period::rfc3339(due, zone)?,
    );
    let subject = format!(
        "Visit booked past the on-site target: {}",
        snapshot.ticket.title
    );
    Ok(vec![
        Effect::note(&body, false),
        Effect::notify(Audience::Manager, "on-site-late", subject, &body),
    ])
}

/// A6 reminder: nobody has checked in by the target.
pub fn on_site_overdue(snapshot: &Snapshot) -> Vec<Effect> {
    if checked_in(snapshot) || is_finished(snapshot) {
        return Vec::new();
    }
    let subject = format!("On-site target missed: {}", snapshot.ticket.title);
    let body = "A6: no technician has checked in on site within the region's arrival target.";
    vec![
        Effect::notify(Audience::Manager, "on-site-overdue", &subject, body),
        Effect::notify(Audience::Assignee, "on-site-overdue", &subject, body),
    ]
}

/// A5: the follow-up call is due `follow_up_days` after acceptance (or a
/// finished repair).
pub fn follow_up_timer(snapshot: &Snapshot, config: &Config) -> Decision {
    let zone = &snapshot.time_zone;
    let due = add_days(snapshot.now, config.follow_up_days, zone)?;
    let mut effects = vec![Effect::set_attribute(
        "follow_up_due",
        period::rfc3339(due, zone)?,
    )];
    if due > snapshot.now {
        effects.push(Effect::schedule_timer(
            FOLLOW_UP_TIMER,
            due,
            json!({"rule": "A5"}),
        ));
    } else {
        // Zero days configured: the call is due right away.
        effects.push(follow_up_notice(snapshot));
    }
    Ok(effects)
}

/// A5 reminder, unless the follow-up was made already.
pub fn follow_up_due(snapshot: &Snapshot) -> Vec<Effect> {
    let awaiting_call = matches!(snapshot.ticket.state.as_str(), "accepted" | "repaired");
    if awaiting_call {
        vec![follow_up_notice(snapshot)]
    } else {
        Vec::new()
    }
}

fn follow_up_notice(snapshot: &Snapshot) -> Effect {
    Effect::notify(
        Audience::Assignee,
        "follow-up-due",
        format!("Follow-up call (回访) due: {}", snapshot.ticket.title),
        "A5: call the customer about the finished work and record the answer.",
    )
}

/// Whether a technician has checked in on this ticket at least once.
pub fn checked_in(snapshot: &Snapshot) -> bool {
    snapshot.ticket.attributes.has("on_site_at")
        || snapshot
            .transitions()
            .any(|(_, step)| step.transition == "check_in")
}

/// `at` plus whole hours (A6 targets are clock hours, not calendar days).
fn add_hours(at: Timestamp, hours: u32) -> Result<Timestamp, Rejection> {
    at.checked_add(SignedDuration::from_hours(i64::from(hours)))
        .map_err(|_| Rejection::invalid_input("the target lies past the calendar's end"))
}

/// `at` plus calendar days in the tenant's zone, at the same local time
/// (A5 counts days, whatever the clocks do in between).
fn add_days(at: Timestamp, days: u32, zone: &str) -> Result<Timestamp, Rejection> {
    at.to_zoned_datetime(period::zone(zone)?)
        .checked_add(i64::from(days).days())
        .map(|z| z.timestamp())
        .map_err(|_| Rejection::invalid_input("the date lies past the calendar's end"))
}

/// Whether the ticket needs no more visits.
pub fn is_finished(snapshot: &Snapshot) -> bool {
    matches!(
        snapshot.ticket.state.as_str(),
        "accepted" | "repaired" | "replaced" | "followed_up" | "cancelled"
    )
}
