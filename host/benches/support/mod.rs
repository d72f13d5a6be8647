//! What the benchmarks over the real router share: a database for one run
//! (a SQLite file in a temporary directory, or a scratch database on a
//! PostgreSQL server, dropped afterwards, also when a check failed) and a
//! request through the router.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aftersale::plugins::{Runtime, RuntimeConfig};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

pub struct Database {
    pub url: String,
    /// The PostgreSQL server and the scratch database to drop afterwards.
    scratch: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Database {
            url: format!("sqlite://{}", dir.path().join("bench.db").display()),
            scratch: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres(server: &str) -> Self {
        use sqlx::Connection;
        let name = format!("aftersale_bench_{}", Uuid::now_v7().simple());
        let mut admin = sqlx::postgres::PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} is not reachable: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("a scratch database");
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        Database {
            url: format!("{base}/{name}"),
            scratch: Some((server.to_string(), name)),
            _dir: None,
        }
    }
}

impl Drop for Database {
    /// Drops the scratch database, also when a check failed.
    fn drop(&mut self) {
        let Some((server, name)) = self.scratch.take() else {
            return;
        };
        // Drop runs outside any runtime's reach: use a thread of our own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(&server).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

/// A GET as `key`: the status and the JSON body (`null` when not JSON).
pub async fn get(router: &Router, uri: &str, key: &str) -> (StatusCode, Value) {
    let request = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::empty())
        .expect("a request");
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router always answers");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Run a benchmark on SQLite, and on PostgreSQL when
/// `AFTERSALE_BENCH_POSTGRES_URL` names a server; `BENCH_BACKENDS`
/// (`sqlite,postgres`) picks among them. Each run gets the database and
/// the plugin runtime, on a two-thread tokio runtime; each run's verdict,
/// by backend.
pub fn on_each_database<F, Fut>(mut run: F) -> Vec<(&'static str, bool)>
where
    F: FnMut(&'static str, Database, Arc<Runtime>) -> Fut,
    Fut: Future<Output = bool>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Arc::new(Runtime::new(RuntimeConfig::default()).expect("runtime starts"));
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    rt.block_on(async {
        let mut verdicts = Vec::new();
        if backends.contains("sqlite") {
            let pass = run("sqlite", Database::sqlite(), runtime.clone()).await;
            verdicts.push(("sqlite", pass));
        }
        let postgres = std::env::var("AFTERSALE_BENCH_POSTGRES_URL")
            .ok()
            .filter(|_| backends.contains("postgres"));
        if let Some(server) = postgres {
            let db = Database::postgres(&server).await;
            verdicts.push(("postgres", run("postgres", db, runtime.clone()).await));
        }
        verdicts
    })
}

/// Print whether each backend met `target` (e.g. "p99 ≤ 50 ms for every
/// query over 1000000 tickets").
pub fn print_verdicts(verdicts: &[(&str, bool)], target: &str) {
    println!();
    for (backend, pass) in verdicts {
        println!(
            "{backend}: {target}: {}",
            if *pass { "PASS" } else { "FAIL" }
        );
    }
}
