//! Property tests of calendar arithmetic on random calendars in zones with
//! daylight-saving time, with instants concentrated around transitions.

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;

use super::tests::at;
use super::*;

/// Berlin and New York shift by an hour at 02:00, Lord Howe by half an hour
/// at 02:00, Santiago at midnight; Shanghai has no DST at all.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Shanghai",
];

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A day's hours: sorted distinct boundaries taken in pairs.
fn day(points: BoxedStrategy<u16>) -> impl Strategy<Value = Vec<Interval>> {
    btree_set(points, 0..=6).prop_map(|set| {
        let points: Vec<u16> = set.into_iter().collect();
        points
            .chunks_exact(2)
            .map(|pair| [hhmm(pair[0]), hhmm(pair[1])])
            .collect()
    })
}

/// Any quarter hour from 00:00 to 24:00, often one where the zones above
/// jump: inside or at the edge of their gaps and folds, or at midnight.
fn quarter_hours() -> BoxedStrategy<u16> {
    prop_oneof![
        (0u16..=96).prop_map(|q| q * 15),
        select(vec![
            0u16, 60, 90, 105, 120, 135, 150, 165, 180, 1380, 1425, 1440
        ]),
    ]
    .boxed()
}

fn spec(
    zones: &'static [&'static str],
    points: fn() -> BoxedStrategy<u16>,
) -> impl Strategy<Value = CalendarSpec> {
    let week = (
        day(points()),
        day(points()),
        day(points()),
        day(points()),
        day(points()),
        day(points()),
        day(points()),
    );
    (
        select(zones),
        week,
        day(points()),
        vec((0i64..730, 0i64..12), 0..6),
        vec(0i64..730, 0..8),
    )
        .prop_map(
            |(zone, (mon, tue, wed, thu, fri, sat, sun), make_up, holidays, workdays)| {
                let base: Date = "2026-01-01".parse().unwrap();
                let date = |offset: i64| base.checked_add(jiff::Span::new().days(offset)).unwrap();
                let holidays: Vec<HolidaySpec> = holidays
                    .into_iter()
                    .map(|(from, len)| HolidaySpec {
                        from: date(from),
                        to: date(from + len),
                        name: "holiday".into(),
                    })
                    .collect();
                let make_up_hours = (!make_up.is_empty()).then_some(make_up);
                let has_make_up_hours = make_up_hours.is_some() || !mon.is_empty();
                let workdays = workdays
                    .into_iter()
                    .map(date)
                    .filter(|d| {
                        has_make_up_hours && !holidays.iter().any(|h| h.from <= *d && *d <= h.to)
                    })
                    .map(|date| WorkdaySpec {
                        date,
                        name: "workday".into(),
                    })
                    .collect();
                CalendarSpec {
                    time_zone: zone.into(),
                    week: WeekSpec {
                        mon,
                        tue,
                        wed,
                        thu,
                        fri,
                        sat,
                        sun,
                    },
                    make_up_hours,
                    holidays,
                    workdays,
                }
            },
        )
}

/// An instant, either anywhere in 2026–2027 or within four days of one of
/// the zone's transitions; resolved once the zone is known.
#[derive(Debug, Clone)]
struct When {
    near_transition: bool,
    pick: u64,
    offset_secs: i64,
    nanos: i32,
}

fn when() -> impl Strategy<Value = When> {
    (
        any::<bool>(),
        any::<u64>(),
        -4 * 86_400i64..4 * 86_400,
        prop_oneof![Just(0i32), 0i32..1_000_000_000],
    )
        .prop_map(|(near_transition, pick, offset_secs, nanos)| When {
            near_transition,
            pick,
            offset_secs,
            nanos,
        })
}

/// An instant up to two days before one of the zone's transitions.
fn shortly_before_a_transition() -> impl Strategy<Value = When> {
    (any::<u64>(), -2 * 86_400i64..0).prop_map(|(pick, offset_secs)| When {
        near_transition: true,
        pick,
        offset_secs,
        nanos: 0,
    })
}

