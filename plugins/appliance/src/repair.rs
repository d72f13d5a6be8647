//! The repair case over time: W4 repair delays that entitle the customer to
//! an exchange, W5 re-repairs (返修) within 30 days, and the `replace`
//! transition that hands an entitled case to retail for exchange or refund.

use aftersale_sdk::period::{self, Period};
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::{Facts, Timestamp};

use crate::config::Config;
use crate::warranty;

/// Timer that re-checks W4 once an exchange could first be due.
pub const W4_TIMER: &str = "w4_review";

/// W4: "more than 30 days" of repair delayed by the repairer.
const REPAIRER_DAYS: i64 = 30;
/// W4: "more than 90 days" without the parts.
const PARTS_DAYS: i64 = 90;
/// W5: a failure within 30 days of a repair is the same case.
const RE_REPAIR_DAYS: u32 = 30;

/// Days a repair has taken, by who it was waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RepairClock {
    /// Days in repair work (reported, booked, on site, diagnosed): the
    /// repairer's delay.
    pub repairer_days: i64,
    /// Days waiting for parts.
    pub parts_days: i64,
    /// Days waiting for the customer, which count for neither.
    pub customer_days: i64,
}

/// Why W4 entitles the customer to an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    Repairer(i64),
    Parts(i64),
}

