use super::*;

pub(super) fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn hours(list: &[(&str, &str)]) -> Vec<Interval> {
    list.iter()
        .map(|(a, b)| [a.to_string(), b.to_string()])
        .collect()
}

fn hours_(d: i64) -> SignedDuration {
    SignedDuration::from_hours(d)
}

fn mins(d: i64) -> SignedDuration {
    SignedDuration::from_mins(d)
}

/// Monday to Friday with the given hours, weekends off.
fn weekdays(zone: &str, day: &[(&str, &str)]) -> CalendarSpec {
    let h = hours(day);
    CalendarSpec {
        time_zone: zone.into(),
        week: WeekSpec {
            mon: h.clone(),
            tue: h.clone(),
            wed: h.clone(),
            thu: h.clone(),
            fri: h,
            sat: vec![],
            sun: vec![],
        },
        make_up_hours: None,
        holidays: vec![],
        workdays: vec![],
    }
}

/// A Shanghai office: 09:00–12:00 and 13:30–18:00, with the 2026 National
/// Day holiday and its make-up days (9月20日 Sunday, 10月10日 Saturday).
fn shanghai_office() -> Calendar {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "12:00"), ("13:30", "18:00")]);
    spec.holidays.push(HolidaySpec {
        from: "2026-10-01".parse().unwrap(),
        to: "2026-10-07".parse().unwrap(),
        name: "国庆节".into(),
    });
    for date in ["2026-09-20", "2026-10-10"] {
        spec.workdays.push(WorkdaySpec {
            date: date.parse().unwrap(),
            name: "国庆节补班".into(),
        });
    }
    Calendar::new(&spec).unwrap()
}

/// Every day of the week has the same hours.
fn every_day(zone: &str, day: &[(&str, &str)]) -> Calendar {
    let mut spec = weekdays(zone, day);
    spec.week.sat = hours(day);
    spec.week.sun = hours(day);
    Calendar::new(&spec).unwrap()
}

fn new_err(spec: &CalendarSpec) -> CalendarError {
    Calendar::new(spec).unwrap_err()
}

#[test]
fn the_lunch_break_is_not_working_time() {
    let cal = shanghai_office();
    // Monday 2026-01-12, 11:00 to 14:00: 11–12 and 13:30–14.
    assert_eq!(
        cal.elapsed(
            at("2026-01-12T11:00:00+08:00"),
            at("2026-01-12T14:00:00+08:00")
        ),
        mins(90)
    );
    assert!(!cal.is_working(at("2026-01-12T12:30:00+08:00")));
    assert!(cal.is_working(at("2026-01-12T13:30:00+08:00")));
    assert!(
        !cal.is_working(at("2026-01-12T12:00:00+08:00")),
        "intervals end exclusively"
    );
    assert_eq!(
        cal.add(at("2026-01-12T11:30:00+08:00"), hours_(1)).unwrap(),
        at("2026-01-12T14:00:00+08:00")
    );
}

#[test]
fn friday_17_00_plus_two_business_hours_is_monday_10_00() {
    let cal = Calendar::new(&weekdays("Asia/Shanghai", &[("09:00", "18:00")])).unwrap();
    let friday = at("2026-01-09T17:00:00+08:00");
    let monday = at("2026-01-12T10:00:00+08:00");
    assert_eq!(cal.add(friday, hours_(2)).unwrap(), monday);
    assert_eq!(cal.elapsed(friday, monday), hours_(2));
}

#[test]
fn adding_ends_at_the_close_of_a_period_rather_than_the_next_opening() {
    let cal = Calendar::new(&weekdays("Asia/Shanghai", &[("09:00", "18:00")])).unwrap();
    assert_eq!(
        cal.add(at("2026-01-09T17:00:00+08:00"), hours_(1)).unwrap(),
        at("2026-01-09T18:00:00+08:00")
    );
}

