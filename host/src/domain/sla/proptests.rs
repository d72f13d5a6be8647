//! Property tests of SLA clocks over random timelines, in business time on
//! calendars in zones with daylight-saving time and in calendar time.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::tests::at;
use super::*;
use crate::domain::calendar::{Calendar, CalendarSpec};
use crate::domain::{Category, SlaMetric};

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Shanghai",
];

/// Office hours on weekdays and a night shift across the DST hours on
/// weekends (transitions happen on weekend nights), with a holiday.
fn office(zone: &str) -> Calendar {
    let day = r#"[["09:00","12:00"],["13:30","18:00"]]"#;
    let night = r#"[["00:00","01:00"],["01:30","03:15"],["22:00","24:00"]]"#;
    let json = format!(
        r#"{{"time_zone": "{zone}",
            "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": {night}, "sun": {night}}},
            "holidays": [{{"from": "2026-10-01", "to": "2026-10-07", "name": "holiday"}}],
            "workdays": [{{"date": "2026-10-10", "name": "make-up"}}]}}"#
    );
    let spec: CalendarSpec = serde_json::from_str(&json).unwrap();
    Calendar::new(&spec).unwrap()
}

/// A random ticket: created near a DST transition or anywhere in 2026–2027,
/// then a few category changes minutes to days apart.
#[derive(Debug, Clone)]
struct Story {
    zone: &'static str,
    created_offset_mins: i64,
    near_transition: bool,
    steps: Vec<(i64, Category)>,
    handling_after: Option<i64>,
    on_site_after: Option<i64>,
}

fn story() -> impl Strategy<Value = Story> {
    let category = prop_oneof![
        4 => Just(Category::Active),
        4 => Just(Category::Waiting),
        1 => Just(Category::Resolved),
        1 => Just(Category::Closed),
        1 => Just(Category::Cancelled),
    ];
    (
        select(ZONES),
        0i64..730 * 1_440,
        any::<bool>(),
        vec((0i64..3 * 1_440, category), 0..8),
        proptest::option::of(0i64..4 * 1_440),
        proptest::option::of(0i64..6 * 1_440),
    )
        .prop_map(
            |(zone, created_offset_mins, near_transition, steps, handling_after, on_site_after)| {
                Story {
                    zone,
                    created_offset_mins,
                    near_transition,
                    steps,
                    handling_after,
                    on_site_after,
                }
            },
        )
}

fn plus(t: Timestamp, minutes: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_mins(minutes)).unwrap()
}

fn timeline(story: &Story) -> Timeline {
    let zone = TimeZone::get(story.zone).unwrap();
    let start = at("2026-01-01T00:00:00Z");
    let transitions: Vec<Timestamp> = zone
        .following(start)
        .map(|t| t.timestamp())
        .take_while(|t| *t < at("2028-01-01T00:00:00Z"))
        .collect();
    let created = if story.near_transition && !transitions.is_empty() {
        let i = usize::try_from(story.created_offset_mins).unwrap() % transitions.len();
        plus(transitions[i], -(story.created_offset_mins % (3 * 1_440)))
    } else {
        plus(start, story.created_offset_mins)
    };
    let mut phases = vec![(created, Category::New)];
    let mut t = created;
    for (gap, category) in &story.steps {
        t = plus(t, *gap);
        phases.push((t, *category));
    }
    let resolved_at = phases
        .iter()
        .find(|(_, c)| *c == Category::Resolved)
        .map(|(at, _)| *at);
    Timeline {
        created_at: created,
        phases,
        handling_started_at: story.handling_after.map(|m| plus(created, m)),
        resolved_at,
        on_site_at: story.on_site_after.map(|m| plus(created, m)),
    }
}

fn metric() -> impl Strategy<Value = SlaMetric> {
    select(vec![
        SlaMetric::Response,
        SlaMetric::Resolution,
        SlaMetric::OnSite,
    ])
}

