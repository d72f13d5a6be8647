//! Dates, instants and legal periods in the tenant's time zone, counted the
//! way the Civil Code does (Art. 201–203).
//!
//! - T1: a period counted in days starts on the **day after** the event; the
//!   day of the event is not counted.
//! - T2: the last day ends at 24:00 in the tenant's time zone.
//! - T3: a period of months or years ends on the corresponding day of the last
//!   month or year; when that month has no such day (29 February in a common
//!   year), on its last day.
//!
//! Sold on 2026-01-10: "within 7 days" runs to 2026-01-17 24:00, "within 15
//! days" to 2026-01-25 24:00, and a one-year warranty to 2027-01-10 24:00.
//!
//! ```
//! use aftersale_sdk::period::{self, Period};
//! use aftersale_sdk::testing::at;
//!
//! let sold = period::parse_date("2026-01-10").unwrap();
//! let end = period::end(sold, Period::Days(7), "Asia/Shanghai").unwrap();
//! assert_eq!(end, at("2026-01-18T00:00:00+08:00"));
//!
//! // Received on a Friday afternoon: one business day is the Monday.
//! let received = at("2026-01-09T17:00:00+08:00");
//! let due = period::end_after_weekdays(received, 1, "Asia/Shanghai").unwrap();
//! assert_eq!(due, at("2026-01-13T00:00:00+08:00"));
//! ```
//!
//! Attribute values are read as dates and instants with
//! [`Attributes::date`](crate::Attributes::date) and
//! [`Attributes::instant`](crate::Attributes::instant), which use this
//! module's rules.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::types::Rejection;

/// A period of law or contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Whole days, the first being the day after the event (T1).
    Days(u32),
    /// Calendar months, ending on the corresponding day (T3).
    Months(u32),
    /// Calendar years, ending on the corresponding day (T3).
    Years(u32),
}

/// The tenant's time zone by IANA name, e.g. `Asia/Shanghai`.
pub fn zone(name: &str) -> Result<TimeZone, Rejection> {
    TimeZone::get(name).map_err(|e| {
        Rejection::new(
            "invalid-time-zone",
            format!("unknown time zone `{name}`: {e}"),
        )
    })
}

/// The local date of an instant in `zone`.
pub fn local_date(at: Timestamp, zone_name: &str) -> Result<Date, Rejection> {
    Ok(at.to_zoned_datetime(zone(zone_name)?).date())
}

/// Parse a date: `2026-01-10`, or an instant (`2026-03-01T15:20:00+08:00`)
/// whose date is taken as written.
pub fn parse_date(text: &str) -> Result<Date, Rejection> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    if text.parse::<Timestamp>().is_ok()
        && let Some(date) = text.get(..10).and_then(|d| d.parse::<Date>().ok())
    {
        // An instant: its date as written, at its own offset.
        return Ok(date);
    }
    Err(Rejection::invalid_input(format!(
        "`{text}` is not a date (expected YYYY-MM-DD or an RFC 3339 instant)"
    )))
}

/// Parse an instant (RFC 3339, e.g. `2026-03-08T23:59:00+08:00`).
pub fn parse_instant(text: &str) -> Result<Timestamp, Rejection> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|e| Rejection::invalid_input(format!("`{text}` is not an RFC 3339 instant: {e}")))
}

/// The tenant's calendar date of a date or instant text. An instant is
/// converted into `zone` first, because T2 counts days there, not at the
/// offset the value happens to be written with.
pub(crate) fn parse_local_date(text: &str, zone_name: &str) -> Result<Date, Rejection> {
    match parse_instant(text) {
        Ok(at) => local_date(at, zone_name),
        Err(_) => parse_date(text),
    }
}

/// The instant a date or instant text names. A bare date means 00:00 of that
/// day in `zone`, the earliest the event can have happened.
pub(crate) fn parse_moment(text: &str, zone_name: &str) -> Result<Timestamp, Rejection> {
    match parse_instant(text) {
        Ok(at) => Ok(at),
        Err(_) => start_of_day(parse_date(text)?, zone_name),
    }
}

/// Read a date or instant text that a caller names `name` (an attribute,
/// `product.invoice_date`): `Ok(None)` without text, and a malformed text is
/// an `invalid-input` rejection that names it.
pub(crate) fn read_named<T>(
    text: Option<&str>,
    name: &str,
    read: impl FnOnce(&str) -> Result<T, Rejection>,
) -> Result<Option<T>, Rejection> {
    text.map(|text| {
        read(text).map_err(|cause| {
            Rejection::invalid_input(format!("`{name}`: {}", cause.message)).details([name])
        })
    })
    .transpose()
}