#[test]
fn adding_from_outside_working_hours_starts_at_the_next_period() {
    let cal = shanghai_office();
    // Saturday 2026-01-10 10:00 + 1 h = Monday 10:00.
    assert_eq!(
        cal.add(at("2026-01-10T10:00:00+08:00"), hours_(1)).unwrap(),
        at("2026-01-12T10:00:00+08:00")
    );
    // From inside the lunch break: the afternoon opening.
    assert_eq!(
        cal.add(at("2026-01-12T12:10:00+08:00"), mins(30)).unwrap(),
        at("2026-01-12T14:00:00+08:00")
    );
}

#[test]
fn adding_nothing_is_the_start_and_adding_a_negative_duration_is_an_error() {
    let cal = shanghai_office();
    let saturday = at("2026-01-10T10:00:00+08:00");
    assert_eq!(cal.add(saturday, SignedDuration::ZERO).unwrap(), saturday);
    assert!(matches!(
        cal.add(saturday, mins(-1)),
        Err(CalendarError::NegativeDuration { .. })
    ));
}

#[test]
fn elapsed_is_zero_when_the_end_is_not_after_the_start() {
    let cal = shanghai_office();
    let a = at("2026-01-12T10:00:00+08:00");
    assert_eq!(cal.elapsed(a, a), SignedDuration::ZERO);
    assert_eq!(
        cal.elapsed(a, at("2026-01-12T09:30:00+08:00")),
        SignedDuration::ZERO
    );
}

#[test]
fn long_durations_walk_days_and_stay_exact() {
    let cal = shanghai_office();
    // 7.5 h a day, 5 days a week: 1 000 h from a Monday 09:00 ends 133
    // days and 2.5 h later, i.e. 26 weeks + 3 days + 2.5 h.
    let start = at("2026-01-05T09:00:00+08:00");
    let end = cal.add(start, hours_(1000)).unwrap();
    assert_eq!(cal.elapsed(start, end), hours_(1000));
    assert_eq!(end, at("2026-07-09T11:30:00+08:00"));
}

#[test]
fn a_holiday_week_has_no_working_time() {
    let cal = shanghai_office();
    // Wednesday 30 September 17:00 to Thursday 8 October 10:00: 1 h + 1 h.
    let before = at("2026-09-30T17:00:00+08:00");
    let after = at("2026-10-08T10:00:00+08:00");
    assert_eq!(cal.elapsed(before, after), hours_(2));
    assert_eq!(cal.add(before, hours_(2)).unwrap(), after);
    assert!(
        !cal.is_working(at("2026-10-05T10:00:00+08:00")),
        "a Monday in the holiday"
    );
}

#[test]
fn the_2026_national_day_make_up_saturday_counts_as_working() {
    let cal = shanghai_office();
    assert!(
        cal.is_working(at("2026-10-10T10:00:00+08:00")),
        "Saturday 10 October"
    );
    assert!(
        cal.is_working(at("2026-09-20T10:00:00+08:00")),
        "Sunday 20 September"
    );
    assert!(
        !cal.is_working(at("2026-10-17T10:00:00+08:00")),
        "an ordinary Saturday"
    );
    // Friday 9 October 17:00 + 2 h: 17–18, then Saturday 09–10.
    assert_eq!(
        cal.add(at("2026-10-09T17:00:00+08:00"), hours_(2)).unwrap(),
        at("2026-10-10T10:00:00+08:00")
    );
    // A make-up day has Monday's hours, lunch break included.
    assert!(!cal.is_working(at("2026-10-10T12:30:00+08:00")));
}

#[test]
fn make_up_days_use_make_up_hours_when_given() {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    spec.make_up_hours = Some(hours(&[("10:00", "15:00")]));
    spec.workdays.push(WorkdaySpec {
        date: "2026-10-10".parse().unwrap(),
        name: "国庆节补班".into(),
    });
    let cal = Calendar::new(&spec).unwrap();
    assert_eq!(
        cal.elapsed(
            at("2026-10-10T00:00:00+08:00"),
            at("2026-10-11T00:00:00+08:00")
        ),
        hours_(5)
    );
}

