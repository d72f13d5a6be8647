//! A1 check-in, A5 follow-up, A6 on-site arrival targets.

use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::{EffectsExt, at};

use super::{installation, plugin, repair, transitioned};

#[test]
fn a1_check_in_needs_appointment_and_technician() {
    let rejection = plugin()
        .guard(&installation("scheduled").build(), "check_in")
        .expect_err("nothing arranged");
    assert_eq!(rejection.rule.as_deref(), Some("A1"));
    assert_eq!(rejection.details, ["appointment_at", "technician"]);

    let only_time = installation("scheduled")
        .attr("appointment_at", "2026-01-11T09:00:00+08:00")
        .build();
    let rejection = plugin().guard(&only_time, "check_in").unwrap_err();
    assert_eq!(rejection.details, ["technician"]);

    let arranged = installation("scheduled")
        .attr("appointment_at", "2026-01-11T09:00:00+08:00")
        .attr("technician", "tech-7")
        .build();
    assert!(plugin().guard(&arranged, "check_in").is_ok());

    // An assignee counts as the assigned technician.
    let assigned = installation("scheduled")
        .attr("appointment_at", "2026-01-11T09:00:00+08:00")
        .assignee("tech-7")
        .build();
    assert!(plugin().guard(&assigned, "check_in").is_ok());
}

#[test]
fn a1_a_visit_booked_through_dispatch_arranges_the_check_in() {
    let booked = installation("scheduled")
        .appointment(
            "wang",
            "2026-01-11T09:00:00+08:00",
            "2026-01-11T11:00:00+08:00",
        )
        .build();
    assert!(plugin().guard(&booked, "check_in").is_ok());
}

#[test]
fn a6_a_visit_booked_past_the_on_site_target_is_flagged_when_booked() {
    let event = |snapshot: &Snapshot| Event {
        id: "event-9".into(),
        at: snapshot.now,
        actor: snapshot.actor.clone(),
        kind: "dispatched".into(),
        data: Json::from(json!({"technician": "wang"})),
    };
    // A city customer: on site within 24 h of creation.
    let late = installation("scheduled")
        .attr("region", "city")
        .attr("on_site_due", "2026-01-11T10:00:00+08:00")
        .appointment(
            "wang",
            "2026-01-12T09:00:00+08:00",
            "2026-01-12T11:00:00+08:00",
        )
        .build();
    let effects = plugin().after(&late, &event(&late));
    let notices: Vec<&Effect> = effects
        .iter()
        .filter(|e| matches!(e, Effect::Notify { .. }))
        .collect();
    assert_eq!(notices.len(), 1, "{effects:?}");
    assert!(
        format!("{effects:?}").contains("after the on-site target"),
        "{effects:?}"
    );
    let in_time = installation("scheduled")
        .attr("region", "city")
        .attr("on_site_due", "2026-01-11T10:00:00+08:00")
        .appointment(
            "wang",
            "2026-01-11T09:00:00+08:00",
            "2026-01-11T11:00:00+08:00",
        )
        .build();
    assert!(plugin().after(&in_time, &event(&in_time)).is_empty());
}

#[test]
fn a1_check_in_records_the_arrival_and_stops_the_a6_reminder() {
    let snapshot = repair("scheduled")
        .attr("appointment_at", "2026-01-11T09:00:00+08:00")
        .attr("technician", "tech-7")
        .now("2026-01-11T09:05:00+08:00")
        .build();
    let effects = plugin().guard(&snapshot, "check_in").unwrap();
    assert!(effects.contains(&Effect::cancel_timer("on_site_due")));
    assert_eq!(
        effects.attribute("on_site_at"),
        Some(&json!("2026-01-11T09:05:00+08:00"))
    );
}

#[test]
fn a6_arrival_target_by_region_from_creation() {
    for (region, due) in [
        ("city", "2026-01-11T10:00:00+08:00"),
        ("county", "2026-01-12T10:00:00+08:00"),
        ("rural", "2026-01-13T10:00:00+08:00"),
    ] {
        let snapshot = installation("scheduled")
            .attr("region", region)
            .created("2026-01-10T10:00:00+08:00")
            .build();
        let effects = plugin().on_create(&snapshot).unwrap();
        assert_eq!(
            effects.attribute("on_site_due"),
            Some(&json!(due)),
            "{region}"
        );
        let (when, payload) = effects.timer("on_site_due").expect("reminder");
        assert_eq!(when, at(due), "{region}");
        assert_eq!(payload.value().unwrap()["rule"], "A6");
    }
}

