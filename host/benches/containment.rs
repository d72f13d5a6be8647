//! A bystander tenant's create latency, idle and while another tenant's
//! hostile plugin floods the host.
//!
//! One application on SQLite (and on PostgreSQL with
//! `AFTERSALE_BENCH_POSTGRES_URL` naming an empty scratch database), two
//! tenants. The bystander opens IT
//! `incident` tickets one after another, first alone, then while 32 clients
//! of the hostile tenant keep opening `trial` tickets whose `on-create`
//! waits in host calls for the clock to move — with fuel as good as
//! unlimited and quarantine switched off, so every hostile call runs to its
//! deadline and the flood never stops by itself. Reports the bystander's
//! p50/p99 in both phases, their ratio, and how the hostile requests were
//! answered.
//!
//! `cargo bench -p aftersale --bench containment`; `BENCH_CREATES` (default
//! 400) bystander creates per phase. Without `--bench` (as `cargo test
//! --all-targets` runs it) 20 creates per phase.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aftersale::api::{AppState, app};
use aftersale::plugins::{Limits, Runtime, RuntimeConfig};
use aftersale::service::{Caller, Services, Supervision};
use aftersale::store::StoredPlugin;
use aftersale_tests::components;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn hostile_clients() -> usize {
    std::env::var("BENCH_HOSTILE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// What the hostile plugin does in each call (`BENCH_MODE`, a mode of the
/// `hostile` test component; default `wait_for_clock`).
fn hostile_mode() -> String {
    std::env::var("BENCH_MODE").unwrap_or_else(|_| "wait_for_clock".into())
}

async fn post(router: &Router, key: &str, body: &Value) -> (StatusCode, Value) {
    let request = Request::post("/api/v1/tickets")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("a valid request");
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn incident() -> Value {
    json!({
        "kind": "incident",
        "title": "Printer on fire",
        "channel": "phone",
        "customer": {"name": "Wang Fang", "phone": "13900139000"},
        "attributes": {"impact": "low", "urgency": "low"},
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The bystander's create latencies, sorted.
async fn bystander(router: &Router, key: &str, creates: usize) -> Vec<Duration> {
    let mut took = Vec::with_capacity(creates);
    for _ in 0..creates {
        let started = Instant::now();
        let (status, body) = post(router, key, &incident()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        took.push(started.elapsed());
    }
    took.sort();
    took
}

async fn run(backend: &str, url: &str, creates: usize) {
    let runtime = Arc::new(
        Runtime::new(RuntimeConfig {
            limits: Limits {
                fuel: u64::MAX / 2,
                ..Limits::default()
            },
            ..RuntimeConfig::default()
        })
        .expect("runtime starts"),
    );
    let store = aftersale::store::open(url)
        .await
        .expect("the database opens");
    let mut services = Services::new(store.clone(), runtime.clone());
    services.supervision = Supervision {
        quarantine_after: u32::MAX,
    };
    services.catalog.install_embedded().await.expect("bundle");
    let hostile = services
        .create_tenant("Hostile", None)
        .await
        .expect("tenant");
    let quiet = services
        .create_tenant("Bystander", None)
        .await
        .expect("tenant");
    let bytes = std::fs::read(components::HOSTILE).expect("the test component was built");
    let plugin = runtime.load(&bytes).await.expect("the component loads");
    store
        .put_plugin(&StoredPlugin {
            hash: plugin.hash().to_string(),
            name: plugin.name().into(),
            version: plugin.version().into(),
            contract: plugin.contract().into(),
            component: bytes,
            installed_at: jiff::Timestamp::now(),
            publisher_id: None,
            published_at: Some(jiff::Timestamp::now()),
        })
        .await
        .expect("stored");
    let admin = Caller {
        tenant_id: hostile.tenant.id,
        actor: aftersale::domain::Actor {
            id: "bench".into(),
            role: aftersale::domain::Role::Admin,
        },
    };
    services
        .bind(
            &admin,
            vec![("trial".into(), "hostile".into(), "6.6.6".into())],
        )
        .await
        .expect("bound");
    let router = app(AppState::new(services, None));

    // Warm both tenants' bundles.
    bystander(&router, &quiet.admin_key, 10).await;
    let idle = bystander(&router, &quiet.admin_key, creates).await;

    let flooding = Arc::new(AtomicBool::new(true));
    let flood: Vec<_> = (0..hostile_clients())
        .map(|_| {
            let (router, key, flooding) =
                (router.clone(), hostile.admin_key.clone(), flooding.clone());
            tokio::spawn(async move {
                let body = json!({
                    "kind": "trial", "title": "flood", "channel": "api",
                    "customer": {"name": "Zhang Wei", "phone": "13800138000"},
                    "attributes": {"mode": hostile_mode()},
                });
                let mut answers: BTreeMap<String, (u64, Duration)> = BTreeMap::new();
                while flooding.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let (status, body) = post(&router, &key, &body).await;
                    let answer = format!(
                        "{} {}",
                        status.as_u16(),
                        body["type"].as_str().unwrap_or("")
                    );
                    let entry = answers.entry(answer).or_default();
                    entry.0 += 1;
                    entry.1 = entry.1.max(started.elapsed());
                    // An answer that needed no waiting must not turn this
                    // client into a loop that never lets the server run.
                    tokio::task::yield_now().await;
                }
                answers
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let busy = bystander(&router, &quiet.admin_key, creates).await;
    flooding.store(false, Ordering::Relaxed);
    let mut answers: BTreeMap<String, (u64, Duration)> = BTreeMap::new();
    for client in flood {
        for (answer, (n, slowest)) in client.await.expect("a flood client ends") {
            let entry = answers.entry(answer).or_default();
            entry.0 += n;
            entry.1 = entry.1.max(slowest);
        }
    }

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (idle50, idle99) = (percentile(&idle, 0.5), percentile(&idle, 0.99));
    let (busy50, busy99) = (percentile(&busy, 0.5), percentile(&busy, 0.99));
    println!("{backend}: bystander create, {creates} in a row");
    println!(
        "  idle           p50 {:6.2} ms  p99 {:6.2} ms",
        ms(idle50),
        ms(idle99)
    );
    println!(
        "  during flood   p50 {:6.2} ms  p99 {:6.2} ms",
        ms(busy50),
        ms(busy99)
    );
    println!(
        "  p99 ratio {:.2}x (target ≤ 2x)",
        busy99.as_secs_f64() / idle99.as_secs_f64()
    );
    for (answer, (n, slowest)) in answers {
        println!("  hostile {answer}: {n}, slowest {:.0} ms", ms(slowest));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` passes
    // nothing and gets a short run.
    let quick = !std::env::args().any(|a| a == "--bench");
    let creates = if quick {
        20
    } else {
        std::env::var("BENCH_CREATES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(400)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio starts");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        run("sqlite", &url, creates).await;
        if let Ok(url) = std::env::var("AFTERSALE_BENCH_POSTGRES_URL") {
            run("postgres", &url, creates).await;
        }
    });
}
