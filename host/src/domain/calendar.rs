//! Business calendars: when a tenant works, and how much working time lies
//! between two instants.
//!
//! A calendar is an IANA time zone, working hours per weekday (breaks are the
//! gaps between a day's intervals), public holidays and make-up working days
//! (调休补班: China moves weekends around its public holidays, so a Saturday
//! can be a working day). Which hours a date has:
//!
//! 1. a **holiday** has none, whatever its weekday;
//! 2. a **make-up working day** has the calendar's `make_up_hours`, which
//!    default to Monday's hours, whatever its weekday;
//! 3. any other date has the hours of its weekday.
//!
//! A date that is both a holiday and a make-up day is a configuration error.
//!
//! Working hours are wall-clock times in the calendar's zone. An interval
//! `[start, end)` of a date covers the instants from the **first** moment the
//! wall clock there reads `start` (or later) to the first moment it reads
//! `end` (or later); `24:00` is the next midnight. Consequently:
//!
//! - on a spring-forward day the skipped hour is not worked: 01:00–04:00 in
//!   Berlin is two hours on the last Sunday of March; an interval boundary
//!   inside the gap (02:30) is the instant the gap ends (03:00 CEST);
//! - on a fall-back day the repeated hour is worked twice when it lies inside
//!   an interval (01:00–04:00 is four hours), and a boundary inside the
//!   repeated hour is its first occurrence (jiff's `Disambiguation::Earlier`).
//!
//! Intervals of one date therefore never overlap those of another, so the
//! working time of a calendar is one ordered sequence of disjoint periods,
//! and [`Calendar::elapsed`] and [`Calendar::add`] are exact inverses.

use std::collections::HashSet;
use std::ops::ControlFlow;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

#[cfg(test)]
use spec::clock_minutes;
pub use spec::{CalendarSpec, HolidaySpec, Interval, WeekSpec, WorkdaySpec};
use spec::{Shift, shifts};

mod ical;
#[cfg(test)]
mod proptests;
mod spec;
#[cfg(test)]
mod tests;

/// How long [`Calendar::add`] keeps looking for working time before it
/// gives up: ten years of dates without a single working minute.
const IDLE_LIMIT_DAYS: u32 = 3653;

/// Why a calendar, an iCalendar import or a calendar computation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The time zone is not in the bundled IANA database.
    #[error("unknown time zone `{name}`")]
    UnknownTimeZone {
        /// The name as given.
        name: String,
    },
    /// A working-hours time is not `HH:MM` between `00:00` and `24:00`.
    #[error("{day}: `{text}` is not a time of day (expected HH:MM, 00:00 to 24:00)")]
    InvalidTime {
        /// Which day's hours (`mon` … `sun`, `make_up_hours`).
        day: String,
        /// The text as given.
        text: String,
    },
    /// An interval does not end after it starts.
    #[error("{day}: the interval {from}–{to} does not end after it starts")]
    EmptyInterval {
        /// Which day's hours.
        day: String,
        /// Its start as given.
        from: String,
        /// Its end as given.
        to: String,
    },
    /// A day's intervals are out of order or overlap.
    #[error(
        "{day}: the interval starting {second} begins before the one ending {first} is over; list a day's intervals in order, without overlaps"
    )]
    OverlappingIntervals {
        /// Which day's hours.
        day: String,
        /// The end of the earlier interval.
        first: String,
        /// The start of the later interval.
        second: String,
    },
    /// A holiday ends before it starts.
    #[error("holiday `{name}`: `from` {from} is after `to` {to}")]
    InvertedHoliday {
        /// The holiday's name.
        name: String,
        /// Its first date.
        from: Date,
        /// Its last date.
        to: Date,
    },
    /// A date is listed both as a holiday and as a make-up working day.
    #[error("{date} is both a holiday (`{holiday}`) and a make-up working day (`{workday}`)")]
    HolidayAndWorkday {
        /// The date.
        date: Date,
        /// The holiday's name.
        holiday: String,
        /// The make-up day's name.
        workday: String,
    },
    /// Make-up days exist but there are no hours to work on them.
    #[error(
        "make-up working day {date} (`{name}`) would have no hours: set `make_up_hours` or give Monday working hours"
    )]
    MakeUpDayWithoutHours {
        /// The first such date.
        date: Date,
        /// Its name.
        name: String,
    },
    /// [`Calendar::add`] was asked to go back in time.
    #[error("a business duration to add cannot be negative (got {duration})")]
    NegativeDuration {
        /// The duration given.
        duration: SignedDuration,
    },
    /// [`Calendar::add`] found ten years without working time.
    #[error("no working time within ten years after {from}")]
    NoWorkingTime {
        /// Where the search started.
        from: Timestamp,
    },
    /// A result would lie beyond the dates jiff supports (years ±9999).
    #[error("the result lies beyond the supported range of dates")]
    OutOfRange,
    /// An iCalendar file could not be imported.
    #[error("iCalendar line {line}: {reason}")]
    Ical {
        /// The (physical, 1-based) line where the offending property starts.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// A validated business calendar; see the module documentation for its rules.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: TimeZone,
    /// `None` is calendar time: every instant is working time.
    schedule: Option<Box<Schedule>>,
}

