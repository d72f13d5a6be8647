use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::domain::calendar::{Calendar, CalendarSpec};
use crate::domain::{Category, SlaMetric};

pub(super) fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// Shanghai, 09:00–12:00 and 13:30–18:00 on weekdays, the 2026 National Day
/// off and its make-up days worked.
pub(super) fn shanghai_office() -> Calendar {
    let spec: CalendarSpec = serde_json::from_str(
        r#"{"time_zone": "Asia/Shanghai",
            "week": {"mon": [["09:00","12:00"],["13:30","18:00"]], "tue": [["09:00","12:00"],["13:30","18:00"]],
                     "wed": [["09:00","12:00"],["13:30","18:00"]], "thu": [["09:00","12:00"],["13:30","18:00"]],
                     "fri": [["09:00","12:00"],["13:30","18:00"]], "sat": [], "sun": []},
            "holidays": [{"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节"}],
            "workdays": [{"date": "2026-09-20", "name": "国庆节补班"}, {"date": "2026-10-10", "name": "国庆节补班"}]}"#,
    )
    .unwrap();
    Calendar::new(&spec).unwrap()
}

fn shanghai_24_7() -> Calendar {
    Calendar::always(TimeZone::get("Asia/Shanghai").unwrap())
}

fn target(metric: SlaMetric, minutes: u32, business_time: bool) -> Target {
    Target {
        metric,
        minutes,
        business_time,
    }
}

/// A ticket created at `created`, with category changes at the given instants.
fn ticket(created: &str, changes: &[(&str, Category)]) -> Timeline {
    let mut phases = vec![(at(created), Category::New)];
    phases.extend(changes.iter().map(|(t, c)| (at(t), *c)));
    Timeline {
        created_at: at(created),
        phases,
        handling_started_at: None,
        resolved_at: None,
        on_site_at: None,
    }
}

#[test]
fn response_runs_from_creation_to_the_start_of_handling() {
    let mut t = ticket("2026-01-12T09:00:00+08:00", &[]);
    t.handling_started_at = Some(at("2026-01-12T09:40:00+08:00"));
    let c = clock(
        &target(SlaMetric::Response, 60, false),
        &t,
        &shanghai_24_7(),
        at("2026-01-12T12:00:00+08:00"),
    );
    assert_eq!(c.state(), ClockState::Stopped);
    assert_eq!(c.outcome(), Outcome::Met);
    assert_eq!(c.started_at(), Some(at("2026-01-12T09:00:00+08:00")));
    assert_eq!(c.stopped_at(), Some(at("2026-01-12T09:40:00+08:00")));
    assert_eq!(c.elapsed(), mins(40));
    assert_eq!(c.due_at(), None, "a stopped clock is due at nothing");
}

#[test]
fn resolution_runs_from_the_start_of_handling_not_from_creation() {
    let cal = shanghai_24_7();
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T13:00:00+08:00", Category::Resolved)],
    );
    let resolution = target(SlaMetric::Resolution, 180, false);

    let before = clock(&resolution, &t, &cal, at("2026-01-12T10:00:00+08:00"));
    assert_eq!(before.state(), ClockState::NotStarted);
    assert_eq!(before.elapsed(), SignedDuration::ZERO);
    assert_eq!((before.due_at(), before.at_percent(50)), (None, None));

    t.handling_started_at = Some(at("2026-01-12T11:00:00+08:00"));
    t.resolved_at = Some(at("2026-01-12T13:00:00+08:00"));
    let after = clock(&resolution, &t, &cal, at("2026-01-12T14:00:00+08:00"));
    assert_eq!(after.started_at(), Some(at("2026-01-12T11:00:00+08:00")));
    assert_eq!(
        after.elapsed(),
        mins(120),
        "not the four hours since creation"
    );
    assert_eq!(after.outcome(), Outcome::Met);
}

