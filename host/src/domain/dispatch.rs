//! Dispatch: which technician goes, and when.
//!
//! A technician's bookable slots are its working periods (its own hours,
//! else its service point's, else the tenant's calendar) cut into
//! [`SLOT`]-long pieces from the start of each period, minus the slots
//! booked already, on days it still has capacity left. Without a named
//! technician the host ranks every technician for the ticket: skill for the
//! product's category (and its certifications still valid), the ticket's
//! region among the technician's, capacity left on the day of its next free
//! slot, and the distance from its service point to the customer; each
//! factor is answered with its reason.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::service_point::GeoPoint;
use super::technician::Technician;

/// How long an appointment lasts.
pub const SLOT: SignedDuration = SignedDuration::from_hours(2);
/// How far ahead slots are offered.
pub const HORIZON_DAYS: i64 = 14;

/// A bookable stretch of a technician's time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Timestamp,
}

/// A technician booked for a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Appointment {
    pub id: uuid::Uuid,
    #[serde(skip)]
    pub tenant_id: uuid::Uuid,
    pub ticket_id: uuid::Uuid,
    pub technician: String,
    #[serde(flatten)]
    pub slot: Slot,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cancelled_at: Option<Timestamp>,
}

/// The slots `calendar` offers between `from` and `to`: each working
/// period cut into [`SLOT`]s from its start, a shorter rest dropped; a slot
/// that has begun by `from` is not offered.
pub fn slots(calendar: &Calendar, from: Timestamp, to: Timestamp) -> Vec<Slot> {
    let mut slots = Vec::new();
    // Whole periods from the start of the day before, so a slot's grid
    // does not move with `from` (calendar time is one period a day long,
    // cut from midnight).
    let zone = calendar.time_zone();
    let day_start = day_of(from, zone)
        .yesterday()
        .ok()
        .and_then(|d| {
            let midnight = d.to_datetime(jiff::civil::Time::midnight());
            zone.to_ambiguous_timestamp(midnight).compatible().ok()
        })
        .unwrap_or(from);
    for (start, end) in calendar.periods(day_start, to) {
        let mut at = start;
        while let Ok(next) = at.checked_add(SLOT) {
            if next > end {
                break;
            }
            if at >= from {
                slots.push(Slot {
                    starts_at: at,
                    ends_at: next,
                });
            }
            at = next;
        }
    }
    slots
}

/// What is known of a technician's week when ranking it.
#[derive(Debug, Clone)]
pub struct Availability<'t> {
    pub technician: &'t Technician,
    /// Its calendar's zone: the days capacity is counted in.
    pub zone: TimeZone,
    /// Free slots in the horizon, earliest first, on days with capacity.
    pub free: Vec<Slot>,
    /// Appointments already booked on the day of the first free slot.
    pub booked_that_day: u32,
    /// Where its service point is, if it has one with a location.
    pub base: Option<GeoPoint>,
}

/// The day `at` falls on in `zone`.
pub fn day_of(at: Timestamp, zone: &TimeZone) -> Date {
    zone.to_datetime(at).date()
}

/// How much of a technician's capacity a period's bookings take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Load {
    /// Jobs booked in the period.
    pub booked: u32,
    /// Jobs it could take: on each working day its daily capacity or the
    /// day's slots, whichever is fewer.
    pub capacity: u32,
    /// Utilisation: booked ÷ capacity; `null` without capacity.
    pub utilisation: Option<f64>,
}

/// The load of a technician whose calendar offers `all` slots in a period
/// in which `booked` jobs start.
pub fn load(all: &[Slot], booked: &[Timestamp], daily_capacity: u32, zone: &TimeZone) -> Load {
    let mut per_day: Vec<(Date, u32)> = Vec::new();
    for slot in all {
        let day = day_of(slot.starts_at, zone);
        match per_day.last_mut() {
            Some((last, n)) if *last == day => *n += 1,
            _ => per_day.push((day, 1)),
        }
    }
    let capacity: u32 = per_day.iter().map(|(_, n)| (*n).min(daily_capacity)).sum();
    let booked = u32::try_from(booked.len()).unwrap_or(u32::MAX);
    Load {
        booked,
        capacity,
        utilisation: (capacity > 0).then(|| f64::from(booked) / f64::from(capacity)),
    }
}