#[derive(Debug, Clone)]
struct Schedule {
    /// Monday first.
    week: [Vec<Shift>; 7],
    make_up: Vec<Shift>,
    /// Disjoint, sorted, inclusive ranges, so a date is found by bisection.
    holidays: Vec<(Date, Date)>,
    /// Sorted, without duplicates.
    workdays: Vec<Date>,
}

/// What a walk over the calendar meets, in time order.
enum Step {
    /// A date begins (the first instant the wall clock reads its 00:00).
    Day(Timestamp),
    /// A working period, never empty.
    Period(Timestamp, Timestamp),
}

impl Calendar {
    /// Check a spec and build the calendar it describes; the error names the
    /// first problem found.
    pub fn new(spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
        let zone = TimeZone::get(&spec.time_zone).map_err(|_| CalendarError::UnknownTimeZone {
            name: spec.time_zone.clone(),
        })?;
        let w = &spec.week;
        let week = [
            shifts("mon", &w.mon)?,
            shifts("tue", &w.tue)?,
            shifts("wed", &w.wed)?,
            shifts("thu", &w.thu)?,
            shifts("fri", &w.fri)?,
            shifts("sat", &w.sat)?,
            shifts("sun", &w.sun)?,
        ];
        let make_up = match &spec.make_up_hours {
            Some(hours) => shifts("make_up_hours", hours)?,
            None => week[0].clone(),
        };

        for h in &spec.holidays {
            if h.from > h.to {
                return Err(CalendarError::InvertedHoliday {
                    name: h.name.clone(),
                    from: h.from,
                    to: h.to,
                });
            }
        }
        if make_up.is_empty()
            && let Some(day) = spec.workdays.first()
        {
            return Err(CalendarError::MakeUpDayWithoutHours {
                date: day.date,
                name: day.name.clone(),
            });
        }

        let mut ranges: Vec<(Date, Date)> = spec.holidays.iter().map(|h| (h.from, h.to)).collect();
        ranges.sort();
        let mut holidays: Vec<(Date, Date)> = Vec::with_capacity(ranges.len());
        for (from, to) in ranges {
            match holidays.last_mut() {
                // Overlapping or adjacent ranges merge, so bisection finds one.
                Some(last) if from <= last.1 || last.1.tomorrow().is_ok_and(|d| d == from) => {
                    last.1 = last.1.max(to);
                }
                _ => holidays.push((from, to)),
            }
        }
        // A date both off and worked is a mistake in the calendar; the
        // merged ranges are sorted, so each make-up day is one bisection.
        for day in &spec.workdays {
            let i = holidays.partition_point(|(from, _)| *from <= day.date);
            if i > 0 && day.date <= holidays[i - 1].1 {
                let holiday = spec
                    .holidays
                    .iter()
                    .find(|h| h.from <= day.date && day.date <= h.to)
                    .map(|h| h.name.clone())
                    .unwrap_or_default();
                return Err(CalendarError::HolidayAndWorkday {
                    date: day.date,
                    holiday,
                    workday: day.name.clone(),
                });
            }
        }
        let mut workdays: Vec<Date> = spec.workdays.iter().map(|d| d.date).collect();
        workdays.sort();
        workdays.dedup();

        Ok(Calendar {
            zone,
            schedule: Some(Box::new(Schedule {
                week,
                make_up,
                holidays,
                workdays,
            })),
        })
    }

    /// Calendar time in `zone`: every instant is working time (24/7).
    pub fn always(zone: TimeZone) -> Calendar {
        Calendar {
            zone,
            schedule: None,
        }
    }

