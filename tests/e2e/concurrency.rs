//! Concurrent writers: one success per version, the rest 409, and a log
//! with no gap and no duplicate.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::app::{on_both_backends, trial_body};

on_both_backends! {
    async fn fifty_concurrent_changes_of_one_version_give_one_success(app) {
        let app = Arc::new(app);
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let app = app.clone();
                let path = path.clone();
                tokio::spawn(async move {
                    let body = if i % 2 == 0 {
                        json!({"transition": "pause"})
                    } else {
                        json!({"transition": "finish", "attributes": {"verdict": format!("v{i}")}})
                    };
                    app.send(app.req(Method::POST, &format!("{path}/transitions")).if_match(1).json(body)).await
                })
            })
            .collect();
        let mut ok = 0;
        let mut conflicts = 0;
        for task in tasks {
            let resp = task.await.expect("no task panicked");
            match resp.status {
                StatusCode::OK => ok += 1,
                StatusCode::CONFLICT => {
                    resp.problem(StatusCode::CONFLICT, "stale-version");
                    conflicts += 1;
                }
                other => panic!("unexpected {other}: {}", resp.body),
            }
        }
        assert_eq!((ok, conflicts), (1, 49));

        let ticket = app.send(app.req(Method::GET, &path)).await.body;
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body;
        let seqs: Vec<i64> = events.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        let expected: Vec<i64> = (1..=ticket["version"].as_i64().unwrap()).collect();
        assert_eq!(seqs, expected, "one event per version, none lost, none twice");
        let transitions = events.as_array().unwrap().iter().filter(|e| e["kind"] == "transitioned").count();
        assert_eq!(transitions, 1);
    }

    async fn concurrent_creates_with_one_idempotency_key_make_one_ticket(app) {
        let app = Arc::new(app);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move {
                    app.send(app.req(Method::POST, "/api/v1/tickets")
                        .header("idempotency-key", "same-order")
                        .json(trial_body("behave")))
                        .await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            let resp = task.await.expect("no task panicked");
            assert!(resp.status == StatusCode::CREATED || resp.status == StatusCode::OK, "{}", resp.body);
            ids.push(resp.body["id"].clone());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "every answer names the same ticket");
        let list = app.send(app.req(Method::GET, "/api/v1/tickets")).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    }
}