fn instant(zone: &TimeZone, when: &When) -> Timestamp {
    let start = at("2026-01-01T00:00:00Z");
    let end = at("2028-01-01T00:00:00Z");
    let transitions: Vec<Timestamp> = zone
        .following(start)
        .map(|t| t.timestamp())
        .take_while(|t| *t < end)
        .collect();
    let base = if when.near_transition && !transitions.is_empty() {
        let i = usize::try_from(when.pick % transitions.len() as u64).unwrap();
        transitions[i]
            .checked_add(SignedDuration::from_secs(when.offset_secs))
            .unwrap()
    } else {
        let secs = i64::try_from(when.pick % (730 * 86_400)).unwrap();
        start.checked_add(SignedDuration::from_secs(secs)).unwrap()
    };
    base.checked_add(SignedDuration::new(0, when.nanos))
        .unwrap()
}

fn three_sorted(cal: &Calendar, w: [&When; 3]) -> [Timestamp; 3] {
    let mut t = w.map(|w| instant(cal.time_zone(), w));
    t.sort();
    t
}

/// Working minutes counted one by one from the module's rule, with no help
/// from jiff's disambiguation: an interval of a date covers the minutes from
/// the first minute whose wall-clock reading is at least its start to the
/// first whose reading is at least its end, both found by scanning.
fn oracle_minutes(spec: &CalendarSpec, zone: &TimeZone, from: Timestamp, minutes: i64) -> i64 {
    let parse = |hours: &[Interval]| -> Vec<(u16, u16)> {
        hours
            .iter()
            .map(|[a, b]| (clock_minutes(a).unwrap(), clock_minutes(b).unwrap()))
            .collect()
    };
    let w = &spec.week;
    let week = [&w.mon, &w.tue, &w.wed, &w.thu, &w.fri, &w.sat, &w.sun].map(|d| parse(d));
    let make_up = spec
        .make_up_hours
        .as_deref()
        .map(parse)
        .unwrap_or_else(|| week[0].clone());
    let hours_on = |date: Date| {
        if spec.holidays.iter().any(|h| h.from <= date && date <= h.to) {
            vec![]
        } else if spec.workdays.iter().any(|d| d.date == date) {
            make_up.clone()
        } else {
            week[usize::try_from(date.weekday().to_monday_zero_offset()).unwrap()].clone()
        }
    };
    // Every minute from two days before to two days after, with its reading.
    let first = from.checked_sub(SignedDuration::from_hours(48)).unwrap();
    let span = minutes + 4 * 1_440;
    let readings: Vec<DateTime> = (0..span)
        .map(|m| zone.to_datetime(first.checked_add(SignedDuration::from_mins(m)).unwrap()))
        .collect();
    let first_reading = |wall: DateTime| readings.iter().position(|r| *r >= wall).map(|i| i as i64);
    let mut working = vec![false; usize::try_from(span).unwrap()];
    let mut date = readings[0].date();
    while date <= readings[readings.len() - 1].date() {
        for (s, e) in hours_on(date) {
            let (Some(s), Some(e)) = (
                first_reading(wall_clock(date, s).unwrap()),
                first_reading(wall_clock(date, e).unwrap()),
            ) else {
                continue;
            };
            for m in s..e {
                working[usize::try_from(m).unwrap()] = true;
            }
        }
        date = date.tomorrow().unwrap();
    }
    working[2 * 1_440..usize::try_from(2 * 1_440 + minutes).unwrap()]
        .iter()
        .filter(|w| **w)
        .count() as i64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn elapsed_is_additive(spec in spec(ZONES, quarter_hours), a in when(), b in when(), c in when()) {
        let cal = Calendar::new(&spec).unwrap();
        let [a, b, c] = three_sorted(&cal, [&a, &b, &c]);
        prop_assert_eq!(cal.elapsed(a, b) + cal.elapsed(b, c), cal.elapsed(a, c));
    }

    #[test]
    fn elapsed_grows_with_its_end_and_never_faster_than_the_wall_clock(
        spec in spec(ZONES, quarter_hours), a in when(), b in when(), c in when()
    ) {
        let cal = Calendar::new(&spec).unwrap();
        let [a, b, c] = three_sorted(&cal, [&a, &b, &c]);
        let (ab, ac) = (cal.elapsed(a, b), cal.elapsed(a, c));
        prop_assert!(ab <= ac);
        prop_assert!(ac - ab <= c.duration_since(b));
        // And shrinks as its start moves later.
        prop_assert!(cal.elapsed(b, c) <= ac);
    }

    #[test]
    fn elapsed_undoes_add(spec in spec(ZONES, quarter_hours), from in when(), secs in 0i64..2_000 * 3_600) {
        let cal = Calendar::new(&spec).unwrap();
        let from = instant(cal.time_zone(), &from);
        let d = SignedDuration::from_secs(secs);
        match cal.add(from, d) {
            Ok(to) => {
                prop_assert_eq!(cal.elapsed(from, to), d);
                if secs > 0 {
                    // The earliest such instant: its last nanosecond is working time.
                    let just_before = to.checked_sub(SignedDuration::from_nanos(1)).unwrap();
                    prop_assert!(cal.elapsed(from, just_before) < d);
                    prop_assert!(cal.is_working(just_before));
                }
            }
            Err(CalendarError::NoWorkingTime { .. }) => {
                // Only calendars that run dry give up: less than `d` is left.
                let decade_later = from.checked_add(SignedDuration::from_hours(24 * 4000)).unwrap();
                prop_assert!(cal.elapsed(from, decade_later) < d);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn add_is_monotonic_and_composes(spec in spec(ZONES, quarter_hours), from in when(), d1 in 0i64..500 * 60, d2 in 0i64..500 * 60) {
        let cal = Calendar::new(&spec).unwrap();
        let from = instant(cal.time_zone(), &from);
        let (d1, d2) = (SignedDuration::from_mins(d1), SignedDuration::from_mins(d2));
        // Calendars whose only working time is a few make-up days run dry.
        let (Ok(t1), Ok(t12)) = (cal.add(from, d1), cal.add(from, d1 + d2)) else {
            return Ok(());
        };
        prop_assert!(t1 <= t12);
        prop_assert_eq!(cal.add(t1, d2).unwrap(), t12);
    }

    #[test]
    fn a_24_7_calendar_counts_wall_time(zone in select(ZONES), a in when(), b in when(), secs in 0i64..90 * 86_400) {
        let tz = TimeZone::get(zone).unwrap();
        let always = Calendar::always(tz.clone());
        let full_day = vec![["00:00".to_string(), "24:00".to_string()]];
        let spec = CalendarSpec {
            time_zone: zone.into(),
            week: WeekSpec { mon: full_day.clone(), tue: full_day.clone(), wed: full_day.clone(), thu: full_day.clone(), fri: full_day.clone(), sat: full_day.clone(), sun: full_day },
            make_up_hours: None,
            holidays: vec![],
            workdays: vec![],
        };
        let every_day = Calendar::new(&spec).unwrap();
        let [a, b] = { let mut t = [instant(&tz, &a), instant(&tz, &b)]; t.sort(); t };
        let d = SignedDuration::from_secs(secs);
        for cal in [&always, &every_day] {
            prop_assert_eq!(cal.elapsed(a, b), b.duration_since(a));
            prop_assert!(cal.is_working(a));
            prop_assert_eq!(cal.add(a, d).unwrap(), a.checked_add(d).unwrap());
        }
    }

    #[test]
    fn is_working_agrees_with_elapsed(spec in spec(ZONES, quarter_hours), at in when()) {
        let cal = Calendar::new(&spec).unwrap();
        let at = instant(cal.time_zone(), &at);
        let tick = SignedDuration::from_nanos(1);
        let next = at.checked_add(tick).unwrap();
        prop_assert_eq!(cal.is_working(at), cal.elapsed(at, next) == tick);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn elapsed_matches_a_minute_by_minute_scan_of_the_wall_clock(
        spec in spec(ZONES, quarter_hours), from in shortly_before_a_transition(), minutes in 0i64..3 * 1_440
    ) {
        let cal = Calendar::new(&spec).unwrap();
        let from = instant(cal.time_zone(), &from);
        // Whole minutes, so every minute is either in or out.
        let from = Timestamp::from_second(from.as_second() / 60 * 60).unwrap();
        let to = from.checked_add(SignedDuration::from_mins(minutes)).unwrap();
        let expected = oracle_minutes(&spec, cal.time_zone(), from, minutes);
        prop_assert_eq!(cal.elapsed(from, to), SignedDuration::from_mins(expected));
    }
}