#[test]
fn overlapping_and_adjacent_holidays_merge() {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    for (from, to) in [
        ("2026-05-01", "2026-05-03"),
        ("2026-05-02", "2026-05-04"),
        ("2026-05-05", "2026-05-05"),
    ] {
        spec.holidays.push(HolidaySpec {
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            name: "劳动节".into(),
        });
    }
    let cal = Calendar::new(&spec).unwrap();
    // Friday 1 May to Tuesday 5 May are off; Wednesday 6 May is not.
    assert_eq!(
        cal.elapsed(
            at("2026-04-30T18:00:00+08:00"),
            at("2026-05-06T09:00:00+08:00")
        ),
        SignedDuration::ZERO
    );
    assert!(cal.is_working(at("2026-05-06T09:00:00+08:00")));
}

#[test]
fn berlin_spring_forward_day_has_one_hour_less_of_a_01_to_04_shift() {
    let cal = every_day("Europe/Berlin", &[("01:00", "04:00")]);
    let day = |d: &str| {
        let start = at(&format!("{d}T00:00:00+01:00"));
        cal.elapsed(start, start.checked_add(hours_(24)).unwrap())
    };
    assert_eq!(day("2026-03-22"), hours_(3));
    assert_eq!(
        day("2026-03-29"),
        hours_(2),
        "02:00 CET jumps to 03:00 CEST"
    );
    // Fall-back: 02:00–03:00 happens twice and is worked twice.
    let start = at("2026-10-25T00:00:00+02:00");
    assert_eq!(
        cal.elapsed(start, start.checked_add(hours_(25)).unwrap()),
        hours_(4)
    );
}

#[test]
fn a_boundary_inside_the_spring_gap_is_the_end_of_the_gap() {
    let cal = every_day("Europe/Berlin", &[("02:30", "04:00")]);
    let start = at("2026-03-29T00:00:00+01:00");
    // 02:30 never happens on 29 March; work starts when the clock jumps to 03:00.
    assert_eq!(
        cal.elapsed(start, start.checked_add(hours_(23)).unwrap()),
        hours_(1)
    );
    assert!(cal.is_working(at("2026-03-29T03:00:00+02:00")));
    assert!(!cal.is_working(at("2026-03-29T01:59:59+01:00")));
    assert_eq!(
        cal.add(start, mins(1)).unwrap(),
        at("2026-03-29T03:01:00+02:00")
    );
}

#[test]
fn a_boundary_inside_the_repeated_hour_is_its_first_occurrence() {
    let cal = every_day("Europe/Berlin", &[("00:00", "02:30")]);
    // 25 October: 00:00 CEST to the first 02:30 (CEST).
    let start = at("2026-10-25T00:00:00+02:00");
    assert_eq!(
        cal.elapsed(start, start.checked_add(hours_(25)).unwrap()),
        mins(150)
    );
    assert!(cal.is_working(at("2026-10-25T02:29:00+02:00")));
    assert!(
        !cal.is_working(at("2026-10-25T02:29:00+01:00")),
        "the second 02:29"
    );
}

#[test]
fn lord_howe_springs_forward_by_half_an_hour() {
    let cal = every_day("Australia/Lord_Howe", &[("01:00", "04:00")]);
    let start = at("2026-10-04T00:00:00+10:30");
    assert_eq!(
        cal.elapsed(start, at("2026-10-05T00:00:00+11:00")),
        mins(150),
        "02:00 jumps to 02:30"
    );
    // April: 02:00 falls back to 01:30, so 01:30–02:00 is worked twice.
    let start = at("2026-04-05T00:00:00+11:00");
    assert_eq!(
        cal.elapsed(start, at("2026-04-06T00:00:00+10:30")),
        mins(210)
    );
}

#[test]
fn a_day_that_falls_back_at_midnight_keeps_its_repeated_last_hour() {
    // Santiago ends DST at 24:00 on Saturday 4 April 2026: the clock goes
    // back to 23:00, so Saturday's last hour happens twice and Sunday's
    // 00:00 comes only once, after it. Saturday's 23:00–24:00 shift covers
    // both occurrences.
    let cal = every_day(
        "America/Santiago",
        &[("00:00", "01:00"), ("23:00", "24:00")],
    );
    let saturday_23 = at("2026-04-04T23:00:00-03:00");
    let repeated_23 = at("2026-04-04T23:00:00-04:00");
    assert!(cal.is_working(saturday_23));
    assert!(cal.is_working(repeated_23));
    // 23:00 (-03) to 01:00 (-04) on Sunday: three hours of wall time, all worked.
    assert_eq!(
        cal.elapsed(saturday_23, at("2026-04-05T01:00:00-04:00")),
        hours_(3)
    );
    assert_eq!(
        cal.add(saturday_23, hours_(3)).unwrap(),
        at("2026-04-05T01:00:00-04:00")
    );
}