/// An instant as RFC 3339 at the offset `zone` has then, e.g.
/// `2026-01-11T10:00:00+08:00`, so people read their own local time.
pub fn rfc3339(at: Timestamp, zone_name: &str) -> Result<String, Rejection> {
    let offset = zone(zone_name)?.to_offset(at);
    Ok(at.display_with_offset(offset).to_string())
}

/// The last day of a period that starts with an event on `event` (T1, T3).
pub fn last_day(event: Date, period: Period) -> Result<Date, Rejection> {
    let overflow = |_| Rejection::invalid_input("the period runs past the calendar's end");
    match period {
        // Day 1 is the day after the event, so day N is event + N.
        Period::Days(n) => event.checked_add(i64::from(n).days()).map_err(overflow),
        // jiff clamps 29 February to 28 February, as T3 asks.
        Period::Months(n) => event.checked_add(i64::from(n).months()).map_err(overflow),
        Period::Years(n) => event.checked_add(i64::from(n).years()).map_err(overflow),
    }
}

/// The instant a period ends: 24:00 of its last day in `zone` (T2), i.e. the
/// start of the following day. Anything strictly before it is within.
pub fn end(event: Date, period: Period, zone_name: &str) -> Result<Timestamp, Rejection> {
    let last = last_day(event, period)?;
    start_of_day(next_day(last)?, zone_name)
}

/// Whether `moment` falls within `period` of an event on `event`.
pub fn within(
    event: Date,
    period: Period,
    moment: Timestamp,
    zone_name: &str,
) -> Result<bool, Rejection> {
    Ok(moment < end(event, period, zone_name)?)
}

/// Whether `moment` falls on or before `last_day`, i.e. before 24:00 of that
/// day in `zone` (T2).
pub fn on_or_before(moment: Timestamp, last_day: Date, zone_name: &str) -> Result<bool, Rejection> {
    within(last_day, Period::Days(0), moment, zone_name)
}

/// The last day of `period` from `event`, moved later by `extra_days`: a
/// period that stood still for that many days, as a warranty does while the
/// unit is in repair. Each extra day moves the last day by one, the way T1
/// counts day N.
pub fn last_day_extended(event: Date, period: Period, extra_days: u32) -> Result<Date, Rejection> {
    last_day(last_day(event, period)?, Period::Days(extra_days))
}

/// Which day of a period `date` is, counting the day after `event` as day 1
/// (T1). The event's own day is day 0.
pub fn day_number(event: Date, date: Date) -> i64 {
    i64::from((date - event).get_days())
}

/// Whole days between two dates (`to − from`).
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// 00:00 of `date` in `zone`.
pub fn start_of_day(date: Date, zone_name: &str) -> Result<Timestamp, Rejection> {
    date.to_zoned_datetime(zone(zone_name)?)
        .map(|z| z.timestamp())
        .map_err(|e| Rejection::invalid_input(format!("{date} has no start in {zone_name}: {e}")))
}

fn next_day(date: Date) -> Result<Date, Rejection> {
    date.tomorrow()
        .map_err(|_| Rejection::invalid_input("the date is at the calendar's end"))
}

/// Whether a date is Monday to Friday. Public holidays and make-up working
/// days are the host's business calendar; plugins count plain weekdays.
pub fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The instant `days` weekdays after `at`, at the same local time of day.
/// An instant on a weekend counts from the following Monday's start.
pub fn add_weekdays(at: Timestamp, days: u32, zone_name: &str) -> Result<Timestamp, Rejection> {
    let zone = zone(zone_name)?;
    let mut local = at.to_zoned_datetime(zone.clone()).datetime();
    while !is_weekday(local.date()) {
        local = next_day(local.date())?.to_datetime(jiff::civil::Time::midnight());
    }
    let mut date = local.date();
    for _ in 0..days {
        date = next_day(date)?;
        while !is_weekday(date) {
            date = next_day(date)?;
        }
    }
    date.to_datetime(local.time())
        .to_zoned_datetime(zone)
        .map(|z| z.timestamp())
        .map_err(|e| Rejection::invalid_input(format!("no such local time: {e}")))
}

