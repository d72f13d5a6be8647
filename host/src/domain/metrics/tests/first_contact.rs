//! First-contact resolution (首次解决): each exclusion on its own.

use super::*;

/// Handled by one agent and resolved on the spot.
fn clean() -> Ticket {
    Ticket::created("2026-03-02T09:00:00+08:00")
        .assign("2026-03-02T09:05:00+08:00", Some("li"))
        .handled("2026-03-02T09:10:00+08:00")
        .resolved("2026-03-02T10:00:00+08:00")
}

#[test]
fn a_ticket_resolved_by_its_first_handler_is_a_first_contact_resolution() {
    let facts = clean().facts();
    assert!(facts.is_first_contact_resolution());
    assert!(facts.fcr_exclusions.is_empty());
}

#[test]
fn an_unresolved_ticket_is_not_a_first_contact_resolution() {
    let facts = Ticket::created("2026-03-02T09:00:00+08:00")
        .handled("2026-03-02T09:10:00+08:00")
        .facts();
    assert!(!facts.is_first_contact_resolution());
}

#[test]
fn fcr_excludes_reassignment() {
    let facts = clean()
        .assign("2026-03-02T09:30:00+08:00", Some("wang"))
        .facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::Reassigned]);
    assert!(!facts.is_first_contact_resolution());
}

#[test]
fn fcr_excludes_reassignment_through_the_queue() {
    let facts = clean()
        .assign("2026-03-02T09:20:00+08:00", None)
        .assign("2026-03-02T09:30:00+08:00", Some("wang"))
        .facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::Reassigned]);
}

#[test]
fn unassigning_and_taking_the_ticket_back_is_not_a_reassignment() {
    let facts = clean()
        .assign("2026-03-02T09:20:00+08:00", None)
        .assign("2026-03-02T09:30:00+08:00", Some("li"))
        .facts();
    assert!(facts.is_first_contact_resolution());
}

#[test]
fn fcr_excludes_escalation() {
    let facts = clean().escalate("2026-03-02T09:40:00+08:00").facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::Escalated]);
}

#[test]
fn fcr_excludes_on_site_dispatch() {
    let facts = clean().dispatch("2026-03-02T09:40:00+08:00").facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::DispatchedOnSite]);
}

#[test]
fn events_after_the_first_resolution_leave_the_first_contact_alone() {
    // Reopened on day 20, then escalated and reassigned: the first contact
    // had settled the matter for longer than the window.
    let facts = clean()
        .enter("2026-03-22T09:00:00+08:00", Category::Active)
        .escalate("2026-03-22T10:00:00+08:00")
        .dispatch("2026-03-22T10:00:00+08:00")
        .assign("2026-03-22T10:00:00+08:00", Some("wang"))
        .facts();
    assert!(facts.reopened);
    assert!(facts.is_first_contact_resolution());
}

#[test]
fn fcr_excludes_a_reopen_on_day_seven() {
    // Resolved 2026-03-02: day 1 is 03-03 (T1), day 7 is 03-09 and ends at
    // 24:00 Beijing time (T2).
    let facts = clean()
        .enter("2026-03-09T23:59:59+08:00", Category::Active)
        .facts();
    assert!(facts.reopened);
    assert_eq!(
        facts.fcr_exclusions,
        vec![FcrExclusion::ReopenedWithinWindow]
    );
}

#[test]
fn a_reopen_on_day_eight_keeps_the_first_contact_resolution() {
    let facts = clean()
        .enter("2026-03-10T00:00:00+08:00", Category::Active)
        .facts();
    assert!(facts.reopened, "it still counts for the reopen rate");
    assert!(facts.is_first_contact_resolution());
}

#[test]
fn reopen_days_are_counted_in_the_tenants_time_zone() {
    // 2026-03-02T17:00Z is 03-03 01:00 in Shanghai, so day 7 is 03-10 there;
    // counted in UTC the window would have closed a day earlier.
    let ticket = Ticket::created("2026-03-02T16:00:00Z")
        .handled("2026-03-02T16:30:00Z")
        .resolved("2026-03-02T17:00:00Z")
        .enter("2026-03-10T12:00:00+08:00", Category::Active);
    assert_eq!(
        ticket.facts().fcr_exclusions,
        vec![FcrExclusion::ReopenedWithinWindow]
    );
    let utc = MetricsPolicy {
        time_zone: "UTC".to_owned(),
        ..MetricsPolicy::default()
    };
    assert!(
        ticket
            .facts_with(&utc, &OfficeHours)
            .is_first_contact_resolution()
    );
}

#[test]
fn closing_after_resolution_is_not_a_reopen() {
    let facts = clean()
        .enter("2026-03-03T10:00:00+08:00", Category::Closed)
        .facts();
    assert!(!facts.reopened);
    assert!(facts.is_first_contact_resolution());
}

#[test]
fn fcr_excludes_a_dissatisfied_rating() {
    let facts = clean().rated([5, 5, 5, 2]).facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::RatedDissatisfied]);
}

#[test]
fn fcr_excludes_a_dissatisfied_rating_of_a_tenant_defined_attribute() {
    let facts = clean()
        .rated_by(&[("result", 5), ("cleanliness", 2)])
        .facts();
    assert_eq!(facts.fcr_exclusions, vec![FcrExclusion::RatedDissatisfied]);
}

#[test]
fn a_neutral_rating_keeps_the_first_contact_resolution() {
    let facts = clean().rated([3, 3, 3, 3]).recommends(0).facts();
    assert!(
        facts.is_first_contact_resolution(),
        "NPS is not a rating of the service"
    );
}

#[test]
fn every_exclusion_that_applies_is_listed() {
    let facts = clean()
        .escalate("2026-03-02T09:40:00+08:00")
        .dispatch("2026-03-02T09:50:00+08:00")
        .enter("2026-03-03T09:00:00+08:00", Category::Active)
        .rated([1, 1, 1, 1])
        .facts();
    assert_eq!(
        facts.fcr_exclusions,
        vec![
            FcrExclusion::Escalated,
            FcrExclusion::DispatchedOnSite,
            FcrExclusion::ReopenedWithinWindow,
            FcrExclusion::RatedDissatisfied,
        ]
    );
}

#[test]
fn an_unknown_time_zone_is_an_error() {
    let policy = MetricsPolicy {
        time_zone: "Mars/Olympus_Mons".to_owned(),
        ..MetricsPolicy::default()
    };
    let ticket = clean().enter("2026-03-03T09:00:00+08:00", Category::Active);
    assert!(matches!(
        ticket.try_facts(&policy, &OfficeHours),
        Err(FactsError::Calendar(_))
    ));
}