#[test]
fn a_day_that_springs_forward_at_midnight_starts_at_the_transition() {
    // Santiago starts DST at 00:00 on Sunday 6 September 2026: 00:00 (-04)
    // becomes 01:00 (-03), so Sunday's 00:00–02:00 shift is one hour long.
    let cal = every_day("America/Santiago", &[("00:00", "02:00")]);
    assert_eq!(
        cal.elapsed(
            at("2026-09-05T12:00:00-04:00"),
            at("2026-09-06T12:00:00-03:00")
        ),
        hours_(1)
    );
    assert!(cal.is_working(at("2026-09-06T01:00:00-03:00")));
}

#[test]
fn a_24_7_calendar_counts_wall_time() {
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let always = Calendar::always(berlin);
    let full = every_day("Europe/Berlin", &[("00:00", "24:00")]);
    let (a, b) = (
        at("2026-03-28T12:00:00+01:00"),
        at("2026-03-30T12:00:00+02:00"),
    );
    assert_eq!(always.elapsed(a, b), hours_(47));
    assert_eq!(full.elapsed(a, b), hours_(47));
    assert!(always.is_working(a));
    assert_eq!(always.add(a, hours_(47)).unwrap(), b);
    assert_eq!(full.add(a, hours_(47)).unwrap(), b);
}

#[test]
fn a_calendar_without_working_time_gives_up_after_ten_years() {
    let cal = Calendar::new(&weekdays("Asia/Shanghai", &[])).unwrap();
    assert!(matches!(
        cal.add(at("2026-01-01T00:00:00Z"), mins(1)),
        Err(CalendarError::NoWorkingTime { .. })
    ));
    assert!(!cal.is_working(at("2026-01-01T00:00:00Z")));
    assert_eq!(
        cal.elapsed(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")),
        SignedDuration::ZERO
    );
}

#[test]
fn the_spec_reads_its_json_form() {
    let json = r#"{"time_zone": "Asia/Shanghai",
        "week": {"mon": [["09:00","12:00"],["13:30","18:00"]], "tue": [["09:00","18:00"]], "sat": [], "sun": []},
        "holidays": [{"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节"}],
        "workdays": [{"date": "2026-10-10", "name": "国庆节补班"}]}"#;
    let spec: CalendarSpec = serde_json::from_str(json).unwrap();
    assert_eq!(spec.week.mon.len(), 2);
    assert!(spec.week.wed.is_empty(), "a day left out has no hours");
    assert_eq!(spec.workdays[0].name, "国庆节补班");
    let cal = Calendar::new(&spec).unwrap();
    assert!(cal.is_working(at("2026-10-10T09:00:00+08:00")));
    let back: CalendarSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(back, spec);
    // Misspelt days are errors, not silently closed days.
    let typo = r#"{"time_zone": "Asia/Shanghai", "week": {"monday": [["09:00","18:00"]]}}"#;
    assert!(serde_json::from_str::<CalendarSpec>(typo).is_err());
}

#[test]
fn an_unknown_time_zone_is_named() {
    let err = new_err(&weekdays("Mars/Olympus", &[("09:00", "18:00")]));
    assert_eq!(
        err,
        CalendarError::UnknownTimeZone {
            name: "Mars/Olympus".into()
        }
    );
    assert_eq!(err.to_string(), "unknown time zone `Mars/Olympus`");
}

#[test]
fn times_must_be_hh_mm_up_to_24_00() {
    for bad in [
        "9:00", "09:60", "24:30", "25:00", "09:00:00", "0900", "ab:cd", "+9:00",
    ] {
        let err = new_err(&weekdays("Asia/Shanghai", &[(bad, "18:00")]));
        assert_eq!(
            err,
            CalendarError::InvalidTime {
                day: "mon".into(),
                text: bad.into()
            },
            "{bad}"
        );
    }
    assert!(Calendar::new(&weekdays("Asia/Shanghai", &[("22:00", "24:00")])).is_ok());
}

