//! The API form of a business calendar and the parsing of its hours.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// A tenant's business calendar as the API reads and writes it (JSON);
/// [`Calendar::new`](super::Calendar::new) checks it.
///
/// ```json
/// {"time_zone": "Asia/Shanghai",
///  "week": {"mon": [["09:00","12:00"],["13:30","18:00"]], "sat": [], "sun": []},
///  "holidays": [{"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节"}],
///  "workdays": [{"date": "2026-10-10", "name": "国庆节补班"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone, e.g. `Asia/Shanghai`; all hours are wall-clock times there.
    pub time_zone: String,
    /// Working hours of each weekday.
    pub week: WeekSpec,
    /// Hours of a make-up working day; Monday's hours when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make_up_hours: Option<Vec<Interval>>,
    /// Public holidays: no working hours on these dates.
    #[serde(default)]
    pub holidays: Vec<HolidaySpec>,
    /// Make-up working days: worked even on a weekend.
    #[serde(default)]
    pub workdays: Vec<WorkdaySpec>,
}

/// One working interval of a day, `["09:00", "12:00"]`: `HH:MM` from
/// `00:00`, to (exclusive) at most `24:00`.
pub type Interval = [String; 2];

/// Working hours per weekday; a day left out has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekSpec {
    /// Monday; also the hours of make-up days unless `make_up_hours` is set.
    #[serde(default)]
    pub mon: Vec<Interval>,
    /// Tuesday.
    #[serde(default)]
    pub tue: Vec<Interval>,
    /// Wednesday.
    #[serde(default)]
    pub wed: Vec<Interval>,
    /// Thursday.
    #[serde(default)]
    pub thu: Vec<Interval>,
    /// Friday.
    #[serde(default)]
    pub fri: Vec<Interval>,
    /// Saturday.
    #[serde(default)]
    pub sat: Vec<Interval>,
    /// Sunday.
    #[serde(default)]
    pub sun: Vec<Interval>,
}

/// A public holiday of one or more dates, `from` and `to` both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidaySpec {
    /// First date off.
    pub from: Date,
    /// Last date off (inclusive; iCalendar's exclusive end is converted).
    pub to: Date,
    /// What it is called, e.g. `国庆节`.
    #[serde(default)]
    pub name: String,
}

/// A make-up working day (补班).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkdaySpec {
    /// The date worked.
    pub date: Date,
    /// What it is called, e.g. `国庆节补班`.
    #[serde(default)]
    pub name: String,
}

/// A working interval in minutes after local midnight; `end` may be 1440.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shift {
    pub(super) start: u16,
    pub(super) end: u16,
}

/// Check and convert one day's intervals.
pub(super) fn shifts(day: &str, hours: &[Interval]) -> Result<Vec<Shift>, CalendarError> {
    let mut out: Vec<Shift> = Vec::with_capacity(hours.len());
    let mut previous: Option<&str> = None;
    for [from, to] in hours {
        let start = clock_minutes(from).ok_or_else(|| invalid_time(day, from))?;
        let end = clock_minutes(to).ok_or_else(|| invalid_time(day, to))?;
        if start >= end {
            return Err(CalendarError::EmptyInterval {
                day: day.to_owned(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        if let (Some(last), Some(first)) = (out.last(), previous)
            && start < last.end
        {
            return Err(CalendarError::OverlappingIntervals {
                day: day.to_owned(),
                first: first.to_owned(),
                second: from.clone(),
            });
        }
        out.push(Shift { start, end });
        previous = Some(to);
    }
    Ok(out)
}

fn invalid_time(day: &str, text: &str) -> CalendarError {
    CalendarError::InvalidTime {
        day: day.to_owned(),
        text: text.to_owned(),
    }
}

/// Minutes after midnight of a strict `HH:MM`, `24:00` included.
pub(super) fn clock_minutes(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}