/// When a period of `days` business days that starts with an event at
/// `event` is over: 24:00, in `zone`, of the `days`-th weekday after the day
/// of the event.
///
/// T1 leaves the event's own day out, so one business day from a Friday
/// 17:00 is the Monday, and three from a Wednesday are Thursday, Friday and
/// Monday; T2 ends the last of them at 24:00. An event on a weekend counts
/// from the Monday after it as day 1. With `days == 0` the period is the rest
/// of the event's day. Public holidays are the host's business calendar;
/// this counts weekdays.
pub fn end_after_weekdays(
    event: Timestamp,
    days: u32,
    zone_name: &str,
) -> Result<Timestamp, Rejection> {
    let out_of_range = |_| Rejection::invalid_input("the period runs past the calendar's end");
    let mut day = local_date(event, zone_name)?;
    if days > 0 {
        // `add_weekdays` counts a weekend instant from the next Monday's
        // start, which would make that Monday day 0. Counting from the Friday
        // before makes it day 1, as T1 wants.
        while !is_weekday(day) {
            day = day.yesterday().map_err(out_of_range)?;
        }
        let last = add_weekdays(start_of_day(day, zone_name)?, days, zone_name)?;
        day = local_date(last, zone_name)?;
    }
    start_of_day(day.tomorrow().map_err(out_of_range)?, zone_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    const SHANGHAI: &str = "Asia/Shanghai";

    fn date(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn t1_the_day_of_the_event_is_not_counted() {
        let sold = date("2026-01-10");
        assert_eq!(day_number(sold, date("2026-01-10")), 0);
        assert_eq!(day_number(sold, date("2026-01-11")), 1);
        assert_eq!(day_number(sold, date("2026-01-17")), 7);
        assert_eq!(last_day(sold, Period::Days(7)).unwrap(), date("2026-01-17"));
        assert_eq!(
            last_day(sold, Period::Days(15)).unwrap(),
            date("2026-01-25")
        );
    }

    #[test]
    fn t2_the_last_day_ends_at_midnight_in_the_tenant_zone() {
        let sold = date("2026-01-10");
        let end = end(sold, Period::Days(7), SHANGHAI).unwrap();
        assert_eq!(end, at("2026-01-18T00:00:00+08:00"));
        assert!(
            within(
                sold,
                Period::Days(7),
                at("2026-01-17T23:59:59+08:00"),
                SHANGHAI
            )
            .unwrap()
        );
        assert!(
            !within(
                sold,
                Period::Days(7),
                at("2026-01-18T00:00:00+08:00"),
                SHANGHAI
            )
            .unwrap()
        );
        // The same instant is still day 7 in Shanghai but already day 8 in Tokyo.
        let instant = at("2026-01-17T23:30:00+08:00");
        assert!(within(sold, Period::Days(7), instant, SHANGHAI).unwrap());
        assert!(!within(sold, Period::Days(7), instant, "Asia/Tokyo").unwrap());
    }

    #[test]
    fn t3_months_and_years_end_on_the_corresponding_day() {
        assert_eq!(
            last_day(date("2026-01-10"), Period::Years(1)).unwrap(),
            date("2027-01-10")
        );
        assert_eq!(
            end(date("2026-01-10"), Period::Years(1), SHANGHAI).unwrap(),
            at("2027-01-11T00:00:00+08:00")
        );
        assert_eq!(
            last_day(date("2026-03-15"), Period::Months(3)).unwrap(),
            date("2026-06-15")
        );
    }

    #[test]
    fn t3_without_a_corresponding_day_the_month_s_last_day() {
        assert_eq!(
            last_day(date("2024-02-29"), Period::Years(1)).unwrap(),
            date("2025-02-28")
        );
        assert_eq!(
            last_day(date("2024-02-29"), Period::Years(4)).unwrap(),
            date("2028-02-29")
        );
        assert_eq!(
            last_day(date("2026-01-31"), Period::Months(1)).unwrap(),
            date("2026-02-28")
        );
    }

    #[test]
    fn dates_parse_from_dates_and_instants() {
        assert_eq!(date("2026-03-01T15:20:00+08:00"), date("2026-03-01"));
        assert_eq!(date("2026-03-01T23:20:00-05:00"), date("2026-03-01"));
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn weekdays_skip_weekends() {
        // Friday 2026-01-09 15:00 + 1 weekday = Monday 15:00.
        assert_eq!(
            add_weekdays(at("2026-01-09T15:00:00+08:00"), 1, SHANGHAI).unwrap(),
            at("2026-01-12T15:00:00+08:00")
        );
        // Saturday counts from Monday 00:00.
        assert_eq!(
            add_weekdays(at("2026-01-10T11:00:00+08:00"), 3, SHANGHAI).unwrap(),
            at("2026-01-15T00:00:00+08:00")
        );
    }

    #[test]
    fn t1_a_business_day_period_leaves_the_event_s_day_out() {
        // Wednesday 2026-01-14 23:00: Thursday, Friday, Monday.
        assert_eq!(
            end_after_weekdays(at("2026-01-14T23:00:00+08:00"), 3, SHANGHAI).unwrap(),
            at("2026-01-20T00:00:00+08:00")
        );
        // Friday 17:00: one business day is the Monday.
        assert_eq!(
            end_after_weekdays(at("2026-01-09T17:00:00+08:00"), 1, SHANGHAI).unwrap(),
            at("2026-01-13T00:00:00+08:00")
        );
    }

    #[test]
    fn t1_a_business_day_period_from_a_weekend_counts_from_monday() {
        // Saturday and Sunday 2026-01-10/11: Monday is day 1.
        for event in ["2026-01-10T09:00:00+08:00", "2026-01-11T23:59:00+08:00"] {
            assert_eq!(
                end_after_weekdays(at(event), 1, SHANGHAI).unwrap(),
                at("2026-01-13T00:00:00+08:00")
            );
        }
    }

    #[test]
    fn t2_a_business_day_period_ends_at_midnight_in_the_tenant_zone() {
        // 2026-01-15 20:00 UTC is Thursday evening in London but already
        // Friday 04:00 in Shanghai.
        let event = at("2026-01-15T20:00:00Z");
        assert_eq!(
            end_after_weekdays(event, 1, "Europe/London").unwrap(),
            at("2026-01-17T00:00:00+00:00")
        );
        assert_eq!(
            end_after_weekdays(event, 1, SHANGHAI).unwrap(),
            at("2026-01-20T00:00:00+08:00")
        );
    }

    #[test]
    fn t2_zero_business_days_is_the_rest_of_the_event_s_day() {
        assert_eq!(
            end_after_weekdays(at("2026-01-14T10:00:00+08:00"), 0, SHANGHAI).unwrap(),
            at("2026-01-15T00:00:00+08:00")
        );
    }

    #[test]
    fn t2_on_or_before_the_last_day_means_before_its_midnight() {
        let last = date("2026-07-12");
        assert!(on_or_before(at("2026-07-12T23:59:59+08:00"), last, SHANGHAI).unwrap());
        assert!(!on_or_before(at("2026-07-13T00:00:00+08:00"), last, SHANGHAI).unwrap());
    }

    #[test]
    fn t3_an_extended_period_moves_its_last_day_by_the_extra_days() {
        let invoiced = date("2026-01-10");
        assert_eq!(
            last_day_extended(invoiced, Period::Years(1), 0).unwrap(),
            date("2027-01-10")
        );
        assert_eq!(
            last_day_extended(invoiced, Period::Years(1), 25).unwrap(),
            date("2027-02-04")
        );
        // T3 first, then the extra days: 29 February clamps before moving.
        assert_eq!(
            last_day_extended(date("2024-02-29"), Period::Years(1), 1).unwrap(),
            date("2025-03-01")
        );
    }

    #[test]
    fn t2_texts_are_read_in_the_tenant_zone() {
        // 2026-01-17 23:30 in Shanghai is already the 18th in Tokyo.
        let text = "2026-01-17T23:30:00+08:00";
        assert_eq!(
            parse_local_date(text, SHANGHAI).unwrap(),
            date("2026-01-17")
        );
        assert_eq!(
            parse_local_date(text, "Asia/Tokyo").unwrap(),
            date("2026-01-18")
        );
        assert_eq!(
            parse_local_date("2026-01-17", "Asia/Tokyo").unwrap(),
            date("2026-01-17")
        );
        // A bare date is the start of that day in the zone.
        assert_eq!(parse_moment(text, "Asia/Tokyo").unwrap(), at(text));
        assert_eq!(
            parse_moment("2026-01-17", SHANGHAI).unwrap(),
            at("2026-01-17T00:00:00+08:00")
        );
        assert!(parse_moment("soon", SHANGHAI).is_err());
    }

    #[test]
    fn instants_are_written_at_the_tenant_offset() {
        let instant = at("2026-01-11T02:00:00Z");
        assert_eq!(
            rfc3339(instant, SHANGHAI).unwrap(),
            "2026-01-11T10:00:00+08:00"
        );
        assert_eq!(
            rfc3339(instant, "Europe/London").unwrap(),
            "2026-01-11T02:00:00+00:00"
        );
    }

    #[test]
    fn unknown_zones_are_rejections() {
        assert_eq!(zone("Mars/Olympus").unwrap_err().code, "invalid-time-zone");
    }
}