#[test]
fn on_site_runs_from_creation_to_arrival() {
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T09:10:00+08:00", Category::Active)],
    );
    t.handling_started_at = Some(at("2026-01-12T09:10:00+08:00"));
    t.on_site_at = Some(at("2026-01-12T14:00:00+08:00"));
    let c = clock(
        &target(SlaMetric::OnSite, 240, false),
        &t,
        &shanghai_24_7(),
        at("2026-01-12T15:00:00+08:00"),
    );
    assert_eq!(c.elapsed(), mins(300));
    assert_eq!(c.outcome(), Outcome::Breached);
    assert_eq!(c.at_percent(100), Some(at("2026-01-12T13:00:00+08:00")));
}

#[test]
fn a_paused_clock_resumes_and_its_deadline_moves_by_the_waiting_time() {
    let cal = shanghai_24_7();
    let response = target(SlaMetric::Response, 240, false);
    let t = ticket(
        "2026-01-12T10:00:00+08:00",
        &[
            ("2026-01-12T11:00:00+08:00", Category::Waiting),
            ("2026-01-12T13:00:00+08:00", Category::Active),
        ],
    );
    let before = clock(&response, &t, &cal, at("2026-01-12T10:30:00+08:00"));
    assert_eq!(before.due_at(), Some(at("2026-01-12T14:00:00+08:00")));

    let paused = clock(&response, &t, &cal, at("2026-01-12T12:00:00+08:00"));
    assert_eq!(paused.state(), ClockState::Paused);
    assert_eq!(paused.elapsed(), mins(60), "waiting time is not counted");
    assert_eq!(paused.due_at(), None);

    let resumed = clock(&response, &t, &cal, at("2026-01-12T13:30:00+08:00"));
    assert_eq!(resumed.state(), ClockState::Running);
    assert_eq!(resumed.elapsed(), mins(90));
    // Two hours of waiting move the deadline by exactly two hours.
    assert_eq!(resumed.due_at(), Some(at("2026-01-12T16:00:00+08:00")));
}

#[test]
fn a_paused_business_time_clock_moves_its_deadline_by_the_business_time_of_the_wait() {
    let cal = shanghai_office();
    let response = target(SlaMetric::Response, 240, true);
    let created = "2026-01-12T10:00:00+08:00";
    // Without waiting: 10–12 and 13:30–15:30.
    let plain = clock(
        &response,
        &ticket(created, &[]),
        &cal,
        at("2026-01-12T10:30:00+08:00"),
    );
    assert_eq!(plain.due_at(), Some(at("2026-01-12T15:30:00+08:00")));
    // Waiting 11:00–14:00 spans the lunch break: 1 h + 0.5 h of business time.
    let t = ticket(
        created,
        &[
            ("2026-01-12T11:00:00+08:00", Category::Waiting),
            ("2026-01-12T14:00:00+08:00", Category::Active),
        ],
    );
    let resumed = clock(&response, &t, &cal, at("2026-01-12T14:30:00+08:00"));
    assert_eq!(resumed.elapsed(), mins(90));
    let due = resumed.due_at().unwrap();
    assert_eq!(due, at("2026-01-12T17:00:00+08:00"));
    assert_eq!(
        cal.elapsed(plain.due_at().unwrap(), due),
        cal.elapsed(
            at("2026-01-12T11:00:00+08:00"),
            at("2026-01-12T14:00:00+08:00")
        )
    );
}

