//! A killed process loses nothing it acknowledged: sixteen clients create
//! tickets, the server gets SIGKILL mid-load, and after a restart every
//! ticket that was answered 201 is there with a whole, unrepeated timeline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use tokio::task::JoinSet;

use crate::harness::app::{on_both_backends, trial_body};
use crate::harness::server::Server;

const CLIENTS: usize = 16;

on_both_backends! {
    async fn every_acknowledged_create_survives_a_kill_9_under_load(app) {
        let url = app.database_url().to_string();
        let server = Arc::new(Server::start(&url).await);
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let mut clients = JoinSet::new();
        for _ in 0..CLIENTS {
            let (server, acknowledged, token) = (server.clone(), acknowledged.clone(), app.admin.clone());
            clients.spawn(async move {
                // Until the server is gone.
                while let Ok((status, body)) =
                    server.try_call(Method::POST, "/api/v1/tickets", &token, Some(trial_body("behave")), None).await
                {
                    if status == StatusCode::CREATED {
                        acknowledged.lock().unwrap().push(body["id"].as_str().unwrap().to_string());
                    }
                }
            });
        }
        // Under load for a moment, then killed in the middle of it.
        tokio::time::timeout(Duration::from_secs(60), async {
            while acknowledged.lock().unwrap().len() < 200 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the server acknowledges creates");
        server.kill_9();
        while clients.join_next().await.is_some() {}
        let acknowledged = acknowledged.lock().unwrap().clone();

        let server = Server::start(&url).await;
        for id in &acknowledged {
            let (status, ticket) = server.call(Method::GET, &format!("/api/v1/tickets/{id}"), &app.admin, None, None).await;
            assert_eq!(status, StatusCode::OK, "acknowledged ticket {id} is lost: {ticket}");
            let (_, events) = server.call(Method::GET, &format!("/api/v1/tickets/{id}/events"), &app.admin, None, None).await;
            let seqs: Vec<i64> = events["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
            let expected: Vec<i64> = (1..=ticket["version"].as_i64().unwrap()).collect();
            assert_eq!(seqs, expected, "ticket {id}: one event per version, none lost, none twice");
        }
        // The desk goes on where it stopped.
        let (status, body) = server.call(Method::POST, "/api/v1/tickets", &app.admin, Some(trial_body("behave")), None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        eprintln!("{} creates acknowledged before the kill, all found after it", acknowledged.len());
    }
}
