//! Webhooks: every event reaches a receiver that fails its first attempts,
//! signed, at least once and de-duplicable by event id; a receiver that
//! never answers leaves dead letters an admin can retry; private addresses
//! are refused at connect time; a tenant whose receiver hangs does not hold
//! up the others.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aftersale::jobs::{Backoff, Jobs, JobsConfig, PER_TENANT};
use aftersale::service::webhooks::signature;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Req, TestApp, on_both_backends};
use crate::harness::receiver::{Receiver, black_hole};
use crate::service_levels::{quick_jobs, take};

async fn subscribe(app: &TestApp, url: &str, events: Value) -> String {
    subscribe_as(app, &app.admin, url, events).await
}

async fn subscribe_as(app: &TestApp, key: &str, url: &str, events: Value) -> String {
    let resp = app
        .send(
            Req::new(Method::POST, "/api/v1/webhooks")
                .bearer(key)
                .json(json!({"url": url, "events": events})),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body["secret"]
        .as_str()
        .expect("a secret, shown once")
        .to_string()
}

async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

on_both_backends! {
    async fn every_event_arrives_signed_despite_failing_attempts(app) {
        let receiver = Receiver::start(2).await;
        let secret = subscribe(&app, &receiver.url, json!(["*"])).await;
        let listed = app.send(app.req(Method::GET, "/api/v1/webhooks")).await;
        assert_eq!(listed.body[0]["url"], receiver.url.as_str());
        assert!(listed.body[0].get("secret").is_none(), "the secret is shown once");
        let jobs = Jobs::start(app.services.clone(), quick_jobs());

        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let v = take(&app, &path, 1, "start", json!({})).await;
        take(&app, &path, v, "finish", json!({"verdict": "fixed"})).await;
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body;
        let expected: BTreeSet<String> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        assert!(expected.len() >= 5, "{events}");

        eventually("every event is accepted", async || {
            receiver.accepted().iter().map(|r| r.event_id.clone()).collect::<BTreeSet<_>>() == expected
        })
        .await;
        let mut attempts: BTreeMap<String, u32> = BTreeMap::new();
        for request in receiver.requests() {
            *attempts.entry(request.event_id.clone()).or_default() += 1;
            // `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
            let t: i64 = request
                .signature
                .strip_prefix("t=")
                .and_then(|rest| rest.split(',').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("a timestamped signature: {}", request.signature));
            assert_eq!(request.signature, signature(&secret, t, &request.body), "signed with the secret");
            assert!((jiff::Timestamp::now().as_second() - t).abs() < 60, "a fresh timestamp");
            let payload = request.json();
            assert_eq!(payload["id"], request.event_id.as_str(), "the event id is in the body too");
            assert_eq!(payload["ticket_id"], ticket["id"]);
        }
        assert!(attempts.values().all(|n| *n == 3), "two failures then success: {attempts:?}");
        // De-duplicated by event id, the receiver saw the timeline in order.
        let seqs: Vec<i64> = receiver.accepted().iter().map(|r| r.json()["seq"].as_i64().unwrap()).collect();
        let mut sorted = seqs.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=expected.len() as i64).collect::<Vec<_>>());

        // The worker marks a delivery once the receiver's answer is back,
        // which can be a moment after the receiver counted it.
        let delivered = async || {
            app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries?state=delivered")).await.body
        };
        eventually("every delivery is marked delivered", async || {
            delivered().await.as_array().is_some_and(|d| d.len() == expected.len())
        })
        .await;
        assert!(delivered().await.as_array().unwrap().iter().all(|d| d["attempts"] == 3));
        jobs.stop().await;
    }

    async fn a_receiver_that_keeps_failing_leaves_dead_letters_to_retry(app) {
        let receiver = Receiver::start(u32::MAX).await;
        subscribe(&app, &receiver.url, json!(["created"])).await;
        let jobs = Jobs::start(app.services.clone(), quick_jobs());
        let ticket = app.trial("behave").await;

        let dead = async || {
            app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries?state=dead")).await.body
        };
        eventually("the delivery is dead", async || dead().await.as_array().is_some_and(|d| d.len() == 1)).await;
        let letter = dead().await[0].clone();
        assert_eq!(letter["event_type"], "created");
        assert_eq!(letter["attempts"], 3);
        assert_eq!(letter["payload"]["ticket_id"], ticket["id"]);
        assert!(letter["last_error"].as_str().unwrap().contains("500"), "{letter}");
        assert_eq!(receiver.requests().len(), 3);

        let id = letter["id"].as_str().unwrap();
        let retry = app.send(app.req(Method::POST, &format!("/api/v1/webhooks/deliveries/{id}/retry"))).await;
        assert_eq!(retry.status, StatusCode::ACCEPTED, "{}", retry.body);
        eventually("the retried delivery is tried again", async || receiver.requests().len() > 3).await;
        let unknown = app
            .send(app.req(Method::POST, &format!("/api/v1/webhooks/deliveries/{}/retry", uuid::Uuid::now_v7())))
            .await;
        unknown.problem(StatusCode::NOT_FOUND, "not-found");

        for bad in [json!({"url": "ftp://example.com", "events": ["*"]}), json!({"url": receiver.url, "events": ["exploded"]})] {
            let resp = app.send(app.req(Method::POST, "/api/v1/webhooks").json(bad)).await;
            resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
        jobs.stop().await;
    }

    async fn private_addresses_are_refused_alike_whether_a_port_is_open_or_not(app) {
        let open = Receiver::start(0).await;
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/hook", listener.local_addr().unwrap())
        };
        let port = open.url.rsplit(':').next().unwrap().to_string();
        let targets = [
            open.url.clone(),
            closed,
            format!("http://localhost:{port}"),
            format!("http://[::ffff:127.0.0.1]:{port}"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://10.0.0.1/hook".to_string(),
        ];
        for url in &targets {
            subscribe(&app, url, json!(["created"])).await;
        }
        // No allow-list: what a production host does.
        let config = JobsConfig {
            tick: Duration::from_millis(100),
            backoff: Backoff { first: Duration::from_millis(100), max: Duration::from_millis(100), attempts: 1 },
            ..JobsConfig::default()
        };
        let jobs = Jobs::start(app.services.clone(), config);
        app.trial("behave").await;

        let dead = async || {
            app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries?state=dead")).await.body
        };
        eventually("every delivery is dead", async || {
            dead().await.as_array().is_some_and(|d| d.len() == targets.len())
        })
        .await;
        jobs.stop().await;
        assert!(open.requests().is_empty(), "nothing reached the loopback receiver");
        let mut errors: Vec<String> = dead()
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["last_error"].as_str().unwrap().to_string())
            .collect();
        errors.sort();
        for error in &errors {
            assert!(error.starts_with("refused: ") && error.ends_with(" is not a public address"), "{errors:?}");
        }
        // The open and the closed port read the same: nothing of the socket shows.
        assert_eq!(errors.iter().filter(|e| *e == "refused: 127.0.0.1 is not a public address").count(), 2, "{errors:?}");
    }

    async fn a_receiver_that_never_answers_does_not_hold_up_other_tenants(app) {
        let (hole, held) = black_hole().await;
        subscribe(&app, &hole, json!(["*"])).await;
        let other = app.services.create_tenant("Prompt Receivers Ltd", None).await.unwrap();
        let prompt = Receiver::start(0).await;
        subscribe_as(&app, &other.admin_key, &prompt.url, json!(["created"])).await;
        // Ten tickets' worth of events wait for the black hole, all due first.
        for _ in 0..10 {
            app.trial("behave").await;
        }
        let jobs = Jobs::start(app.services.clone(), crate::service_levels::quick_jobs());
        eventually("the black hole holds its lanes", async || held.lock().unwrap().len() >= PER_TENANT as usize).await;

        let started = std::time::Instant::now();
        for _ in 0..3 {
            let resp = app
                .send(Req::new(Method::POST, "/api/v1/tickets").bearer(&other.admin_key).json(json!({
                    "kind": "incident",
                    "title": "Printer on fire",
                    "channel": "phone",
                    "customer": {"name": "Wang Fang", "phone": "13900139000"},
                    "attributes": {"impact": "low", "urgency": "low"},
                })))
                .await;
            assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        }
        eventually("the other tenant's events arrive", async || prompt.accepted().len() == 3).await;
        // An attempt on the black hole lasts 10 s; the others did not wait for one.
        assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
        assert_eq!(held.lock().unwrap().len(), PER_TENANT as usize, "the black hole holds no more than its share");
        jobs.stop().await;
    }
}