/// Every instant at which something in the timeline happens.
fn events(t: &Timeline) -> Vec<Timestamp> {
    let mut all: Vec<Timestamp> = t.phases.iter().map(|(at, _)| *at).collect();
    all.extend(
        [t.handling_started_at, t.resolved_at, t.on_site_at]
            .into_iter()
            .flatten(),
    );
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn elapsed_never_decreases_and_a_breach_is_final(
        story in story(), metric in metric(), minutes in 1u32..3_000, business_time in any::<bool>(),
        n1 in 0i64..10 * 1_440, n2 in 0i64..10 * 1_440,
    ) {
        let t = timeline(&story);
        let cal = office(story.zone);
        let target = Target { metric, minutes, business_time };
        let (n1, n2) = (n1.min(n2), n1.max(n2));
        let (earlier, later) = (
            clock(&target, &t, &cal, plus(t.created_at, n1)),
            clock(&target, &t, &cal, plus(t.created_at, n2)),
        );
        prop_assert!(earlier.elapsed() <= later.elapsed());
        if earlier.outcome() != Outcome::Pending {
            prop_assert_eq!(earlier.outcome(), later.outcome(), "outcomes are final");
        }
        // What was reached stays where it was.
        for p in [50, 75, 100] {
            if let Some(reached) = earlier.at_percent(p).filter(|r| *r <= plus(t.created_at, n1)) {
                prop_assert_eq!(later.at_percent(p), Some(reached));
            }
        }
    }

    #[test]
    fn re_targeting_keeps_elapsed_and_orders_deadlines_by_target(
        story in story(), metric in metric(), a in 1u32..3_000, b in 1u32..3_000, business_time in any::<bool>(),
        n in 0i64..10 * 1_440,
    ) {
        let t = timeline(&story);
        let cal = office(story.zone);
        let now = plus(t.created_at, n);
        let (short, long) = (a.min(b), a.max(b));
        let c_short = clock(&Target { metric, minutes: short, business_time }, &t, &cal, now);
        let c_long = clock(&Target { metric, minutes: long, business_time }, &t, &cal, now);
        prop_assert_eq!(c_short.elapsed(), c_long.elapsed());
        prop_assert_eq!(c_short.state(), c_long.state());
        prop_assert!(c_short.percent() >= c_long.percent());
        if let (Some(d_short), Some(d_long)) = (c_short.due_at(), c_long.due_at()) {
            prop_assert!(d_short <= d_long);
        }
        // The thresholds come in order.
        let marks: Vec<Option<Timestamp>> = [0, 50, 75, 100].iter().map(|p| c_long.at_percent(*p)).collect();
        for pair in marks.windows(2) {
            if let (Some(x), Some(y)) = (pair[0], pair[1]) {
                prop_assert!(x <= y);
            }
        }
    }
}

proptest! {
    // Only a running clock is in question, and about four stories in five
    // have stopped or paused theirs by the first instant: many draws are
    // set aside, so allow for them.
    #![proptest_config(ProptestConfig {
        cases: 300,
        max_global_rejects: 20_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn while_running_the_deadline_holds_still_and_the_remainder_shrinks_by_the_time_that_passes(
        story in story(), metric in metric(), minutes in 1u32..3_000, business_time in any::<bool>(),
        n1 in 0i64..10 * 1_440, gap in 0i64..2 * 1_440,
    ) {
        let t = timeline(&story);
        let cal = office(story.zone);
        let target = Target { metric, minutes, business_time };
        let now1 = plus(t.created_at, n1);
        // Stop short of the next event, so the clock runs throughout.
        let next_event = events(&t).into_iter().filter(|e| *e > now1).min();
        let now2 = next_event
            .map(|e| e.checked_sub(SignedDuration::from_secs(1)).unwrap())
            .map_or(plus(now1, gap), |before| before.min(plus(now1, gap)))
            .max(now1);
        let (c1, c2) = (clock(&target, &t, &cal, now1), clock(&target, &t, &cal, now2));
        prop_assume!(c1.state() == ClockState::Running);
        prop_assert_eq!(c2.state(), ClockState::Running);
        let measure = if business_time { cal.clone() } else { Calendar::always(cal.time_zone().clone()) };
        let passed = measure.elapsed(now1, now2);
        prop_assert_eq!(c2.elapsed() - c1.elapsed(), passed);
        let (due1, due2) = (c1.due_at().unwrap(), c2.due_at().unwrap());
        prop_assert_eq!(due1, due2);
        // due − now, in the target's kind of time, is exactly what is left.
        for (c, now, due) in [(&c1, now1, due1), (&c2, now2, due2)] {
            if c.outcome() == Outcome::Pending {
                prop_assert_eq!(measure.elapsed(now, due), c.target() - c.elapsed());
            }
        }
        if c1.outcome() == Outcome::Pending && c2.outcome() == Outcome::Pending {
            prop_assert_eq!(measure.elapsed(now1, due1) - measure.elapsed(now2, due2), passed);
        }
    }
}