#[test]
fn an_interval_must_end_after_it_starts() {
    let err = new_err(&weekdays("Asia/Shanghai", &[("18:00", "09:00")]));
    assert!(matches!(err, CalendarError::EmptyInterval { ref day, .. } if day == "mon"));
    assert!(err.to_string().contains("18:00–09:00"), "{err}");
    let err = new_err(&weekdays("Asia/Shanghai", &[("24:00", "24:00")]));
    assert!(matches!(err, CalendarError::EmptyInterval { .. }));
}

#[test]
fn a_day_s_intervals_must_be_ordered_and_must_not_overlap() {
    let err = new_err(&weekdays(
        "Asia/Shanghai",
        &[("09:00", "12:30"), ("12:00", "18:00")],
    ));
    assert_eq!(
        err,
        CalendarError::OverlappingIntervals {
            day: "mon".into(),
            first: "12:30".into(),
            second: "12:00".into()
        }
    );
    let err = new_err(&weekdays(
        "Asia/Shanghai",
        &[("13:00", "18:00"), ("09:00", "12:00")],
    ));
    assert!(matches!(err, CalendarError::OverlappingIntervals { .. }));
    // Touching intervals are fine.
    assert!(
        Calendar::new(&weekdays(
            "Asia/Shanghai",
            &[("09:00", "12:00"), ("12:00", "18:00")]
        ))
        .is_ok()
    );
}

#[test]
fn a_holiday_must_not_end_before_it_starts() {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    spec.holidays.push(HolidaySpec {
        from: "2026-10-07".parse().unwrap(),
        to: "2026-10-01".parse().unwrap(),
        name: "国庆节".into(),
    });
    let err = new_err(&spec);
    assert!(matches!(err, CalendarError::InvertedHoliday { ref name, .. } if name == "国庆节"));
}

#[test]
fn a_date_cannot_be_both_a_holiday_and_a_make_up_day() {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    spec.holidays.push(HolidaySpec {
        from: "2026-10-01".parse().unwrap(),
        to: "2026-10-07".parse().unwrap(),
        name: "国庆节".into(),
    });
    spec.workdays.push(WorkdaySpec {
        date: "2026-10-03".parse().unwrap(),
        name: "补班".into(),
    });
    let err = new_err(&spec);
    assert_eq!(
        err.to_string(),
        "2026-10-03 is both a holiday (`国庆节`) and a make-up working day (`补班`)"
    );
}

#[test]
fn make_up_days_need_hours() {
    let mut spec = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    spec.week.mon.clear();
    spec.workdays.push(WorkdaySpec {
        date: "2026-10-10".parse().unwrap(),
        name: "国庆节补班".into(),
    });
    assert!(matches!(
        new_err(&spec),
        CalendarError::MakeUpDayWithoutHours { .. }
    ));
    spec.make_up_hours = Some(hours(&[("09:00", "18:00")]));
    assert!(Calendar::new(&spec).is_ok());
}

