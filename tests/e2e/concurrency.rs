//! Concurrent writers: one success per version, the rest 409, and a log
//! with no gap and no duplicate; changes that meet in one transaction keep
//! their own outcomes.

use std::sync::Arc;

use aftersale::store::{Commit, StoreError};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::harness::app::{on_both_backends, trial_body};

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
        let seqs: Vec<i64> = events["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        let expected: Vec<i64> = (1..=ticket["version"].as_i64().unwrap()).collect();
        assert_eq!(seqs, expected, "one event per version, none lost, none twice");
        let transitions = events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "transitioned").count();
        assert_eq!(transitions, 1);
    }

    async fn fifty_concurrent_creates_with_one_idempotency_key_give_one_201_and_49_replays(app) {
        // On SQLite the fifty meet in the writer's batches: the ones refused
        // for the key must hear it only once the key's holder committed, or
        // they look for its ticket before it exists.
        let app = Arc::new(app);
        let tasks: Vec<_> = (0..50)
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
        let (mut created, mut replayed) = (0, 0);
        for task in tasks {
            let resp = task.await.expect("no task panicked");
            match resp.status {
                StatusCode::CREATED => created += 1,
                StatusCode::OK => replayed += 1,
                other => panic!("unexpected {other}: {}", resp.body),
            }
            ids.push(resp.body["id"].clone());
        }
        assert_eq!((created, replayed), (1, 49));
        ids.dedup();
        assert_eq!(ids.len(), 1, "every answer names the same ticket");
        let list = app.send(app.req(Method::GET, "/api/v1/tickets")).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    }

    async fn concurrent_reports_rebuilding_the_same_days_all_answer(app) {
        // Each report brings the tenant's rollups up to date first; several
        // at once rebuild the same days.
        let app = Arc::new(app);
        for round in 0..3 {
            for _ in 0..10 {
                app.trial("behave").await;
            }
            let reports: Vec<_> = (0..8)
                .map(|_| {
                    let app = app.clone();
                    tokio::spawn(async move { app.send(app.req(Method::GET, "/api/v1/metrics/service")).await })
                })
                .collect();
            for report in reports {
                let resp = report.await.expect("no task panicked");
                assert_eq!(resp.status, StatusCode::OK, "round {round}: {}", resp.body);
            }
        }
    }

    async fn changes_written_together_keep_their_own_outcomes(app) {
        // Many changes at once share the writer's transactions (SQLite) or
        // the pool (PostgreSQL): a refused one must leave no trace and take
        // none of the others with it.
        let created = app.trial("behave").await;
        let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
        let store = app.services.store.clone();
        let ticket = store.ticket(app.tenant, id).await.unwrap().unwrap();
        let events = store.events(app.tenant, id).await.unwrap();
        let last = events.last().unwrap().clone();

        let copy = |n: usize| {
            let mut t = ticket.clone();
            t.id = Uuid::now_v7();
            t.title = format!("copy {n}");
            let events = events.iter().cloned().map(|mut e| {
                e.id = Uuid::now_v7();
                e.ticket_id = t.id;
                e
            }).collect();
            Commit { tenant_id: app.tenant, inserts: vec![t], events, ..Commit::default() }
        };
        let change = |title: String, expected: i64| {
            let mut t = ticket.clone();
            t.title = title;
            t.version += 1;
            let mut e = last.clone();
            e.id = Uuid::now_v7();
            e.seq = t.version;
            Commit { tenant_id: app.tenant, updates: vec![(t, expected)], events: vec![e], ..Commit::default() }
        };
        let mut commits: Vec<(&str, Commit)> = Vec::new();
        for n in 0..60 {
            commits.push(match n % 3 {
                0 | 1 => ("copy", copy(n)),
                _ => ("stale", change(format!("stale {n}"), ticket.version + 7)),
            });
        }
        commits.insert(31, ("current", change("current".into(), ticket.version)));

        let tasks: Vec<_> = commits
            .into_iter()
            .map(|(what, commit)| {
                let store = store.clone();
                tokio::spawn(async move { (what, commit.inserts.first().map(|t| t.id), store.commit(&commit).await) })
            })
            .collect();
        let mut copies = Vec::new();
        for task in tasks {
            let (what, inserted, result) = task.await.expect("no task panicked");
            match what {
                "copy" => {
                    result.expect("a new ticket commits");
                    copies.push(inserted.unwrap());
                }
                "stale" => assert!(matches!(result, Err(StoreError::Conflict { ticket }) if ticket == id), "{result:?}"),
                _ => result.expect("the change at the current version commits"),
            }
        }
        assert_eq!(copies.len(), 40);
        for copy in copies {
            let stored = store.ticket(app.tenant, copy).await.unwrap().expect("every copy is stored");
            assert!(stored.title.starts_with("copy "));
            assert_eq!(store.events(app.tenant, copy).await.unwrap().len(), events.len());
        }
        let after = store.ticket(app.tenant, id).await.unwrap().unwrap();
        assert_eq!((after.title.as_str(), after.version), ("current", ticket.version + 1));
        assert_eq!(store.events(app.tenant, id).await.unwrap().len(), events.len() + 1, "no stale change left an event");
    }
}
