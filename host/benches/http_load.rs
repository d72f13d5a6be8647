//! Ticket create and transition under load, from a second process.
//!
//! Starts the real `aftersale serve` on SQLite and on PostgreSQL, drives it
//! with 16 concurrent keep-alive clients (creates of `incident` tickets,
//! whose `on-create` derives the priority, then one `assign` transition per
//! ticket), and beside it measures the storage floor: the same rows written
//! through the store from this process, without HTTP or plugins.
//!
//! `cargo bench -p aftersale --bench http_load`
//! Environment: `BENCH_SECONDS` (default 10), `BENCH_CLIENTS` (16),
//! `BENCH_BACKENDS` (`sqlite,postgres`), `AFTERSALE_TEST_POSTGRES_URL`.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aftersale::domain::{Event, Ticket};
use aftersale::store::{self, Commit, SharedStore};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

const BINARY: &str = env!("CARGO_BIN_EXE_aftersale");

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Per client: the tickets it created, with their versions.
type Created = Arc<Vec<std::sync::Mutex<Vec<(String, i64)>>>>;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Database {
    url: String,
    /// The PostgreSQL server and the scratch database to drop afterwards.
    scratch: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    async fn drop_scratch(&self) {
        use sqlx::Connection;
        let Some((server, name)) = &self.scratch else {
            return;
        };
        if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(server).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
        }
    }
}

async fn database(backend: &str) -> Database {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            Database {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                scratch: None,
                _dir: Some(dir),
            }
        }
        _ => {
            use sqlx::Connection;
            let server = std::env::var("AFTERSALE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("aftersale_bench_{}", Uuid::now_v7().simple());
            let mut admin = sqlx::postgres::PgConnection::connect(&server)
                .await
                .expect("PostgreSQL is reachable");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("a scratch database");
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(b, _)| b)
                .to_string();
            Database {
                url: format!("{base}/{name}"),
                scratch: Some((server, name)),
                _dir: None,
            }
        }
    }
}

async fn start_server(url: &str) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", url])
        .env("AFTERSALE_LOG", "warn,aftersale::server=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    // Compiling the embedded plugins on a busy two-core machine is slow, but
    // a server that never says where it listens must fail the run, not hang it.
    let wait = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find("listening on http://") {
                return line[at + "listening on ".len()..]
                    .split_whitespace()
                    .next()
                    .map(str::to_string);
            }
        }
        None
    };
    let base = tokio::time::timeout(Duration::from_secs(600), wait)
        .await
        .ok()
        .flatten();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base.expect("the server says where it listens"))
}

async fn call(client: &HttpClient, req: Request<Full<Bytes>>) -> (u16, Value) {
    let response = client.request(req).await.expect("the server answers");
    let status = response.status().as_u16();
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

fn post(
    base: &str,
    path: &str,
    key: &str,
    body: &Value,
    if_match: Option<i64>,
) -> Request<Full<Bytes>> {
    let mut req = Request::post(format!("{base}{path}"))
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json");
    if let Some(v) = if_match {
        req = req.header("if-match", v.to_string());
    }
    req.body(Full::new(Bytes::from(body.to_string())))
        .expect("a request")
}

fn incident(n: usize) -> Value {
    json!({
        "kind": "incident",
        "title": format!("VPN drops every few minutes #{n}"),
        "description": "Since this morning the VPN client disconnects every 3–5 minutes.",
        "channel": "api",
        "customer": {"name": "Chen Jing", "email": "chen.jing@example.com"},
        "attributes": {"impact": "medium", "urgency": "high", "service": "vpn"}
    })
}

struct Phase {
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&mut self, q: f64) -> Duration {
        self.latencies.sort();
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies.get(i).copied().unwrap_or_default()
    }
}

/// Run `clients` loops for `seconds`, each calling `step(client index, n)`.
async fn drive<F, Fut>(clients: usize, seconds: u64, step: F) -> Phase
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let step = Arc::new(step);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let step = step.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = 0;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if !step(c, n).await {
                        break;
                    }
                    latencies.push(t.elapsed());
                    n += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("no client panicked"));
    }
    Phase {
        count: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}

/// The rows of one created ticket, with fresh ids, as the store writes them.
fn same_rows(ticket: &Ticket, events: &[Event]) -> Commit {
    let id = Uuid::now_v7();
    let mut ticket = ticket.clone();
    ticket.id = id;
    let events = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.id = Uuid::now_v7();
            e.ticket_id = id;
            e
        })
        .collect();
    Commit {
        tenant_id: ticket.tenant_id,
        inserts: vec![ticket],
        events,
        ..Commit::default()
    }
}

