//! Containment over HTTP: a hostile plugin of one tenant answers within its
//! bounds, never persists a change over budget, stays quarantined in every
//! hook, and leaves other tenants served.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aftersale::plugins::{Limits, Runtime, RuntimeConfig};
use aftersale::service::Supervision;
use axum::http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::harness::app::{TestApp, on_both_backends, trial_body};

/// How many tickets the tenant has, follow-ups included.
async fn ticket_count(app: &TestApp) -> usize {
    let resp = app
        .send(app.req(Method::GET, "/api/v1/tickets?limit=200"))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body["items"]
        .as_array()
        .map_or_else(|| panic!("a page of tickets: {}", resp.body), Vec::len)
}

/// Open a `trial` ticket in `mode` and expect the change refused as over
/// budget, with nothing of it kept.
async fn refused_over_budget(app: &TestApp, mode: &str, budget: &str) {
    let before = ticket_count(app).await;
    let resp = app
        .send(
            app.req(Method::POST, "/api/v1/tickets")
                .json(trial_body(mode)),
        )
        .await;
    let problem = resp.problem(StatusCode::BAD_GATEWAY, "plugin-budget-exceeded");
    assert_eq!(problem["plugin"], "hostile", "{problem}");
    assert_eq!(problem["cause"]["cause"], "budget_exceeded", "{problem}");
    assert_eq!(problem["cause"]["budget"], budget, "{problem}");
    assert_eq!(
        ticket_count(app).await,
        before,
        "nothing of the change is kept"
    );
}