#[test]
fn a_clock_paused_when_its_warning_would_fall_due_warns_only_after_resuming() {
    let cal = shanghai_24_7();
    let response = target(SlaMetric::Response, 60, false);
    // Running 10:00–10:20, waiting 10:20–11:40, running again.
    let t = ticket(
        "2026-01-12T10:00:00+08:00",
        &[
            ("2026-01-12T10:20:00+08:00", Category::Waiting),
            ("2026-01-12T11:40:00+08:00", Category::Active),
        ],
    );
    let running = clock(&response, &t, &cal, at("2026-01-12T10:10:00+08:00"));
    assert_eq!(
        running.next_threshold(&[50, 75, 100]),
        Some((50, at("2026-01-12T10:30:00+08:00")))
    );

    // 10:30, when the 50 % warning was due: paused at a third, nothing due.
    let paused = clock(&response, &t, &cal, at("2026-01-12T10:30:00+08:00"));
    assert_eq!(paused.state(), ClockState::Paused);
    assert_eq!(paused.elapsed(), mins(20));
    assert!((paused.percent() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(paused.at_percent(50), None);
    assert_eq!(paused.next_threshold(&[50, 75, 100]), None);
    assert_eq!(paused.outcome(), Outcome::Pending);

    // Resumed at 11:40: 50 % at 11:50, 75 % at 12:05, breach at 12:20.
    let resumed = clock(&response, &t, &cal, at("2026-01-12T11:45:00+08:00"));
    assert_eq!(
        resumed.next_threshold(&[50, 75, 100]),
        Some((50, at("2026-01-12T11:50:00+08:00")))
    );
    assert_eq!(
        resumed.at_percent(75),
        Some(at("2026-01-12T12:05:00+08:00"))
    );
    assert_eq!(resumed.due_at(), Some(at("2026-01-12T12:20:00+08:00")));
}

#[test]
fn warnings_fall_at_50_and_75_percent_and_the_breach_at_100() {
    let cal = shanghai_24_7();
    let response = target(SlaMetric::Response, 480, false);
    let t = ticket("2026-01-12T08:00:00+08:00", &[]);
    let thresholds = [50, 75, 100];

    let early = clock(&response, &t, &cal, at("2026-01-12T09:00:00+08:00"));
    assert_eq!(early.at_percent(50), Some(at("2026-01-12T12:00:00+08:00")));
    assert_eq!(early.at_percent(75), Some(at("2026-01-12T14:00:00+08:00")));
    assert_eq!(early.at_percent(100), Some(at("2026-01-12T16:00:00+08:00")));
    assert_eq!(
        early.next_threshold(&thresholds),
        Some((50, at("2026-01-12T12:00:00+08:00")))
    );

    // At the 50 % instant itself it counts as reached: the timer fired.
    let warned = clock(&response, &t, &cal, at("2026-01-12T12:00:00+08:00"));
    assert_eq!(warned.percent(), 50.0);
    assert_eq!(
        warned.next_threshold(&thresholds),
        Some((75, at("2026-01-12T14:00:00+08:00")))
    );

    let late = clock(&response, &t, &cal, at("2026-01-12T16:30:00+08:00"));
    assert_eq!(late.outcome(), Outcome::Breached);
    assert_eq!(late.next_threshold(&thresholds), None);
    assert_eq!(
        late.at_percent(50),
        Some(at("2026-01-12T12:00:00+08:00")),
        "reached instants stay put"
    );
    assert_eq!(
        late.due_at(),
        Some(at("2026-01-12T16:00:00+08:00")),
        "overdue since 16:00"
    );
    assert!((late.percent() - 106.25).abs() < 1e-9);
}

#[test]
fn re_targeting_from_p3_to_p1_keeps_elapsed_and_brings_the_breach_forward() {
    let cal = shanghai_office();
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T09:30:00+08:00", Category::Active)],
    );
    t.handling_started_at = Some(at("2026-01-12T09:30:00+08:00"));
    let now = at("2026-01-12T10:30:00+08:00");
    let p3 = clock(&target(SlaMetric::Resolution, 8 * 60, true), &t, &cal, now);
    let p1 = clock(&target(SlaMetric::Resolution, 2 * 60, true), &t, &cal, now);
    assert_eq!(p1.elapsed(), p3.elapsed());
    assert_eq!(p1.elapsed(), mins(60));
    // P3: 7 h left = 10:30–12 + 13:30–18 (6 h) + Tuesday 09–10. P1: 1 h left.
    assert_eq!(p3.due_at(), Some(at("2026-01-13T10:00:00+08:00")));
    assert_eq!(p1.due_at(), Some(at("2026-01-12T11:30:00+08:00")));
    assert_eq!((p3.percent(), p1.percent()), (12.5, 50.0));

    // Re-targeted after P1's deadline has passed: breached already.
    let later = at("2026-01-12T14:00:00+08:00");
    let p1_late = clock(
        &target(SlaMetric::Resolution, 2 * 60, true),
        &t,
        &cal,
        later,
    );
    assert_eq!(p1_late.outcome(), Outcome::Breached);
    assert_eq!(p1_late.due_at(), Some(at("2026-01-12T11:30:00+08:00")));
}

#[test]
fn business_time_skips_the_national_day_holiday_week() {
    let cal = shanghai_office();
    let response = target(SlaMetric::Response, 240, true);
    // Wednesday 30 September 16:00: 16–18, then Thursday 8 October 09–11.
    let t = ticket("2026-09-30T16:00:00+08:00", &[]);
    let c = clock(&response, &t, &cal, at("2026-10-03T12:00:00+08:00"));
    assert_eq!(c.elapsed(), mins(120));
    assert_eq!(c.due_at(), Some(at("2026-10-08T11:00:00+08:00")));
}

#[test]
fn business_time_counts_the_make_up_saturday() {
    let cal = shanghai_office();
    let response = target(SlaMetric::Response, 120, true);
    // Friday 9 October 17:00: 17–18, then make-up Saturday 10 October 09–10.
    let t = ticket("2026-10-09T17:00:00+08:00", &[]);
    let c = clock(&response, &t, &cal, at("2026-10-09T17:30:00+08:00"));
    assert_eq!(c.due_at(), Some(at("2026-10-10T10:00:00+08:00")));
    let saturday = clock(&response, &t, &cal, at("2026-10-10T09:30:00+08:00"));
    assert_eq!(saturday.elapsed(), mins(90));
}

#[test]
fn stopping_at_the_deadline_meets_the_target_and_a_minute_later_breaches_it() {
    let cal = shanghai_24_7();
    let response = target(SlaMetric::Response, 60, false);
    let mut t = ticket("2026-01-12T10:00:00+08:00", &[]);
    t.handling_started_at = Some(at("2026-01-12T11:00:00+08:00"));
    let now = at("2026-01-12T12:00:00+08:00");
    assert_eq!(clock(&response, &t, &cal, now).outcome(), Outcome::Met);
    t.handling_started_at = Some(at("2026-01-12T11:01:00+08:00"));
    assert_eq!(clock(&response, &t, &cal, now).outcome(), Outcome::Breached);
    // Still open at the deadline: breached then and there.
    t.handling_started_at = None;
    assert_eq!(
        clock(&response, &t, &cal, at("2026-01-12T11:00:00+08:00")).outcome(),
        Outcome::Breached
    );
}

#[test]
fn a_business_deadline_at_friday_close_is_breached_by_a_weekend_response() {
    let cal = shanghai_office();
    let response = target(SlaMetric::Response, 60, true);
    let mut t = ticket("2026-01-16T17:00:00+08:00", &[]);
    // Elapsed is exactly the target on Saturday too, but the deadline was 18:00.
    t.handling_started_at = Some(at("2026-01-17T10:00:00+08:00"));
    let c = clock(&response, &t, &cal, at("2026-01-17T11:00:00+08:00"));
    assert_eq!(c.elapsed(), mins(60));
    assert_eq!(c.outcome(), Outcome::Breached);
    assert_eq!(c.at_percent(100), Some(at("2026-01-16T18:00:00+08:00")));
    t.handling_started_at = Some(at("2026-01-16T18:00:00+08:00"));
    assert_eq!(
        clock(&response, &t, &cal, at("2026-01-17T11:00:00+08:00")).outcome(),
        Outcome::Met
    );
}

#[test]
fn a_ticket_resolved_without_a_visit_abandons_its_on_site_clock() {
    let cal = shanghai_24_7();
    let on_site = target(SlaMetric::OnSite, 240, false);
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T10:00:00+08:00", Category::Resolved)],
    );
    t.handling_started_at = Some(at("2026-01-12T09:05:00+08:00"));
    t.resolved_at = Some(at("2026-01-12T10:00:00+08:00"));
    // A day later the ticket is still resolved, not closed: no breach.
    let c = clock(&on_site, &t, &cal, at("2026-01-13T09:00:00+08:00"));
    assert_eq!(c.state(), ClockState::Stopped);
    assert_eq!(c.outcome(), Outcome::Abandoned);
    assert_eq!(c.stopped_at(), Some(at("2026-01-12T10:00:00+08:00")));
    assert_eq!(c.elapsed(), mins(60));
}