async fn storage_floor(
    url: &str,
    template: (Ticket, Vec<Event>),
    clients: usize,
    seconds: u64,
) -> Phase {
    let store: SharedStore = store::open(url).await.expect("the store opens");
    // The rows need their tenant.
    let tenant_id = template.0.tenant_id;
    let tenant = aftersale::store::Tenant {
        id: tenant_id,
        name: "floor".into(),
        time_zone: "Asia/Shanghai".into(),
        locale: "zh-CN".into(),
        created_at: jiff::Timestamp::now(),
    };
    let key = aftersale::store::NewKey {
        key: aftersale::store::ApiKey {
            id: Uuid::now_v7(),
            tenant_id,
            name: "floor".into(),
            role: aftersale::domain::Role::Admin,
            created_at: jiff::Timestamp::now(),
            revoked_at: None,
        },
        token_hash: Uuid::now_v7().to_string(),
    };
    store
        .create_tenant(&tenant, &key, &[])
        .await
        .expect("a tenant");
    let template = Arc::new(template);
    drive(clients, seconds, move |_, _| {
        let store = store.clone();
        let template = template.clone();
        async move {
            store
                .commit(&same_rows(&template.0, &template.1))
                .await
                .expect("the rows insert");
            true
        }
    })
    .await
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn run(backend: &str, clients: usize, seconds: u64) {
    let db = database(backend).await;
    let output = Command::new(BINARY)
        .args(["tenant", "create", "Bench", "--database", &db.url])
        .output()
        .await
        .expect("tenant create runs");
    let tenant: Value = serde_json::from_slice(&output.stdout).expect("tenant JSON");
    let key = tenant["admin_key"].as_str().expect("a key").to_string();
    let (server, base) = start_server(&db.url).await;
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();

    // Warm up connections, caches and the plugin instance pool.
    for n in 0..200 {
        call(
            &client,
            post(&base, "/api/v1/tickets", &key, &incident(n), None),
        )
        .await;
    }

    let created: Created = Arc::new(
        (0..clients)
            .map(|_| std::sync::Mutex::new(Vec::new()))
            .collect(),
    );
    let mut creates = {
        let (client, base, key, created) =
            (client.clone(), base.clone(), key.clone(), created.clone());
        drive(clients, seconds, move |c, n| {
            let (client, base, key, created) =
                (client.clone(), base.clone(), key.clone(), created.clone());
            async move {
                let (status, body) = call(
                    &client,
                    post(&base, "/api/v1/tickets", &key, &incident(n), None),
                )
                .await;
                assert_eq!(status, 201, "{body}");
                let id = body["id"].as_str().unwrap_or_default().to_string();
                let version = body["version"].as_i64().unwrap_or(0);
                created[c].lock().expect("not poisoned").push((id, version));
                true
            }
        })
        .await
    };

    let mut transitions = {
        let (client, base, key, created) =
            (client.clone(), base.clone(), key.clone(), created.clone());
        drive(clients, seconds, move |c, n| {
            let (client, base, key) = (client.clone(), base.clone(), key.clone());
            let next = created[c].lock().expect("not poisoned").get(n).cloned();
            async move {
                let Some((id, version)) = next else {
                    return false;
                };
                let body = json!({"transition": "assign", "attributes": {"service": "vpn-eu"}});
                let (status, body) = call(
                    &client,
                    post(
                        &base,
                        &format!("/api/v1/tickets/{id}/transitions"),
                        &key,
                        &body,
                        Some(version),
                    ),
                )
                .await;
                assert_eq!(status, 200, "{body}");
                true
            }
        })
        .await
    };

    // The rows one create wrote, read back from the database.
    let store = store::open(&db.url).await.expect("the store opens");
    let (first_id, _) = created[0].lock().expect("not poisoned")[0].clone();
    let first_id: Uuid = first_id.parse().expect("an id");
    let tenant_id: Uuid = tenant["tenant_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a tenant id");
    let ticket = store
        .ticket(tenant_id, first_id)
        .await
        .expect("read")
        .expect("the ticket");
    let events: Vec<Event> = store
        .events(tenant_id, first_id)
        .await
        .expect("read")
        .into_iter()
        .take_while(|e| !matches!(e.data, aftersale::domain::EventData::Transitioned { .. }))
        .collect();
    drop(server);

    let floor_db = database(backend).await;
    let mut floor = storage_floor(&floor_db.url, (ticket, events.clone()), clients, seconds).await;

    println!(
        "\n{backend}: {clients} clients, {seconds} s per phase; a create writes 1 ticket row + {} events",
        events.len()
    );
    println!("  phase                 req/s    p50 ms   p99 ms");
    println!(
        "  create (HTTP)      {:>8.0} {:>9.2} {:>8.2}",
        creates.rate(),
        ms(creates.percentile(0.5)),
        ms(creates.percentile(0.99))
    );
    println!(
        "  transition (HTTP)  {:>8.0} {:>9.2} {:>8.2}",
        transitions.rate(),
        ms(transitions.percentile(0.5)),
        ms(transitions.percentile(0.99))
    );
    println!(
        "  storage floor      {:>8.0} {:>9.2} {:>8.2}",
        floor.rate(),
        ms(floor.percentile(0.5)),
        ms(floor.percentile(0.99))
    );
    println!(
        "  creates / storage floor: {:.0} %",
        100.0 * creates.rate() / floor.rate()
    );
    db.drop_scratch().await;
    floor_db.drop_scratch().await;
}

fn main() {
    // `cargo test --benches` runs benches without `--bench`: keep it short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let seconds = if quick {
        1
    } else {
        env_or("BENCH_SECONDS", 10)
    };
    let clients = env_or("BENCH_CLIENTS", 16);
    let backends = if quick {
        "sqlite".to_string()
    } else {
        std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into())
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    for backend in backends.split(',') {
        rt.block_on(run(backend.trim(), clients, seconds));
    }
}
