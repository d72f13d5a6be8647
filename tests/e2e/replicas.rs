//! Two `serve` processes on one PostgreSQL agree: what an admin or the
//! operator changes through one replica takes effect on the other within a
//! second — webhooks, plugin configuration, SLA policies, the bundle, a
//! quarantine and its release.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Backend, OPERATOR_KEY, TestApp, trial_body};
use crate::harness::server::Server;
use crate::harness::support::components;

/// Within this long of the change's answer the other replica must act on it.
const AGREED_WITHIN: Duration = Duration::from_secs(1);

/// Poll `check` until it holds, failing once [`AGREED_WITHIN`] has passed
/// since `since`.
async fn within(what: &str, since: Instant, mut check: impl AsyncFnMut() -> bool) {
    loop {
        if check().await {
            return;
        }
        assert!(
            since.elapsed() < AGREED_WITHIN,
            "the other replica did not see {what} within {AGREED_WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn open(server: &Server, token: &str, mode: &str) -> (StatusCode, Value) {
    server
        .call(
            Method::POST,
            "/api/v1/tickets",
            token,
            Some(trial_body(mode)),
            None,
        )
        .await
}

/// The deliveries waiting for webhook `id`.
async fn deliveries_for(server: &Server, token: &str, id: &str) -> usize {
    let (status, all) = server
        .call(
            Method::GET,
            "/api/v1/webhooks/deliveries",
            token,
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["webhook_id"] == id)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_replica_takes_effect_on_the_other_within_a_second() {
    let app = TestApp::start(Backend::Postgres).await;
    let url = app.database_url().to_string();
    let env = [
        ("AFTERSALE_OPERATOR_KEY", OPERATOR_KEY),
        ("AFTERSALE_QUARANTINE_AFTER", "3"),
    ];
    let (a, b) = tokio::join!(
        Server::start_with(&url, &env),
        Server::start_with(&url, &env)
    );
    let admin = app.admin.clone();
    // B has the tenant's bundle cached before anything changes.
    let (status, first) = open(&b, &admin, "behave").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    // A webhook subscribed through A receives the events written through B.
    let (status, hook) = a
        .call(
            Method::POST,
            "/api/v1/webhooks",
            &admin,
            Some(json!({"url": "https://hooks.example.com/r", "events": ["created"]})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook = hook["id"].as_str().unwrap().to_string();
    let since = Instant::now();
    within("a new webhook", since, async || {
        open(&b, &admin, "behave").await;
        deliveries_for(&a, &admin, &hook).await > 0
    })
    .await;

    // … and, deleted through A, no more.
    let (status, _) = a
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{hook}"),
            &admin,
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let since = Instant::now();
    within("a deleted webhook", since, async || {
        let before = deliveries_for(&a, &admin, &hook).await;
        open(&b, &admin, "behave").await;
        deliveries_for(&a, &admin, &hook).await == before
    })
    .await;

    // Plugin configuration set through A is what the plugin sees on B.
    let (status, body) = a
        .call(
            Method::PUT,
            "/api/v1/plugins/hostile/config",
            &admin,
            Some(json!({"greeting": "ni hao"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let echo = format!(
        "/api/v1/tickets/{}/actions/echo",
        first["id"].as_str().unwrap()
    );
    let since = Instant::now();
    within("the plugin's configuration", since, async || {
        let (status, answer) = b.call(Method::POST, &echo, &admin, None, None).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["output"]["config"]["greeting"] == "ni hao"
    })
    .await;

    // An SLA policy set through A runs the clocks of tickets opened on B.
    let (status, body) = a
        .call(
            Method::PUT,
            "/api/v1/sla/policies",
            &admin,
            Some(json!([
                {"kind": "trial", "metric": "resolution", "minutes": 240, "business_time": false}
            ])),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let since = Instant::now();
    within("the SLA policy", since, async || {
        let (_, ticket) = open(&b, &admin, "behave").await;
        let path = format!("/api/v1/tickets/{}/sla", ticket["id"].as_str().unwrap());
        let (status, clocks) = b.call(Method::GET, &path, &admin, None, None).await;
        assert_eq!(status, StatusCode::OK, "{clocks}");
        clocks
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["metric"] == "resolution")
    })
    .await;

    // The bundle changed through A: a kind bound there opens on B, and
    // swapped to another version there, B's calls go to that version.
    for path in [components::GREETER_V1, components::GREETER_V2] {
        let bytes = std::fs::read(path).expect("the test component was built");
        let (status, body) = a.upload("/api/v1/plugins", OPERATOR_KEY, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let greeting = json!({"kind": "greeting", "title": "Say hello", "channel": "api",
        "customer": {"name": "Li Na", "phone": "13900139000"}, "attributes": {"mode": "behave"}});
    for version in ["1.0.0", "2.0.0"] {
        let bindings =
            json!({"bindings": [{"kind": "greeting", "plugin": "greeter", "version": version}]});
        let (status, body) = a
            .call(Method::PUT, "/api/v1/bundle", &admin, Some(bindings), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let since = Instant::now();
        within(&format!("greeter@{version} bound"), since, async || {
            let (status, ticket) = b
                .call(
                    Method::POST,
                    "/api/v1/tickets",
                    &admin,
                    Some(greeting.clone()),
                    None,
                )
                .await;
            status == StatusCode::CREATED && ticket["attributes"]["greeted_by"] == version
        })
        .await;
    }

    // Quarantined through A's failures, the version is refused on B…
    for attempt in 1..=3 {
        let (status, problem) = open(&a, &admin, "panic").await;
        assert_eq!(
            status,
            StatusCode::BAD_GATEWAY,
            "attempt {attempt}: {problem}"
        );
    }
    let (status, problem) = open(&a, &admin, "behave").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    let since = Instant::now();
    within("the quarantine", since, async || {
        open(&b, &admin, "behave").await.0 == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;

    // … and released through A, served on B again.
    let hash = problem["plugin_id"]
        .as_str()
        .expect("the quarantined version's id");
    let (status, body) = a
        .call(
            Method::POST,
            &format!("/api/v1/plugins/{hash}/release"),
            OPERATOR_KEY,
            Some(json!({"tenant_id": app.tenant})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let since = Instant::now();
    within("the release", since, async || {
        open(&b, &admin, "behave").await.0 == StatusCode::CREATED
    })
    .await;
}
