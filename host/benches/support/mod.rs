//! What the benchmarks over the real router share: a database for one run
//! (the end-to-end tests' [`Database`]), a request through the router, a
//! seeded random sequence.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aftersale::plugins::{Runtime, RuntimeConfig};
use aftersale::service::Services;
use aftersale::store::SharedStore;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[path = "../../../tests/e2e/harness/database.rs"]
mod database;
pub use database::Database;

/// The application's services on `db`, with the first-party plugins
/// installed, and the store beneath them for seeding.
pub async fn services(db: &Database, runtime: Arc<Runtime>) -> (SharedStore, Services) {
    let store = aftersale::store::open(&db.url)
        .await
        .expect("the database opens");
    let services = Services::new(store.clone(), runtime);
    services
        .catalog
        .install_embedded()
        .await
        .expect("first-party plugins install");
    (store, services)
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

/// SplitMix64: deterministic seeding, and no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
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
