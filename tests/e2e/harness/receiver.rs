//! A webhook receiver on a local port that records what it is sent and
//! fails the first attempts of every event on request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

/// One request the receiver took.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub signature: String,
    pub body: Bytes,
    /// What the receiver answered.
    pub status: StatusCode,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON payload")
    }
}

#[derive(Default)]
struct Log {
    requests: Vec<Received>,
    attempts: HashMap<String, u32>,
}

/// A running receiver; it stops with the test's runtime.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    log: Arc<Mutex<Log>>,
}

impl Receiver {
    /// Answer 500 to the first `fail_first` attempts of each event, then 204.
    pub async fn start(fail_first: u32) -> Receiver {
        let log = Arc::new(Mutex::new(Log::default()));
        let app =
            Router::new()
                .route(
                    "/hook",
                    post(
                        move |State(log): State<Arc<Mutex<Log>>>,
                              headers: HeaderMap,
                              body: Bytes| async move {
                            let header = |name: &str| {
                                headers
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            let event_id = header("x-aftersale-event-id");
                            let mut log = log.lock().expect("the log is not poisoned");
                            let attempt = log.attempts.entry(event_id.clone()).or_default();
                            *attempt += 1;
                            let status = if *attempt <= fail_first {
                                StatusCode::INTERNAL_SERVER_ERROR
                            } else {
                                StatusCode::NO_CONTENT
                            };
                            log.requests.push(Received {
                                event_id,
                                signature: header("x-aftersale-signature"),
                                body,
                                status,
                            });
                            status
                        },
                    ),
                )
                .with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, log }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        self.log
            .lock()
            .expect("the log is not poisoned")
            .requests
            .clone()
    }

    /// The requests that were accepted.
    pub fn accepted(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| r.status.is_success())
            .collect()
    }
}

/// A receiver that takes connections and never answers; the URL and how
/// many connections it holds.
pub async fn black_hole() -> (String, Arc<Mutex<Vec<tokio::net::TcpStream>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
    let held = Arc::new(Mutex::new(Vec::new()));
    let holding = held.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            holding.lock().expect("not poisoned").push(stream);
        }
    });
    (url, held)
}