/// How many of the `booked` slot starts fall on `day`.
pub fn booked_on(booked: &[Timestamp], day: Date, zone: &TimeZone) -> u32 {
    let n = booked.iter().filter(|at| day_of(**at, zone) == day).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The slots of `all` that are not booked, on days with capacity left.
pub fn free_slots(all: &[Slot], booked: &[Timestamp], capacity: u32, zone: &TimeZone) -> Vec<Slot> {
    all.iter()
        .filter(|s| !booked.contains(&s.starts_at))
        .filter(|s| booked_on(booked, day_of(s.starts_at, zone), zone) < capacity)
        .copied()
        .collect()
}

/// What the ticket asks for.
#[derive(Debug, Clone, Default)]
pub struct Need<'a> {
    /// The product's category, if the ticket names one.
    pub category: Option<&'a str>,
    /// Certifications the work needs.
    pub certifications: Vec<&'a str>,
    /// A GB/T 2260 code of where the work is.
    pub region: Option<&'a str>,
    /// Where the customer is.
    pub location: Option<GeoPoint>,
}

/// One factor of a ranking and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// `skill`, `region`, `capacity`, `distance` or `slot`.
    pub factor: &'static str,
    /// Points it gave, of `of`.
    pub points: u32,
    pub of: u32,
    pub detail: String,
}

/// A technician as a candidate for the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub technician: String,
    /// 0–100; the sum of the reasons' points.
    pub score: u32,
    /// Its earliest free slot, if it has one in the horizon.
    pub next_slot: Option<Slot>,
    pub reasons: Vec<Reason>,
}

/// Great-circle distance in kilometres.
pub fn distance_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Beyond this many kilometres distance earns nothing.
const FAR_KM: f64 = 50.0;

/// Rank `candidates` for `need` on `today`: those with a free slot first,
/// then by score, ties by the earlier next slot, then by login.
pub fn rank(need: &Need, candidates: &[Availability], today: Date) -> Vec<Candidate> {
    let mut ranked: Vec<Candidate> = candidates
        .iter()
        .map(|a| candidate(need, a, today))
        .collect();
    ranked.sort_by(|x, y| {
        y.next_slot
            .is_some()
            .cmp(&x.next_slot.is_some())
            .then(y.score.cmp(&x.score))
            .then(x.next_slot.cmp(&y.next_slot))
            .then(x.technician.cmp(&y.technician))
    });
    ranked
}

