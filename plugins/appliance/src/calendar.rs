//! Dates and instants as the tenant sees them: reading them from attributes
//! and the product, and writing them back in the tenant's time zone.
//!
//! All counting of legal periods goes through `aftersale_sdk::period` (T1–T3);
//! this module only adds what the attributes need on top of it.

use aftersale_sdk::period::{self, Period};
use aftersale_sdk::{Attributes, Rejection, Timestamp};
use jiff::civil::Date;
use jiff::{SignedDuration, ToSpan};

/// The instant an attribute value names. A bare date means 00:00 of that day
/// in the tenant's zone, the earliest the event can have happened.
pub fn moment(text: &str, zone: &str) -> Result<Timestamp, Rejection> {
    match period::parse_instant(text) {
        Ok(at) => Ok(at),
        Err(_) => period::start_of_day(period::parse_date(text)?, zone),
    }
}

/// The tenant's calendar date of an attribute value. An instant is converted
/// into the tenant's zone first, because T2 counts days there, not at the
/// offset the value happens to be written with.
pub fn date(text: &str, zone: &str) -> Result<Date, Rejection> {
    match period::parse_instant(text) {
        Ok(at) => period::local_date(at, zone),
        Err(_) => period::parse_date(text),
    }
}

/// Attribute `name` as a date, naming the attribute when it is malformed.
pub fn date_attribute(
    attributes: &Attributes,
    name: &str,
    zone: &str,
) -> Result<Option<Date>, Rejection> {
    attributes
        .str(name)
        .map(|text| date(text, zone).map_err(|e| malformed(name, e)))
        .transpose()
}

/// Attribute `name` as an instant, naming the attribute when it is malformed.
pub fn moment_attribute(
    attributes: &Attributes,
    name: &str,
    zone: &str,
) -> Result<Option<Timestamp>, Rejection> {
    attributes
        .str(name)
        .map(|text| moment(text, zone).map_err(|e| malformed(name, e)))
        .transpose()
}

/// A product date field (`invoice_date`, `purchase_date`), naming the field
/// when it is malformed.
pub fn product_date(
    text: Option<&str>,
    field: &str,
    zone: &str,
) -> Result<Option<Date>, Rejection> {
    text.map(|t| date(t, zone).map_err(|e| malformed(&format!("product.{field}"), e)))
        .transpose()
}

fn malformed(name: &str, cause: Rejection) -> Rejection {
    Rejection::invalid_input(format!("`{name}`: {}", cause.message)).details([name.to_string()])
}

/// `at` plus whole hours (A6 targets are clock hours, not calendar days).
pub fn add_hours(at: Timestamp, hours: u32) -> Result<Timestamp, Rejection> {
    at.checked_add(SignedDuration::from_hours(i64::from(hours)))
        .map_err(|_| Rejection::invalid_input("the target lies past the calendar's end"))
}

/// `at` plus calendar days in the tenant's zone, at the same local time.
pub fn add_days(at: Timestamp, days: u32, zone: &str) -> Result<Timestamp, Rejection> {
    at.to_zoned_datetime(period::zone(zone)?)
        .checked_add(i64::from(days).days())
        .map(|z| z.timestamp())
        .map_err(|_| Rejection::invalid_input("the date lies past the calendar's end"))
}

/// The last day of `years` from `start`, extended by `extra_days` (W2).
pub fn last_day_extended(start: Date, years: u32, extra_days: u32) -> Result<Date, Rejection> {
    let last = period::last_day(start, Period::Years(years))?;
    // Each extra day moves the last day by one, the way T1 counts day N.
    period::last_day(last, Period::Days(extra_days))
}

/// Whether `moment` is on or before 24:00 of `last_day` in the tenant's zone
/// (T2).
pub fn on_or_before(moment: Timestamp, last_day: Date, zone: &str) -> Result<bool, Rejection> {
    period::within(last_day, Period::Days(0), moment, zone)
}

/// An instant as RFC 3339 at the tenant's offset, e.g.
/// `2026-01-11T10:00:00+08:00`, so people read their own local time.
pub fn rfc3339(at: Timestamp, zone: &str) -> Result<String, Rejection> {
    let offset = period::zone(zone)?.to_offset(at);
    Ok(at.display_with_offset(offset).to_string())
}