on_both_backends! {
    async fn the_plugin_cache_key_is_made_once_and_kept(app) {
        let now = Timestamp::now();
        let store = &app.services.store;
        let first = store.secret("test-key", &[1; 32], now).await.unwrap();
        assert_eq!(first, vec![1; 32]);
        let again = store.secret("test-key", &[2; 32], now).await.unwrap();
        assert_eq!(again, first, "a second start finds the first key");
    }

    async fn one_answer_with_too_many_effects_is_refused_whole(app) {
        refused_over_budget(&app, "fan_out", "effects per hook call").await;
    }

    async fn too_many_follow_up_tickets_refuse_the_whole_change(app) {
        refused_over_budget(&app, "follow_ups", "follow-up tickets per change").await;
    }

    async fn too_many_requested_transitions_refuse_the_whole_change(app) {
        refused_over_budget(&app, "transitions", "requested transitions per change").await;
    }

    async fn follow_ups_that_spawn_follow_ups_end_at_the_depth_limit(app) {
        let before = ticket_count(&app).await;
        let resp = app
            .send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("cascade")))
            .await;
        let problem = resp.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        assert!(problem["detail"].as_str().unwrap_or("").contains("nest too deep"), "{problem}");
        assert_eq!(ticket_count(&app).await, before);
    }

    async fn a_plugin_that_sleeps_answers_at_once(app) {
        let started = Instant::now();
        let ticket = app.trial("sleep").await;
        assert!(started.elapsed() < Duration::from_secs(5), "the 30 s sleep was waited");
        let events = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{}/events", ticket["id"].as_str().unwrap())))
            .await;
        assert!(events.body.to_string().contains("slept"), "{}", events.body);
    }

    async fn a_plugin_waiting_for_the_clock_fails_at_its_deadline(app) {
        let started = Instant::now();
        let resp = app
            .send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("wait_for_clock")))
            .await;
        let problem = resp.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        assert!(
            matches!(problem["cause"].as_str(), Some("deadline" | "fuel_exhausted")),
            "{problem}"
        );
        // Its deadline is charged on CPU time; the wall clock ends it at the
        // latest the slot wait past that, whatever the machine's load.
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    async fn an_upload_whose_manifest_sleeps_is_refused_within_the_deadline(app) {
        let bytes = std::fs::read(aftersale_tests::components::SLEEPY_MANIFEST).unwrap();
        let started = Instant::now();
        let resp = app
            .send(
                crate::harness::app::Req::new(Method::POST, "/api/v1/plugins")
                    .bearer(crate::harness::app::OPERATOR_KEY)
                    .raw("application/wasm", bytes),
            )
            .await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-plugin");
        assert!(problem["detail"].as_str().unwrap_or("").contains("hook manifest"), "{problem}");
        // Compiling takes most of it; the manifest call is bounded by its 1 s deadline.
        assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    }

    async fn failures_are_counted_in_batches_and_none_is_lost(app) {
        let fail = || async {
            app.send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("panic")))
                .await
        };
        // Four failures in a row, one under the threshold of five: the
        // first is written at once, the others within a write interval.
        for _ in 0..4 {
            fail().await.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        }
        let written = settled_failures(&app, 4).await;
        assert_eq!(written, 4, "every failure is written");
        // The fifth reaches the threshold: quarantined before it answers.
        fail().await.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        fail().await.problem(StatusCode::SERVICE_UNAVAILABLE, "plugin-quarantined");
        assert_eq!(settled_failures(&app, 5).await, 5);
    }

    async fn failures_at_once_are_all_counted(app) {
        let calls = (0..12).map(|_| {
            app.send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("panic")))
        });
        let answers = futures_util::future::join_all(calls).await;
        let failed = answers.iter().filter(|r| r.status == StatusCode::BAD_GATEWAY).count();
        let quarantined = answers
            .iter()
            .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
            .count();
        assert_eq!(failed + quarantined, 12, "{:?}", answers.first().map(|r| &r.body));
        assert!(failed >= 5, "the quarantine came before the threshold: {failed}");
        assert_eq!(settled_failures(&app, failed as u32).await, failed as u32);
        let health = app.services.store.health(app.tenant).await.unwrap();
        assert!(health[0].quarantined_at.is_some(), "{health:?}");
    }

    async fn a_quarantined_version_does_not_run_its_timers(app) {
        // A ticket whose plugin timer is due now, scheduled while the
        // plugin still behaved.
        let mut body = trial_body("alarm");
        body["attributes"]["alarm_at"] = json!(Timestamp::now().to_string());
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        let ticket = resp.body["id"].as_str().unwrap().to_string();
        for _ in 0..5 {
            let resp = app
                .send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("panic")))
                .await;
            assert_eq!(resp.status, StatusCode::BAD_GATEWAY, "{}", resp.body);
        }
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("behave"))).await;
        resp.problem(StatusCode::SERVICE_UNAVAILABLE, "plugin-quarantined");

        let store = &app.services.store;
        let now = Timestamp::now();
        let due = store
            .claim_timers("containment-test", now, now + Duration::from_secs(60), 100)
            .await
            .unwrap();
        let alarm = due
            .iter()
            .find(|t| t.name == "alarm" && t.ticket_id.to_string() == ticket)
            .expect("the alarm is due");
        app.services.fire_timer(alarm, "containment-test").await.unwrap();

        let events = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{ticket}/events")))
            .await;
        let timeline = events.body["items"].as_array().expect("a timeline").clone();
        let failed = timeline
            .iter()
            .find(|e| e["data"]["effect"]["effect"] == "on_timer_failed")
            .unwrap_or_else(|| panic!("the quarantined hook did not run: {}", events.body));
        assert_eq!(failed["data"]["effect"]["failure"]["cause"], "quarantined", "{failed}");
        assert!(
            !timeline.iter().any(|e| e["data"]["name"] == "last_timer"),
            "on-timer ran while quarantined: {}",
            events.body
        );
    }
}