fn candidate(need: &Need, a: &Availability, today: Date) -> Candidate {
    let t = a.technician;
    let mut reasons = Vec::with_capacity(4);
    let skill = match need.category {
        None => reason(
            "skill",
            40,
            40,
            "the ticket names no product category".into(),
        ),
        Some(category) if t.qualified(category, &need.certifications, today) => {
            reason("skill", 40, 40, format!("skilled for {category}"))
        }
        Some(category) if t.categories.iter().any(|c| c == category) => reason(
            "skill",
            10,
            40,
            format!(
                "skilled for {category} but lacks a valid certification of {}",
                need.certifications.join(", ")
            ),
        ),
        Some(category) => reason("skill", 0, 40, format!("not skilled for {category}")),
    };
    reasons.push(skill);
    reasons.push(match need.region {
        None => reason("region", 30, 30, "the ticket names no region code".into()),
        Some(code) if t.works_in(code) => reason("region", 30, 30, format!("works in {code}")),
        Some(code) => reason("region", 0, 30, format!("does not work in {code}")),
    });
    let Some(next) = a.free.first().copied() else {
        reasons.push(reason(
            "slot",
            0,
            30,
            format!("no free slot in the next {HORIZON_DAYS} days"),
        ));
        return Candidate {
            technician: t.login.clone(),
            score: reasons.iter().map(|r| r.points).sum(),
            next_slot: None,
            reasons,
        };
    };
    let left = t.daily_capacity.saturating_sub(a.booked_that_day);
    let day = day_of(next.starts_at, &a.zone);
    reasons.push(reason(
        "capacity",
        20 * left / t.daily_capacity.max(1),
        20,
        format!("{left} of {} jobs left on {day}", t.daily_capacity),
    ));
    reasons.push(match (a.base, need.location) {
        (Some(base), Some(customer)) => {
            let km = distance_km(base, customer);
            let points = (10.0 * (1.0 - km / FAR_KM)).clamp(0.0, 10.0).round() as u32;
            reason(
                "distance",
                points,
                10,
                format!("{km:.1} km from its service point"),
            )
        }
        _ => reason("distance", 5, 10, "distance unknown".into()),
    });
    Candidate {
        technician: t.login.clone(),
        score: reasons.iter().map(|r| r.points).sum(),
        next_slot: Some(next),
        reasons,
    }
}

