//! Response, resolution and lead time: where each starts and ends, paused
//! time, and business hours.

use std::cell::RefCell;

use super::*;

#[test]
fn response_excludes_nothing_before_handling() {
    // In `new` for an hour, assigned but silent for another 1.5 h: all of it
    // is waiting for a response.
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .assign("2026-03-02T10:00:00Z", Some("li"))
        .enter("2026-03-02T10:00:00Z", Category::Active)
        .with(|h| h.handling_started_at = Some(at("2026-03-02T11:30:00Z")))
        .facts();
    assert_eq!(facts.response_ms, Some(hours(2.5)));
}

#[test]
fn response_time_is_none_until_handling_starts() {
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .enter("2026-03-02T10:00:00Z", Category::Active)
        .facts();
    assert_eq!(facts.response_ms, None);
    assert_eq!(facts.resolution_ms, None);
    assert_eq!(facts.lead_ms, None);
    assert!(!facts.is_resolved());
}

#[test]
fn resolution_runs_from_handling_not_creation() {
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T10:00:00Z")
        .resolved("2026-03-02T13:00:00Z")
        .facts();
    assert_eq!(facts.response_ms, Some(hours(1.0)));
    assert_eq!(facts.resolution_ms, Some(hours(3.0)));
    assert_eq!(facts.lead_ms, Some(hours(4.0)), "lead runs from creation");
}

#[test]
fn resolution_ends_at_the_first_resolution_not_a_later_one() {
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T10:00:00Z")
        .resolved("2026-03-02T12:00:00Z")
        .enter("2026-03-02T13:00:00Z", Category::Active)
        .resolved("2026-03-02T15:00:00Z")
        .enter("2026-03-02T16:00:00Z", Category::Closed)
        .facts();
    assert_eq!(facts.resolved_at, Some(at("2026-03-02T12:00:00Z")));
    assert_eq!(facts.resolution_ms, Some(hours(2.0)));
    assert_eq!(facts.lead_ms, Some(hours(3.0)));
}

#[test]
fn waiting_time_is_subtracted() {
    // Handled 09:30, waiting for parts 10:00–12:00, resolved 14:00.
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T09:30:00Z")
        .enter("2026-03-02T10:00:00Z", Category::Waiting)
        .enter("2026-03-02T12:00:00Z", Category::Active)
        .resolved("2026-03-02T14:00:00Z")
        .facts();
    assert_eq!(facts.response_ms, Some(hours(0.5)));
    assert_eq!(facts.resolution_ms, Some(hours(2.5)), "4.5 h − 2 h waiting");
    assert_eq!(facts.lead_ms, Some(hours(3.0)), "5 h − 2 h waiting");
}

#[test]
fn waiting_before_handling_is_subtracted_from_response() {
    // Awaiting the customer's details 09:10–10:10, answered at 11:00.
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .enter("2026-03-02T09:10:00Z", Category::Waiting)
        .enter("2026-03-02T10:10:00Z", Category::New)
        .handled("2026-03-02T11:00:00Z")
        .facts();
    assert_eq!(facts.response_ms, Some(hours(1.0)));
}

#[test]
fn waiting_straddling_the_start_of_handling_is_split_between_the_two() {
    // Waiting 09:30–10:30; handling starts 10:00 (a reply while paused).
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .enter("2026-03-02T09:30:00Z", Category::Waiting)
        .with(|h| h.handling_started_at = Some(at("2026-03-02T10:00:00Z")))
        .enter("2026-03-02T10:30:00Z", Category::Active)
        .resolved("2026-03-02T11:30:00Z")
        .facts();
    assert_eq!(facts.response_ms, Some(hours(0.5)));
    assert_eq!(facts.resolution_ms, Some(hours(1.0)));
    assert_eq!(facts.lead_ms, Some(hours(1.5)));
}

#[test]
fn a_ticket_resolved_without_an_earlier_response_is_handled_when_resolved() {
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .resolved("2026-03-02T09:45:00Z")
        .facts();
    assert_eq!(facts.handling_started_at, Some(at("2026-03-02T09:45:00Z")));
    assert_eq!(facts.response_ms, Some(hours(0.75)));
    assert_eq!(facts.resolution_ms, Some(0));
    assert_eq!(facts.lead_ms, Some(hours(0.75)));
}