#[test]
fn a_cancelled_ticket_abandons_a_clock_that_never_started() {
    let t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T09:30:00+08:00", Category::Cancelled)],
    );
    let c = clock(
        &target(SlaMetric::Resolution, 240, false),
        &t,
        &shanghai_24_7(),
        at("2026-01-12T12:00:00+08:00"),
    );
    assert_eq!(c.state(), ClockState::NotStarted);
    assert_eq!(c.outcome(), Outcome::Abandoned);
    let response = clock(
        &target(SlaMetric::Response, 20, false),
        &t,
        &shanghai_24_7(),
        at("2026-01-12T12:00:00+08:00"),
    );
    assert_eq!(
        response.outcome(),
        Outcome::Breached,
        "the 20-minute deadline passed before cancellation"
    );
}

#[test]
fn handling_that_starts_while_waiting_starts_the_resolution_clock_paused() {
    let cal = shanghai_24_7();
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[
            ("2026-01-12T09:10:00+08:00", Category::Waiting),
            ("2026-01-12T10:00:00+08:00", Category::Active),
        ],
    );
    t.handling_started_at = Some(at("2026-01-12T09:30:00+08:00"));
    let resolution = target(SlaMetric::Resolution, 60, false);
    let paused = clock(&resolution, &t, &cal, at("2026-01-12T09:45:00+08:00"));
    assert_eq!(paused.state(), ClockState::Paused);
    assert_eq!(paused.elapsed(), SignedDuration::ZERO);
    assert_eq!(paused.at_percent(0), Some(at("2026-01-12T09:30:00+08:00")));
    let running = clock(&resolution, &t, &cal, at("2026-01-12T10:15:00+08:00"));
    assert_eq!(running.elapsed(), mins(15));
    assert_eq!(running.due_at(), Some(at("2026-01-12T11:00:00+08:00")));
}