/// The 2026 National Day as a Chinese holiday calendar publishes it: one
/// event per holiday span and per make-up day, long lines folded at 75
/// octets, a `(班)` marker or a category for the make-up days.
const NATIONAL_DAY_2026: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//China Holidays//CN\r\n\
X-WR-CALNAME:中国法定节假日\r\n\
X-WR-TIMEZONE:Asia/Shanghai\r\n\
BEGIN:VEVENT\r\n\
UID:2026-0920-work@holidays.example\r\n\
DTSTART;VALUE=DATE:20260920\r\n\
DTEND;VALUE=DATE:20260921\r\n\
SUMMARY:国庆节（班）\r\n\
TRANSP:OPAQUE\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:2026-1001-holiday@holidays.example\r\n\
DTSTART;VALUE=DATE:20261001\r\n\
DTEND;VALUE=DATE:20261008\r\n\
SUMMARY:国庆节（休）\r\n\
DESCRIPTION:10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）\r\n \
、10月10日（周六）上班。\r\n\
CATEGORIES:假期\r\n\
TRANSP:TRANSPARENT\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:2026-1010-work@holidays.example\r\n\
DTSTART;VALUE=DATE:20261010\r\n\
SUMMARY:国庆节\r\n \
补班\r\n\
CATEGORIES:上班\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn a_chinese_holiday_calendar_imports_holidays_and_make_up_days() {
    let base = weekdays("Asia/Shanghai", &[("09:00", "12:00"), ("13:30", "18:00")]);
    let spec = Calendar::from_ical(NATIONAL_DAY_2026, base).unwrap();
    assert_eq!(
        spec.holidays,
        vec![HolidaySpec {
            from: "2026-10-01".parse().unwrap(),
            to: "2026-10-07".parse().unwrap(),
            name: "国庆节（休）".into(),
        }]
    );
    let workdays: Vec<(String, String)> = spec
        .workdays
        .iter()
        .map(|w| (w.date.to_string(), w.name.clone()))
        .collect();
    assert_eq!(
        workdays,
        vec![
            ("2026-09-20".into(), "国庆节（班）".into()),
            ("2026-10-10".into(), "国庆节补班".into()),
        ]
    );
    let cal = Calendar::new(&spec).unwrap();
    assert!(cal.is_working(at("2026-10-10T10:00:00+08:00")));
    assert!(!cal.is_working(at("2026-10-08T08:00:00+08:00")));
    assert!(!cal.is_working(at("2026-10-07T10:00:00+08:00")));
    assert!(
        cal.is_working(at("2026-10-08T10:00:00+08:00")),
        "DTEND is exclusive"
    );
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let base = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    let once = Calendar::from_ical(NATIONAL_DAY_2026, base).unwrap();
    let twice = Calendar::from_ical(NATIONAL_DAY_2026.as_bytes(), once.clone()).unwrap();
    assert_eq!(once, twice);
}

#[test]
fn an_import_that_contradicts_the_base_calendar_is_refused() {
    let mut base = weekdays("Asia/Shanghai", &[("09:00", "18:00")]);
    base.workdays.push(WorkdaySpec {
        date: "2026-10-02".parse().unwrap(),
        name: "值班".into(),
    });
    assert!(matches!(
        Calendar::from_ical(NATIONAL_DAY_2026, base),
        Err(CalendarError::HolidayAndWorkday { .. })
    ));
}

#[test]
fn a_long_holiday_list_imports_whole_with_each_date_once() {
    // Twenty years of daily entries, each listed twice: the import checks
    // every entry against what is there in constant time.
    let first: Date = "2030-01-01".parse().unwrap();
    let mut ics = String::from("BEGIN:VCALENDAR\r\n");
    let mut date = first;
    for i in 0..7300 {
        let kind = if i % 10 == 0 { "WORKDAY" } else { "HOLIDAY" };
        let day = date.strftime("%Y%m%d");
        for _ in 0..2 {
            ics.push_str(&format!(
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{day}\r\nSUMMARY:day {i}\r\nCATEGORIES:{kind}\r\nEND:VEVENT\r\n"
            ));
        }
        date = date.tomorrow().unwrap();
    }
    ics.push_str("END:VCALENDAR\r\n");
    let spec = Calendar::from_ical(&ics, weekdays("Asia/Shanghai", &[("09:00", "18:00")])).unwrap();
    assert_eq!((spec.holidays.len(), spec.workdays.len()), (6570, 730));
    let cal = Calendar::new(&spec).unwrap();
    assert!(
        cal.is_working(at("2030-01-01T10:00:00+08:00")),
        "a make-up day"
    );
    assert!(
        !cal.is_working(at("2030-01-02T10:00:00+08:00")),
        "a holiday"
    );
}

#[test]
fn targets_longer_than_a_year_are_refused() {
    use crate::domain::sla::{MAX_TARGET_MINUTES, check_target_minutes};
    assert!(check_target_minutes(MAX_TARGET_MINUTES).is_ok());
    assert!(check_target_minutes(MAX_TARGET_MINUTES + 1).is_err());
    assert!(check_target_minutes(0).is_err());
}