fn reason(factor: &'static str, points: u32, of: u32, detail: String) -> Reason {
    Reason {
        factor,
        points,
        of,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::CalendarSpec;
    use crate::domain::technician::Certification;
    use jiff::civil::date;
    use uuid::Uuid;

    fn calendar() -> Calendar {
        let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
            "time_zone": "Asia/Shanghai",
            "week": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]]}
        }))
        .unwrap();
        Calendar::new(&spec).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn technician(login: &str, categories: &[&str], regions: &[&str]) -> Technician {
        Technician {
            tenant_id: Uuid::nil(),
            login: login.into(),
            home_point: None,
            categories: categories.iter().map(|c| c.to_string()).collect(),
            certifications: vec![Certification {
                name: "refrigerant".into(),
                expires_on: Some(date(2026, 12, 31)),
            }],
            regions: regions.iter().map(|c| c.to_string()).collect(),
            hours: None,
            daily_capacity: 4,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn slots_are_cut_from_each_working_period() {
        // Monday 2026-12-07 in Shanghai: 09–11, then 13–15 and 15–17; 11–12
        // and 17–18 are shorter than a slot.
        let slots = slots(
            &calendar(),
            at("2026-12-06T00:00:00Z"),
            at("2026-12-08T00:00:00Z"),
        );
        let starts: Vec<_> = slots.iter().map(|s| s.starts_at.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-12-07T01:00:00Z",
                "2026-12-07T05:00:00Z",
                "2026-12-07T07:00:00Z"
            ]
        );
        // From the middle of the morning slot, the grid stays put.
        let later = super::slots(
            &calendar(),
            at("2026-12-07T02:00:00Z"),
            at("2026-12-08T00:00:00Z"),
        );
        assert_eq!(later[0].starts_at, at("2026-12-07T05:00:00Z"));
    }

    #[test]
    fn utilisation_is_bookings_over_what_each_working_day_can_take() {
        // Two Mondays of three slots each; a capacity of 2 a day caps them.
        let all = slots(
            &calendar(),
            at("2026-12-06T00:00:00Z"),
            at("2026-12-15T00:00:00Z"),
        );
        assert_eq!(all.len(), 6);
        let zone = calendar().time_zone().clone();
        let booked = [all[0].starts_at, all[1].starts_at, all[3].starts_at];
        let capped = load(&all, &booked, 2, &zone);
        assert_eq!((capped.booked, capped.capacity), (3, 4));
        assert_eq!(capped.utilisation, Some(0.75));
        let roomy = load(&all, &booked, 10, &zone);
        assert_eq!(roomy.capacity, 6, "no more than the day's slots");
        let idle = load(&[], &[], 4, &zone);
        assert_eq!((idle.capacity, idle.utilisation), (0, None));
    }

    #[test]
    fn calendar_time_is_cut_from_midnight_whatever_the_start() {
        let always = Calendar::always(TimeZone::get("Asia/Shanghai").unwrap());
        let a = slots(
            &always,
            at("2026-12-07T01:30:00Z"),
            at("2026-12-08T00:00:00Z"),
        );
        let b = slots(
            &always,
            at("2026-12-07T02:45:00Z"),
            at("2026-12-08T00:00:00Z"),
        );
        // 10:00 Shanghai is on the grid from its midnight (16:00 UTC).
        assert_eq!(a[0].starts_at, at("2026-12-07T02:00:00Z"));
        assert_eq!(b[0].starts_at, at("2026-12-07T04:00:00Z"));
    }

    #[test]
    fn booked_slots_and_full_days_are_not_free() {
        let all = slots(
            &calendar(),
            at("2026-12-06T00:00:00Z"),
            at("2026-12-15T00:00:00Z"),
        );
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let booked = [all[0].starts_at];
        let free = free_slots(&all, &booked, 2, &zone);
        assert_eq!(free[0], all[1], "the booked one is taken");
        assert_eq!(booked_on(&booked, date(2026, 12, 7), &zone), 1);
        let full = [all[0].starts_at, all[1].starts_at];
        let free = free_slots(&all, &full, 2, &zone);
        assert_eq!(
            free[0].starts_at,
            at("2026-12-14T01:00:00Z"),
            "the next Monday"
        );
    }

    fn available(t: &Technician, booked: u32, free: Vec<Slot>) -> Availability<'_> {
        Availability {
            technician: t,
            zone: TimeZone::get("Asia/Shanghai").unwrap(),
            free,
            booked_that_day: booked,
            base: Some(GeoPoint {
                lat: 22.817,
                lon: 108.366,
            }),
        }
    }

    #[test]
    fn the_skilled_local_technician_with_room_ranks_first_and_says_why() {
        let wang = technician("wang", &["air_conditioner"], &["450100"]);
        let li = technician("li", &["washing_machine"], &["450100"]);
        let zhao = technician("zhao", &["air_conditioner"], &["440100"]);
        let slot = Slot {
            starts_at: at("2026-12-07T01:00:00Z"),
            ends_at: at("2026-12-07T03:00:00Z"),
        };
        let (wang, li, zhao) = (&wang, &li, &zhao);
        let need = Need {
            category: Some("air_conditioner"),
            certifications: vec!["refrigerant"],
            region: Some("450103"),
            location: Some(GeoPoint {
                lat: 22.85,
                lon: 108.30,
            }),
        };
        let ranked = rank(
            &need,
            &[
                available(li, 0, vec![slot]),
                available(zhao, 0, vec![slot]),
                available(wang, 2, vec![slot]),
            ],
            date(2026, 12, 5),
        );
        let order: Vec<_> = ranked.iter().map(|c| c.technician.as_str()).collect();
        assert_eq!(order, ["wang", "zhao", "li"]);
        let best = &ranked[0];
        assert_eq!(best.score, 40 + 30 + 10 + 8, "{best:?}");
        assert_eq!(best.reasons[2].detail, "2 of 4 jobs left on 2026-12-07");
        assert!(
            best.reasons[3]
                .detail
                .ends_with("km from its service point")
        );
        assert_eq!(ranked[1].reasons[1].detail, "does not work in 450103");

        // Out of certification, out of slots.
        let expired = rank(&need, &[available(wang, 0, vec![])], date(2027, 1, 2));
        assert_eq!(expired[0].score, 10 + 30);
        assert!(
            expired[0].reasons[0]
                .detail
                .contains("lacks a valid certification")
        );
        assert_eq!(expired[0].reasons[2].factor, "slot");
        assert_eq!(expired[0].next_slot, None);
    }
}