impl Delay {
    pub fn reason(self) -> String {
        match self {
            Delay::Repairer(days) => format!(
                "the repair has taken {days} days (more than {REPAIRER_DAYS}): free exchange \
                 for the same model"
            ),
            Delay::Parts(days) => format!(
                "parts have been unavailable for {days} days (more than {PARTS_DAYS}): the \
                 seller exchanges the unit free"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Work,
    Parts,
    Customer,
    Done,
}

fn waiting(state: &str) -> Waiting {
    match state {
        "awaiting_parts" => Waiting::Parts,
        "awaiting_customer" => Waiting::Customer,
        "repaired" | "followed_up" | "replaced" | "cancelled" => Waiting::Done,
        _ => Waiting::Work,
    }
}

/// The repair clock from the ticket's creation to `now`, read from the
/// transitions in its history. Days are calendar days in the tenant's zone,
/// the day a stretch starts not counted (T1), so the stretches add up to the
/// days since creation.
pub fn clock(snapshot: &Snapshot) -> Result<RepairClock, Rejection> {
    // One zone lookup per call: a long history would otherwise spend the
    // fuel budget finding the same zone again for every event.
    let zone = period::zone(&snapshot.time_zone)?;
    let date_of = |at: Timestamp| at.to_zoned_datetime(zone.clone()).date();
    let mut clock = RepairClock::default();
    let mut state = waiting("reported");
    let mut since = date_of(snapshot.ticket.created_at);
    let mut add = |state: Waiting, days: i64| match state {
        Waiting::Work => clock.repairer_days += days,
        Waiting::Parts => clock.parts_days += days,
        Waiting::Customer => clock.customer_days += days,
        Waiting::Done => {}
    };
    for (at, step) in snapshot.transitions() {
        let day = date_of(at);
        add(state, period::days_between(since, day));
        state = waiting(&step.to);
        since = day;
    }
    add(state, period::days_between(since, date_of(snapshot.now)));
    Ok(clock)
}

/// W4 for an open repair ticket: an exchange is due when the repairer has
/// taken more than 30 days or the parts more than 90.
pub fn w4_entitlement(snapshot: &Snapshot) -> Result<Option<Delay>, Rejection> {
    if snapshot.ticket.kind != "repair" || waiting(&snapshot.ticket.state) == Waiting::Done {
        return Ok(None);
    }
    let clock = clock(snapshot)?;
    Ok(if clock.repairer_days > REPAIRER_DAYS {
        Some(Delay::Repairer(clock.repairer_days))
    } else if clock.parts_days > PARTS_DAYS {
        Some(Delay::Parts(clock.parts_days))
    } else {
        None
    })
}

/// A new repair: W4's first review is due when the repair could first have
/// taken more than 30 days; W5 marks a re-repair of the same case.
pub fn on_create(snapshot: &Snapshot) -> Decision {
    let zone = &snapshot.time_zone;
    let ticket = &snapshot.ticket;
    let created = period::local_date(ticket.created_at, zone)?;
    let first_review = period::end(created, Period::Days(30), zone)?;
    let mut effects = vec![Effect::schedule_timer(
        W4_TIMER,
        first_review,
        json!({"rule": "W4"}),
    )];
    let typed = ticket.attributes.date("previous_repair_at", zone)?;
    let on_record = last_unit_repair(snapshot)?;
    if typed.is_none()
        && let Some(date) = on_record
    {
        effects.push(Effect::set_attribute(
            "previous_repair_at",
            date.to_string(),
        ));
    }
    if let Some(repaired) = typed.into_iter().chain(on_record).max()
        && period::within(
            repaired,
            Period::Days(RE_REPAIR_DAYS),
            ticket.created_at,
            zone,
        )?
    {
        effects.push(Effect::set_attribute("re_repair", true));
        effects.push(Effect::note(
            format!(
                "W5: the unit was repaired on {repaired}, within 30 days — this is a re-repair \
                 (返修) of the same case, not a new one."
            ),
            false,
        ));
    }
    Ok(effects)
}

/// The W4 review: record an entitlement once, or look again when one could
/// next arise.
pub fn review(snapshot: &Snapshot) -> Result<Vec<Effect>, Rejection> {
    if waiting(&snapshot.ticket.state) == Waiting::Done
        || snapshot.ticket.attributes.has("exchange_entitled")
    {
        return Ok(Vec::new());
    }
    if let Some(delay) = w4_entitlement(snapshot)? {
        let reason = delay.reason();
        return Ok(vec![
            Effect::set_attribute("exchange_entitled", "W4"),
            Effect::note(format!("W4: {reason}."), false),
            Effect::notify(
                Audience::Customer,
                "exchange-entitled",
                "Your repair is overdue: you may have the unit exchanged",
                format!("W4: {reason}."),
            ),
            Effect::notify(
                Audience::Manager,
                "exchange-entitled",
                format!("W4 exchange due: {}", snapshot.ticket.title),
                format!("W4: {reason}."),
            ),
        ]);
    }
    // Each day adds at most one to one of the counters, so nothing can change
    // before the nearer of the two limits could be crossed.
    let clock = clock(snapshot)?;
    let days = (REPAIRER_DAYS + 1 - clock.repairer_days)
        .min(PARTS_DAYS + 1 - clock.parts_days)
        .max(1);
    let today = period::local_date(snapshot.now, &snapshot.time_zone)?;
    let next = period::end(
        today,
        Period::Days(u32::try_from(days - 1).unwrap_or(0)),
        &snapshot.time_zone,
    )?;
    Ok(vec![Effect::schedule_timer(
        W4_TIMER,
        next,
        json!({"rule": "W4"}),
    )])
}

/// W5 at `reopen`: a fault back within 30 days of the repair reopens the same
/// case; later it is a new repair.
pub fn reopen(snapshot: &Snapshot) -> Decision {
    let zone = &snapshot.time_zone;
    let Some(repaired_at) = last_repair(snapshot) else {
        return Ok(vec![Effect::set_attribute("re_repair", true)]);
    };
    let repaired = period::local_date(repaired_at, zone)?;
    if period::within(repaired, Period::Days(RE_REPAIR_DAYS), snapshot.now, zone)? {
        Ok(vec![
            Effect::set_attribute("re_repair", true),
            Effect::note(
                format!(
                    "W5: the fault came back within 30 days of the repair on {repaired}: \
                     re-repair (返修) of the same case."
                ),
                false,
            ),
        ])
    } else {
        let last = period::last_day(repaired, Period::Days(RE_REPAIR_DAYS))?;
        Err(Rejection::new(
            "re-repair-window-passed",
            format!(
                "the repair on {repaired} is more than 30 days ago (the re-repair window ended \
                 {last} 24:00): open a new repair ticket"
            ),
        )
        .rule("W5")
        .details([format!("repaired on {repaired}")]))
    }
}

/// W5: the day the unit's latest earlier repair ticket was resolved, from
/// the unit's history (contract 1.2.0).
fn last_unit_repair(snapshot: &Snapshot) -> Result<Option<jiff::civil::Date>, Rejection> {
    snapshot
        .resolved_earlier("repair")
        .filter_map(|prior| prior.resolved_at)
        .max()
        .map(|at| period::local_date(at, &snapshot.time_zone))
        .transpose()
}

fn last_repair(snapshot: &Snapshot) -> Option<Timestamp> {
    snapshot
        .transitions()
        .filter(|(_, step)| step.to == "repaired")
        .map(|(at, _)| at)
        .last()
}

/// `replace`: instead of repairing, the unit is exchanged or refunded, which
/// only W4 (repair overdue) or W6 (third main-function failure) allow, and
/// only in free warranty.
pub fn replace(snapshot: &Snapshot, config: &Config) -> Decision {
    let facts = Facts::of(&snapshot.ticket);
    let status = warranty::status(snapshot, &facts, config)?;
    if status.chargeable {
        let (rule, details) = if status.in_warranty {
            ("W3", status.exclusions.clone())
        } else {
            let until = status.whole_unit_until;
            ("W1", vec![format!("warranty ended {until} 24:00")])
        };
        return Err(Rejection::new(
            "outside-free-warranty",
            format!("no free exchange or refund: {}", status.reason),
        )
        .rule(rule)
        .details(details));
    }
    let wants = snapshot
        .ticket
        .attributes
        .str("customer_wants")
        .unwrap_or("exchange");
    let entitled = status.remedy.contains(&"exchange");
    if !entitled || !status.remedy.contains(&wants) {
        let clock = clock(snapshot)?;
        let repairs = warranty::main_function_repairs(snapshot, &facts)?.unwrap_or(0);
        let rule = if status.rules.contains(&"W4") {
            "W4"
        } else {
            "W6"
        };
        return Err(Rejection::new(
            "no-exchange-entitlement",
            format!(
                "`{wants}` instead of repair needs W4 (repair over {REPAIRER_DAYS} days or parts \
                 over {PARTS_DAYS} days; W4 allows only an exchange) or W6 (main function failed \
                 after two repairs)"
            ),
        )
        .rule(rule)
        .details([
            format!(
                "W4: repair {} of {REPAIRER_DAYS} days, parts {} of {PARTS_DAYS} days",
                clock.repairer_days, clock.parts_days
            ),
            format!("W6: {repairs} of 2 main-function repairs"),
        ]));
    }
    let kind = if wants == "refund" {
        "return"
    } else {
        "exchange"
    };
    let rule = if status.rules.contains(&"W6") {
        "W6"
    } else {
        "W4"
    };
    let ticket = &snapshot.ticket;
    let mut attributes = Attributes::default()
        .with("reason", "quality_fault")
        .with("customer_wants", wants)
        .with("source_ticket", &ticket.id);
    for name in ["main_function_repairs", "days_in_repair", "reported_at"] {
        if let Some(value) = ticket.attributes.get(name) {
            attributes.insert(name, value);
        }
    }
    if let Some(repairs) = warranty::main_function_repairs(snapshot, &facts)? {
        attributes.insert("main_function_repairs", repairs);
    }
    Ok(vec![
        Effect::note(
            format!("{rule}: {} — handed to retail for {wants}.", status.reason),
            false,
        ),
        Effect::CreateTicket(FollowUp {
            kind: kind.into(),
            title: format!("{} instead of repair ({rule})", crate::capitalised(wants)),
            description: format!("Repair {}: {}.", ticket.id, status.reason),
            priority: None,
            attributes,
            relation: format!("{kind}_for"),
        }),
        Effect::cancel_timer(W4_TIMER),
        Effect::set_attribute("exchange_entitled", Value::from(rule)),
    ])
}