#[test]
fn only_what_has_happened_by_now_counts() {
    let cal = shanghai_24_7();
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[("2026-01-12T11:00:00+08:00", Category::Waiting)],
    );
    t.handling_started_at = Some(at("2026-01-12T12:00:00+08:00"));
    let response = target(SlaMetric::Response, 240, false);
    let c = clock(&response, &t, &cal, at("2026-01-12T10:00:00+08:00"));
    assert_eq!(c.state(), ClockState::Running);
    assert_eq!(c.elapsed(), mins(60));
    let before = clock(&response, &t, &cal, at("2026-01-12T08:00:00+08:00"));
    assert_eq!(before.state(), ClockState::NotStarted);
}

#[test]
fn phases_are_read_in_time_order_whatever_order_they_come_in() {
    let cal = shanghai_24_7();
    let mut t = ticket(
        "2026-01-12T09:00:00+08:00",
        &[
            ("2026-01-12T11:00:00+08:00", Category::Active),
            ("2026-01-12T10:00:00+08:00", Category::Waiting),
        ],
    );
    let response = target(SlaMetric::Response, 240, false);
    let shuffled = clock(&response, &t, &cal, at("2026-01-12T12:00:00+08:00"));
    t.phases.sort_by_key(|(at, _)| *at);
    let sorted = clock(&response, &t, &cal, at("2026-01-12T12:00:00+08:00"));
    assert_eq!(shuffled.elapsed(), mins(120));
    assert_eq!(shuffled.elapsed(), sorted.elapsed());
}

#[test]
fn targets_and_states_have_a_snake_case_json_form() {
    let json = serde_json::to_value(target(SlaMetric::OnSite, 240, true)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"metric": "on_site", "minutes": 240, "business_time": true})
    );
    assert_eq!(
        serde_json::to_value(ClockState::NotStarted).unwrap(),
        "not_started"
    );
    assert_eq!(
        serde_json::to_value(Outcome::Abandoned).unwrap(),
        "abandoned"
    );
}