    /// `base` with the holidays and make-up working days of an iCalendar
    /// file added (entries already in `base` are not repeated), checked as
    /// [`Calendar::new`] checks it.
    ///
    /// Reads all-day `VEVENT`s: `DTSTART;VALUE=DATE` with an exclusive
    /// `DTEND` or a `DURATION` of days or weeks, or neither for a single day.
    /// An event is a **make-up working day** when one of its `CATEGORIES` is
    /// `WORKDAY` or contains `班` (上班, 补班), or, without such a category
    /// (or `HOLIDAY`, or one containing `休` or `假`), when its `SUMMARY`
    /// contains `班` or says `workday` / `working day`, the way Chinese
    /// holiday calendars publish 补班 and (班); anything else is a
    /// **holiday**. Cancelled events are skipped; timed and recurring events
    /// are rejected, since a holiday list names its dates.
    ///
    /// Takes bytes because folding may split a UTF-8 character, which only
    /// becomes valid text after unfolding; a `&str` works too.
    pub fn from_ical(
        ics: impl AsRef<[u8]>,
        base: CalendarSpec,
    ) -> Result<CalendarSpec, CalendarError> {
        let mut spec = base;
        // What is there already, so each entry is checked in constant time
        // and an import stays linear in the file's size.
        let mut holidays: HashSet<(Date, Date, String)> = spec
            .holidays
            .iter()
            .map(|h| (h.from, h.to, h.name.clone()))
            .collect();
        let mut workdays: HashSet<Date> = spec.workdays.iter().map(|w| w.date).collect();
        for entry in ical::events(ics.as_ref())? {
            match entry.kind {
                ical::Kind::Holiday => {
                    if holidays.insert((entry.first, entry.last, entry.name.clone())) {
                        spec.holidays.push(HolidaySpec {
                            from: entry.first,
                            to: entry.last,
                            name: entry.name,
                        });
                    }
                }
                ical::Kind::Workday => {
                    // At most a month long (checked when read).
                    let mut date = entry.first;
                    while date <= entry.last {
                        if workdays.insert(date) {
                            spec.workdays.push(WorkdaySpec {
                                date,
                                name: entry.name.clone(),
                            });
                        }
                        date = date.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
                    }
                }
            }
        }
        Calendar::new(&spec)?;
        Ok(spec)
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Whether `at` lies within working hours.
    pub fn is_working(&self, at: Timestamp) -> bool {
        if self.schedule.is_none() {
            return true;
        }
        self.walk(at, |step| match step {
            // A later date's periods can only start later still.
            Step::Day(start) if start > at => ControlFlow::Break(false),
            Step::Period(start, _) if start > at => ControlFlow::Break(false),
            Step::Period(_, end) if at < end => ControlFlow::Break(true),
            _ => ControlFlow::Continue(()),
        })
        .unwrap_or(false)
    }

    /// The working periods between two instants, in order, each clipped to
    /// `[from, to)`; calendar time is one period.
    pub fn periods(&self, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let mut periods = Vec::new();
        self.each_period(from, to, |start, end| periods.push((start, end)));
        periods
    }

    /// The working time between two instants; zero when `to <= from`.
    ///
    /// Walks the dates in between, so the cost grows with the number of
    /// days, not with the duration's resolution.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        let mut total = SignedDuration::ZERO;
        self.each_period(from, to, |start, end| {
            total = total.saturating_add(end.duration_since(start));
        });
        total
    }

    /// Visit the working periods within `[from, to)`, clipped to it, in
    /// order. Running off the end of jiff's range ends the walk: nothing is
    /// worked there.
    fn each_period(
        &self,
        from: Timestamp,
        to: Timestamp,
        mut visit: impl FnMut(Timestamp, Timestamp),
    ) {
        if to <= from {
            return;
        }
        if self.schedule.is_none() {
            return visit(from, to);
        }
        let _ = self.walk(from, |step| match step {
            Step::Day(start) | Step::Period(start, _) if start >= to => ControlFlow::Break(()),
            Step::Day(_) => ControlFlow::Continue(()),
            Step::Period(start, end) => {
                let (start, end) = (start.max(from), end.min(to));
                if start < end {
                    visit(start, end);
                }
                ControlFlow::Continue(())
            }
        });
    }

