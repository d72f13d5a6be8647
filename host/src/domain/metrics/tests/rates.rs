//! SLA compliance, FCR, reopen, re-repair and complaint rates, service
//! recoveries, the duration statistics, and rates with no denominator.

use super::*;

fn plain(created: &str) -> Ticket {
    Ticket::created(created)
}

fn resolved() -> Ticket {
    Ticket::created("2026-03-02T09:00:00+08:00")
        .handled("2026-03-02T09:10:00+08:00")
        .resolved("2026-03-02T10:00:00+08:00")
}

fn sla(response: Option<SlaOutcome>, resolution: Option<SlaOutcome>) -> Ticket {
    plain("2026-03-02T09:00:00Z").with(|h| {
        h.sla = SlaOutcomes {
            response,
            resolution,
            on_site: None,
        }
    })
}

#[test]
fn sla_compliance_is_met_over_decided_verdicts_per_target() {
    use SlaOutcome::{Breached, Met};
    let r = report(&[
        sla(Some(Met), Some(Breached)),
        sla(Some(Met), None),
        sla(Some(Breached), None),
        sla(None, None),
    ]);
    assert!(close(
        r.sla_compliance.response.expect("decided"),
        2.0 / 3.0
    ));
    assert_eq!(r.sla_compliance.resolution, Some(0.0));
    assert_eq!(r.sla_compliance.on_site, None, "no ticket has the target");
}

#[test]
fn on_site_compliance_is_its_own_target() {
    let on_site =
        |outcome| plain("2026-03-02T09:00:00Z").with(move |h| h.sla.on_site = Some(outcome));
    let r = report(&[
        on_site(SlaOutcome::Met),
        on_site(SlaOutcome::Met),
        on_site(SlaOutcome::Met),
        on_site(SlaOutcome::Breached),
    ]);
    assert_eq!(r.sla_compliance.on_site, Some(0.75));
    assert_eq!(r.sla_compliance.response, None);
}

#[test]
fn complaint_rate_is_complaints_over_all_tickets_and_counts_recoveries() {
    let complaint = |recovered| {
        plain("2026-03-02T09:00:00Z").with(move |h| {
            h.complaint = Some(Complaint {
                service_recovery: recovered,
            })
        })
    };
    let mut tickets = vec![complaint(true), complaint(false), complaint(true)];
    tickets.extend((0..9).map(|_| plain("2026-03-02T09:00:00Z")));
    let r = report(&tickets);
    assert_eq!(r.tickets, 12);
    assert_eq!(r.complaints, 3);
    assert_eq!(r.complaint_rate, Some(0.25));
    assert_eq!(r.service_recoveries, 2);
}

#[test]
fn re_repair_rate_is_re_repairs_over_repairs() {
    let repair = |again| {
        plain("2026-03-02T09:00:00Z").with(move |h| h.repair = Some(Repair { re_repair: again }))
    };
    let tickets = [
        repair(true),
        repair(false),
        repair(false),
        repair(false),
        // Not a repair: outside the denominator.
        plain("2026-03-02T09:00:00Z"),
    ];
    let r = report(&tickets);
    assert_eq!(r.repairs, 4);
    assert_eq!(r.re_repair_rate, Some(0.25));
}

#[test]
fn fcr_and_reopen_rates_count_resolved_tickets_only() {
    let tickets = [
        resolved(),
        resolved().escalate("2026-03-02T09:30:00+08:00"),
        // Reopened on day 8: still first contact, but reopened.
        resolved().enter("2026-03-10T09:00:00+08:00", Category::Active),
        // Not resolved: in neither denominator.
        plain("2026-03-02T09:00:00+08:00").handled("2026-03-02T09:10:00+08:00"),
    ];
    let r = report(&tickets);
    assert_eq!(r.tickets, 4);
    assert_eq!(r.responded, 4);
    assert_eq!(r.resolved, 3);
    assert!(close(
        r.first_contact_resolution_rate.expect("resolved"),
        2.0 / 3.0
    ));
    assert!(close(r.reopen_rate.expect("resolved"), 1.0 / 3.0));
}

#[test]
fn duration_means_are_exact_and_percentiles_near_rank() {
    // Responses of 1 h, 2 h and 6 h: mean 3 h; p50 is the 2nd (2 h), p90
    // the 3rd (6 h): within 1/256 from the histogram, and the top rank is
    // the exact maximum.
    let responding = |h: u32| {
        Ticket::created("2026-03-02T00:00:00Z").handled(&format!("2026-03-02T{h:02}:00:00Z"))
    };
    let r = report(&[responding(1), responding(2), responding(6)]);
    assert_eq!(r.response.count, 3);
    assert_eq!(r.response.mean_seconds, Some(10_800.0));
    let p50 = r.response.p50_seconds.expect("some");
    let p90 = r.response.p90_seconds.expect("some");
    assert!((p50 - 7_200.0).abs() <= 7_200.0 / 256.0, "p50 {p50}");
    assert_eq!(p90, 21_600.0, "the top rank is the exact maximum");
    assert_eq!(r.resolution.count, 0);
    assert_eq!(r.resolution.mean_seconds, None);
}

#[test]
fn rates_with_no_denominator_are_none() {
    let empty = Report::from(&Summary::new());
    assert_eq!(empty.tickets, 0);
    for rate in [
        empty.complaint_rate,
        empty.first_contact_resolution_rate,
        empty.reopen_rate,
        empty.re_repair_rate,
        empty.csi,
        empty.satisfaction_rate,
        empty.nps,
        empty.sla_compliance.response,
        empty.sla_compliance.resolution,
        empty.sla_compliance.on_site,
        empty.response.mean_seconds,
        empty.response.p50_seconds,
        empty.lead.p90_seconds,
    ] {
        assert_eq!(rate, None);
    }

    // Tickets, but none resolved, repaired, surveyed or under an SLA.
    let open = report(&[plain("2026-03-02T09:00:00Z")]);
    assert_eq!(
        open.complaint_rate,
        Some(0.0),
        "a denominator, no complaints"
    );
    assert_eq!(open.first_contact_resolution_rate, None);
    assert_eq!(open.reopen_rate, None);
    assert_eq!(open.re_repair_rate, None);
    assert_eq!(open.nps, None);

    let json = serde_json::to_value(&open).expect("serializes");
    assert_eq!(json["re_repair_rate"], serde_json::Value::Null);
    assert_eq!(json["sla_compliance"]["on_site"], serde_json::Value::Null);
}

fn field(visits: u32, part_lines: u32, parts_filled: u32) -> Ticket {
    resolved().with(|h| {
        h.field = FieldWork {
            visits,
            part_lines,
            parts_filled,
        }
    })
}

#[test]
fn first_time_fix_is_one_visit_with_every_part_from_stock() {
    let r = report(&[
        field(1, 1, 1),
        field(1, 0, 0),
        field(2, 1, 1),
        field(1, 2, 1),
        // Never visited: not field work, not counted.
        field(0, 0, 0),
    ]);
    assert_eq!(r.field_resolved, 4);
    assert_eq!(r.first_time_fix_rate, Some(0.5));
}

#[test]
fn the_fill_rate_is_part_lines_reserved_from_stock_at_once() {
    let r = report(&[field(1, 2, 1), field(1, 2, 2), field(0, 0, 0)]);
    assert_eq!(r.part_lines, 4);
    assert_eq!(r.parts_fill_rate, Some(0.75));
    let none = report(&[field(1, 0, 0)]);
    assert_eq!(none.parts_fill_rate, None, "no part asked for: no rate");
    assert_eq!(none.first_time_fix_rate, Some(1.0));
}