/// The failures in a row the store holds for the tenant's one failing
/// plugin version once it reaches `expected` or two seconds pass (deferred
/// writes land within a quarter second).
async fn settled_failures(app: &TestApp, expected: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let health = app.services.store.health(app.tenant).await.unwrap();
        assert!(health.len() <= 1, "one failing version: {health:?}");
        let failures = health.first().map_or(0, |h| h.failures);
        if failures >= expected || Instant::now() > deadline {
            return failures;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The bystander's view while another tenant's plugin floods the host.
#[derive(Debug)]
struct Flood {
    bystander: Vec<Duration>,
    hostile: Vec<(StatusCode, Value, Duration)>,
}

/// Open an IT incident as the bystander tenant; how long it took.
async fn incident(app: &TestApp, key: &str) -> Duration {
    let started = Instant::now();
    let resp = app
        .send(
            crate::harness::app::Req::new(Method::POST, "/api/v1/tickets")
                .bearer(key)
                .json(json!({
                    "kind": "incident",
                    "title": "Printer on fire",
                    "channel": "phone",
                    "customer": {"name": "Wang Fang", "phone": "13900139000"},
                    "attributes": {"impact": "low", "urgency": "low"},
                })),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    started.elapsed()
}

async fn flood(app: Arc<TestApp>, bystander_key: String) -> Flood {
    let hostile = (0..100)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let resp = app
                    .send(
                        app.req(Method::POST, "/api/v1/tickets")
                            .json(trial_body("wait_for_clock")),
                    )
                    .await;
                (resp.status, resp.body, started.elapsed())
            })
        })
        .collect::<Vec<_>>();
    // Let the flood take every slot it can before the bystander asks.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut bystander = Vec::new();
    for _ in 0..5 {
        bystander.push(incident(&app, &bystander_key).await);
    }
    let mut answers = Vec::new();
    for call in hostile {
        answers.push(call.await.expect("the request task ends"));
    }
    Flood {
        bystander,
        hostile: answers,
    }
}

mod saturation {
    use super::*;
    use crate::harness::app::Backend;

    async fn saturate(backend: Backend) {
        // A runtime of its own, so the flood is measured against the default
        // slots alone. Fuel as good as unlimited, so every hostile call runs
        // to its deadline, holding its slot all along; quarantine out of the
        // way, so the flood never stops by itself.
        let runtime = Arc::new(
            Runtime::new(RuntimeConfig {
                limits: Limits {
                    fuel: u64::MAX / 2,
                    ..Limits::default()
                },
                // Short, so the flood overruns the share for sure however
                // slowly the machine lets requests in.
                slot_wait: Duration::from_millis(100),
                ..RuntimeConfig::default()
            })
            .unwrap(),
        );
        let app = TestApp::start_with(
            backend,
            runtime,
            Supervision {
                quarantine_after: 1_000_000,
            },
        )
        .await;
        let other = app
            .services
            .create_tenant("Bystander Ltd", None)
            .await
            .unwrap();
        // Warm: the bystander's bundle is loaded, as it is on a running desk.
        incident(&app, &other.admin_key).await;
        let app = Arc::new(app);
        let result = flood(app, other.admin_key).await;

        eprintln!("bystander creates during the flood: {:?}", result.bystander);
        let slowest = result.bystander.iter().max().copied().unwrap_or_default();
        assert!(
            slowest < Duration::from_secs(1),
            "the bystander waited {slowest:?} behind another tenant's plugin: {:?}",
            result.bystander
        );
        let busy = result
            .hostile
            .iter()
            .filter(|(status, body, _)| {
                *status == StatusCode::SERVICE_UNAVAILABLE
                    && body["type"] == "/problems/plugin-busy"
            })
            .count();
        let failed = result
            .hostile
            .iter()
            .filter(|(status, body, _)| {
                *status == StatusCode::BAD_GATEWAY && body["type"] == "/problems/plugin-failed"
            })
            .count();
        assert_eq!(busy + failed, 100, "{:?}", result.hostile.first());
        let mut took: Vec<_> = result
            .hostile
            .iter()
            .map(|(_, _, d)| d.as_millis())
            .collect();
        took.sort();
        assert!(
            busy > 0,
            "100 calls at once must overrun the tenant's share: {took:?} {:?}",
            result.hostile.first()
        );
        let slowest = result
            .hostile
            .iter()
            .map(|(_, _, d)| *d)
            .max()
            .unwrap_or_default();
        // Every hostile request is answered within the slot wait plus its
        // deadline, with room for a loaded machine.
        assert!(
            slowest < Duration::from_secs(3),
            "a hostile request took {slowest:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_a_flooding_tenant_gets_busy_while_others_are_served() {
        saturate(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_a_flooding_tenant_gets_busy_while_others_are_served() {
        saturate(Backend::Postgres).await;
    }
}