#[test]
fn business_time_counting_goes_through_elapsed() {
    // Friday 16:00 → Monday 10:00 → Monday 12:00, office hours 09–17.
    let ticket = Ticket::created("2026-03-06T16:00:00Z")
        .handled("2026-03-09T10:00:00Z")
        .resolved("2026-03-09T12:00:00Z");
    let business = MetricsPolicy {
        response: Clock::Business,
        resolution: Clock::Business,
        ..MetricsPolicy::default()
    };
    let facts = ticket.facts_with(&business, &OfficeHours);
    assert_eq!(facts.response_ms, Some(hours(2.0)), "Fri 16–17 + Mon 09–10");
    assert_eq!(facts.resolution_ms, Some(hours(2.0)));
    assert_eq!(facts.lead_ms, Some(hours(4.0)));

    let calendar = ticket.facts();
    assert_eq!(calendar.response_ms, Some(hours(66.0)));
    assert_eq!(calendar.lead_ms, Some(hours(68.0)));
}

#[test]
fn business_hours_and_waiting_combine() {
    // Business clock; waiting all of Monday morning 09:00–11:00.
    let ticket = Ticket::created("2026-03-06T16:00:00Z")
        .handled("2026-03-06T16:30:00Z")
        .enter("2026-03-06T16:45:00Z", Category::Waiting)
        .enter("2026-03-09T11:00:00Z", Category::Active)
        .resolved("2026-03-09T12:00:00Z");
    let business = MetricsPolicy {
        response: Clock::Business,
        resolution: Clock::Business,
        ..MetricsPolicy::default()
    };
    let facts = ticket.facts_with(&business, &OfficeHours);
    assert_eq!(facts.response_ms, Some(hours(0.5)));
    assert_eq!(
        facts.resolution_ms,
        Some(hours(1.25)),
        "16:30–16:45 + 11–12"
    );
}

/// Records every question it is asked; answers in calendar time.
#[derive(Default)]
struct Spy(RefCell<Vec<(Timestamp, Timestamp, bool)>>);

impl Elapsed for Spy {
    fn between(&self, from: Timestamp, to: Timestamp, business: bool) -> SignedDuration {
        self.0.borrow_mut().push((from, to, business));
        to.duration_since(from)
    }
}

#[test]
fn each_duration_asks_elapsed_on_its_own_clock_and_never_about_waiting() {
    let policy = MetricsPolicy {
        response: Clock::Business,
        resolution: Clock::Calendar,
        ..MetricsPolicy::default()
    };
    let spy = Spy::default();
    Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T10:00:00Z")
        .enter("2026-03-02T11:00:00Z", Category::Waiting)
        .enter("2026-03-02T12:00:00Z", Category::Active)
        .resolved("2026-03-02T13:00:00Z")
        .facts_with(&policy, &spy);
    let calls = spy.0.into_inner();
    let t = |h: u32| at(&format!("2026-03-02T{h:02}:00:00Z"));
    assert_eq!(
        calls,
        vec![
            // response, on the business clock
            (t(9), t(10), true),
            // resolution, skipping 11–12
            (t(10), t(11), false),
            (t(12), t(13), false),
            // lead, on the resolution clock
            (t(9), t(10), false),
            (t(10), t(11), false),
            (t(12), t(13), false),
        ]
    );
}

#[test]
fn an_inconsistent_history_is_an_error_not_a_number() {
    let policy = MetricsPolicy::default();
    let early = Ticket::created("2026-03-02T09:00:00Z")
        .with(|h| h.handling_started_at = Some(at("2026-03-02T08:00:00Z")));
    assert_eq!(
        early.try_facts(&policy, &OfficeHours),
        Err(FactsError::HandlingBeforeCreation {
            at: at("2026-03-02T08:00:00Z")
        })
    );

    let shuffled = Ticket::created("2026-03-02T09:00:00Z")
        .enter("2026-03-02T11:00:00Z", Category::Active)
        .enter("2026-03-02T10:00:00Z", Category::Waiting);
    assert_eq!(
        shuffled.try_facts(&policy, &OfficeHours),
        Err(FactsError::PhasesOutOfOrder {
            at: at("2026-03-02T10:00:00Z")
        })
    );

    let late = Ticket::created("2026-03-02T09:00:00Z")
        .resolved("2026-03-02T10:00:00Z")
        .with(|h| h.handling_started_at = Some(at("2026-03-02T11:00:00Z")));
    assert!(matches!(
        late.try_facts(&policy, &OfficeHours),
        Err(FactsError::HandlingAfterResolution { .. })
    ));
}

/// A broken calendar that runs backwards.
struct Backwards;

impl Elapsed for Backwards {
    fn between(&self, from: Timestamp, to: Timestamp, _business: bool) -> SignedDuration {
        from.duration_since(to)
    }
}

#[test]
fn a_negative_elapsed_time_from_the_host_is_an_error() {
    let ticket = Ticket::created("2026-03-02T09:00:00Z").handled("2026-03-02T10:00:00Z");
    assert!(matches!(
        ticket.try_facts(&MetricsPolicy::default(), &Backwards),
        Err(FactsError::NegativeElapsed { .. })
    ));
}