    /// The earliest instant by which `duration` of working time has passed
    /// after `from`. When `from` is outside working hours the count starts
    /// with the next working period; a zero duration is `from` itself.
    ///
    /// Fails for a negative duration, when ten years pass without working
    /// time, and beyond jiff's range of dates.
    pub fn add(
        &self,
        from: Timestamp,
        duration: SignedDuration,
    ) -> Result<Timestamp, CalendarError> {
        if duration.is_negative() {
            return Err(CalendarError::NegativeDuration { duration });
        }
        if duration.is_zero() {
            return Ok(from);
        }
        if self.schedule.is_none() {
            return from
                .checked_add(duration)
                .map_err(|_| CalendarError::OutOfRange);
        }
        let mut remaining = duration;
        let mut idle_days = 0;
        self.walk(from, |step| match step {
            Step::Day(_) => {
                idle_days += 1;
                if idle_days > IDLE_LIMIT_DAYS {
                    ControlFlow::Break(Err(CalendarError::NoWorkingTime { from }))
                } else {
                    ControlFlow::Continue(())
                }
            }
            Step::Period(start, end) => {
                let start = start.max(from);
                if start >= end {
                    return ControlFlow::Continue(());
                }
                idle_days = 0;
                let available = end.duration_since(start);
                if available >= remaining {
                    ControlFlow::Break(
                        start
                            .checked_add(remaining)
                            .map_err(|_| CalendarError::OutOfRange),
                    )
                } else {
                    remaining -= available;
                    ControlFlow::Continue(())
                }
            }
        })
        .unwrap_or(Err(CalendarError::OutOfRange))
    }

    /// Visit the calendar's days and working periods in time order, from
    /// the local date of `from` on, until `visit` breaks; `None` when the
    /// walk runs off the end of jiff's range first.
    ///
    /// Starting at `from`'s local date is enough: the periods of earlier
    /// dates end by that date's first midnight, which is not after `from`.
    fn walk<T>(&self, from: Timestamp, mut visit: impl FnMut(Step) -> ControlFlow<T>) -> Option<T> {
        let schedule = self.schedule.as_deref()?;
        let mut date = self.zone.to_datetime(from).date();
        loop {
            if let Some(start) = self.first_instant(date.to_datetime(Time::midnight()))
                && let ControlFlow::Break(t) = visit(Step::Day(start))
            {
                return Some(t);
            }
            for shift in schedule.shifts_on(date) {
                if let Some((start, end)) = self.period(date, *shift)
                    && start < end
                    && let ControlFlow::Break(t) = visit(Step::Period(start, end))
                {
                    return Some(t);
                }
            }
            date = date.tomorrow().ok()?;
        }
    }

    /// The instants a shift of `date` covers.
    fn period(&self, date: Date, shift: Shift) -> Option<(Timestamp, Timestamp)> {
        let start = self.first_instant(wall_clock(date, shift.start)?)?;
        let end = self.first_instant(wall_clock(date, shift.end)?)?;
        Some((start, end))
    }

    /// The first instant at which the wall clock reads `local` or later.
    fn first_instant(&self, local: DateTime) -> Option<Timestamp> {
        match self.zone.to_ambiguous_timestamp(local).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok(),
            // Shown twice: the first time counts.
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local).ok(),
            // Never shown: the clock jumps past it at the transition, which
            // lies after `local` read with the later offset.
            AmbiguousOffset::Gap { after, .. } => {
                let before_gap = after.to_timestamp(local).ok()?;
                self.zone
                    .following(before_gap)
                    .take(4)
                    .find(|t| t.offset() == after)
                    .map(|t| t.timestamp())
            }
        }
    }
}

impl Schedule {
    /// The hours of `date`: holiday, then make-up day, then weekday.
    fn shifts_on(&self, date: Date) -> &[Shift] {
        let i = self.holidays.partition_point(|(from, _)| *from <= date);
        if i > 0 && date <= self.holidays[i - 1].1 {
            return &[];
        }
        if self.workdays.binary_search(&date).is_ok() {
            return &self.make_up;
        }
        &self.week[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())]
    }
}

/// Local date and minute of day as a wall-clock reading; minute 1440 is the
/// next date's midnight.
fn wall_clock(date: Date, minute: u16) -> Option<DateTime> {
    if minute >= 1440 {
        return Some(date.tomorrow().ok()?.to_datetime(Time::midnight()));
    }
    let hour = i8::try_from(minute / 60).ok()?;
    let minute = i8::try_from(minute % 60).ok()?;
    Some(date.at(hour, minute, 0, 0))
}
