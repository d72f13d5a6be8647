//! Timers are rows in the database: two host processes on one PostgreSQL
//! fire each of them exactly once.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sqlx::Connection;
use tokio::task::JoinSet;

use crate::harness::app::{Backend, TestApp};
use crate::harness::server::Server;

const TIMERS: usize = 500;

/// `timers_fired_total` of a server's Prometheus endpoint.
async fn fired_by(server: &Server) -> u64 {
    let text = server.text("/metrics").await;
    text.lines()
        .find(|l| l.starts_with("timers_fired_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse::<f64>().ok())
        .map_or(0, |n| n as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_fire_each_of_500_timers_exactly_once() {
    let app = TestApp::start(Backend::Postgres).await;
    let url = app.database_url().to_string();
    let (a, b) = tokio::join!(Server::start(&url), Server::start(&url));
    let (a, b) = (Arc::new(a), Arc::new(b));

    // 500 tickets whose plugin asks for a timer at one shared instant, far
    // enough ahead that both processes are waiting for it.
    let alarm_at = Timestamp::now() + SignedDuration::from_secs(20);
    let mut lanes = JoinSet::new();
    for lane in 0..8 {
        let server = if lane % 2 == 0 { a.clone() } else { b.clone() };
        let token = app.admin.clone();
        lanes.spawn(async move {
            for i in (lane..TIMERS).step_by(8) {
                let body = json!({
                    "kind": "trial", "title": format!("alarm {i}"), "channel": "api",
                    "customer": {"name": "Li Na", "phone": "13900139000"},
                    "attributes": {"mode": "alarm", "alarm_at": alarm_at.to_string()},
                });
                let (status, ticket) = server
                    .call(Method::POST, "/api/v1/tickets", &token, Some(body), None)
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{ticket}");
            }
        });
    }
    while let Some(lane) = lanes.join_next().await {
        lane.expect("every ticket is created");
    }
    assert!(
        Timestamp::now() < alarm_at,
        "creating the tickets took too long for the test to mean anything"
    );

    let mut db = sqlx::postgres::PgConnection::connect(&url)
        .await
        .expect("the database");
    let count = async |db: &mut sqlx::postgres::PgConnection| -> (i64, i64) {
        sqlx::query_as(
            "SELECT count(*), count(DISTINCT ticket_id) FROM events WHERE kind = 'timer_fired'",
        )
        .fetch_one(db)
        .await
        .expect("events are counted")
    };
    tokio::time::timeout(Duration::from_secs(120), async {
        while count(&mut db).await.0 < TIMERS as i64 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
    .await
    .expect("every timer fires within two minutes of its time");
    // Give a duplicate every chance to show up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        count(&mut db).await,
        (TIMERS as i64, TIMERS as i64),
        "each timer fired once"
    );
    let (left,): (i64,) = sqlx::query_as("SELECT count(*) FROM timers WHERE name = 'alarm'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(left, 0, "fired timers are gone");

    let (by_a, by_b) = (fired_by(&a).await, fired_by(&b).await);
    assert_eq!(by_a + by_b, TIMERS as u64, "a: {by_a}, b: {by_b}");
    assert!(
        by_a > 0 && by_b > 0,
        "both processes took part: a {by_a}, b {by_b}"
    );
}