#[test]
fn a6_the_tenant_sets_the_hours() {
    let snapshot = repair("reported")
        .attr("region", "rural")
        .config(json!({"arrival_hours": {"rural": 96}}))
        .build();
    let effects = plugin().on_create(&snapshot).unwrap();
    assert_eq!(
        effects.timer("on_site_due").map(|t| t.0),
        Some(at("2026-01-14T10:00:00+08:00"))
    );
}

#[test]
fn a6_a_region_set_later_counts_from_creation() {
    let unknown = installation("scheduled").build();
    assert_eq!(
        plugin().on_create(&unknown).unwrap().timer("on_site_due"),
        None
    );
    let later = installation("scheduled")
        .created("2026-01-10T10:00:00+08:00")
        .now("2026-01-10T18:00:00+08:00")
        .attr("region", "county")
        .build();
    let effects = plugin().edit(&later, None, &["region"]).unwrap();
    assert_eq!(
        effects.timer("on_site_due").map(|t| t.0),
        Some(at("2026-01-12T10:00:00+08:00"))
    );
    // Set after the target passed: no timer in the past, a note instead.
    let too_late = installation("scheduled")
        .created("2026-01-10T10:00:00+08:00")
        .now("2026-01-11T10:00:00+08:00")
        .attr("region", "city")
        .build();
    let effects = plugin().edit(&too_late, None, &["region"]).unwrap();
    assert_eq!(effects.timer("on_site_due"), None);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::AddNote { body, .. } if body.starts_with("A6")))
    );
}

#[test]
fn a6_overdue_reminder_only_while_nobody_checked_in() {
    let waiting = installation("scheduled").attr("region", "city").build();
    let effects = plugin().on_timer(&waiting, "on_site_due", json!({"rule": "A6"}));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Notify { audience: Audience::Manager, template, .. } if template == "on-site-overdue"
    )));

    let arrived = transitioned(
        installation("on_site"),
        "2026-01-10T20:00:00+08:00",
        "check_in",
        "scheduled",
        "on_site",
    )
    .build();
    assert!(
        plugin()
            .on_timer(&arrived, "on_site_due", json!({}))
            .is_empty()
    );
}

#[test]
fn a5_acceptance_sets_the_follow_up_three_days_out() {
    let snapshot = installation("commissioned")
        .attr("checklist", json!({"level": true}))
        .attr("customer_signature", "李雷")
        .now("2026-01-12T16:30:00+08:00")
        .build();
    let effects = plugin().guard(&snapshot, "accept").unwrap();
    let (when, payload) = effects.timer("follow_up").expect("A5 timer");
    assert_eq!(when, at("2026-01-15T16:30:00+08:00"));
    assert_eq!(payload.value().unwrap()["rule"], "A5");
    assert_eq!(
        effects.attribute("follow_up_due"),
        Some(&json!("2026-01-15T16:30:00+08:00"))
    );
}

#[test]
fn a5_the_tenant_sets_the_follow_up_days_and_a_repair_gets_one_too() {
    let snapshot = repair("diagnosed")
        .now("2026-01-12T16:30:00+08:00")
        .config(json!({"follow_up_days": 7}))
        .build();
    let effects = plugin().guard(&snapshot, "repair").unwrap();
    assert_eq!(
        effects.timer("follow_up").map(|t| t.0),
        Some(at("2026-01-19T16:30:00+08:00"))
    );
}

#[test]
fn a5_the_reminder_fires_only_until_the_call_is_made() {
    let accepted = installation("accepted").build();
    let effects = plugin().on_timer(&accepted, "follow_up", json!({"rule": "A5"}));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Notify { audience: Audience::Assignee, template, .. } if template == "follow-up-due"
    )));
    let done = installation("followed_up").build();
    assert!(plugin().on_timer(&done, "follow_up", json!({})).is_empty());
    let call = plugin()
        .guard(&installation("accepted").build(), "follow_up")
        .unwrap();
    assert!(call.contains(&Effect::cancel_timer("follow_up")));
}

#[test]
fn host_sla_timers_are_left_to_the_host() {
    let snapshot = installation("scheduled").build();
    assert!(
        plugin()
            .on_timer(&snapshot, "sla:on_site:100", json!({}))
            .is_empty()
    );
}
