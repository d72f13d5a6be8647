//! An application with a real database on either backend, driven through
//! its router as HTTP requests.

use std::sync::{Arc, LazyLock};

use aftersale::api::{AppState, app};
use aftersale::domain::attachment;
use aftersale::plugins::{Runtime, RuntimeConfig};
use aftersale::service::{Caller, Files, Services, Supervision};
use aftersale::store::StoredPlugin;
use aftersale::store::objects::Objects;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use jiff::Timestamp;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

use crate::harness::support::components;

pub const OPERATOR_KEY: &str = "operator-secret-for-tests";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One runtime for the whole test binary: components compile once.
pub fn runtime() -> Arc<Runtime> {
    static RUNTIME: LazyLock<Arc<Runtime>> =
        LazyLock::new(|| Arc::new(Runtime::new(RuntimeConfig::default()).expect("runtime starts")));
    RUNTIME.clone()
}

/// The PostgreSQL server tests use: `AFTERSALE_TEST_POSTGRES_URL`, or the
/// local one.
pub fn postgres_url() -> String {
    std::env::var("AFTERSALE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub use super::database::Database;

impl Database {
    /// A database of its own for one test on `backend`, dropped afterwards.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Database::sqlite(),
            Backend::Postgres => Database::postgres(&postgres_url()).await,
        }
    }
}

/// A running application with one tenant, its admin key, and the test
/// plugin `hostile` bound to the kind `trial` beside the first-party bundle.
pub struct TestApp {
    pub router: Router,
    pub services: Services,
    pub tenant: Uuid,
    pub admin: String,
    /// Where the application keeps attachments' bytes.
    pub files: tempfile::TempDir,
    _db: Database,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, runtime(), Supervision::default()).await
    }

    /// An application whose tenants may keep only this much in files.
    pub async fn start_with_file_limits(backend: Backend, limits: attachment::Limits) -> Self {
        Self::build(backend, runtime(), Supervision::default(), limits).await
    }

    /// An application on a runtime and supervision of the test's own.
    pub async fn start_with(
        backend: Backend,
        runtime: Arc<Runtime>,
        supervision: Supervision,
    ) -> Self {
        Self::build(backend, runtime, supervision, attachment::Limits::default()).await
    }

    async fn build(
        backend: Backend,
        runtime: Arc<Runtime>,
        supervision: Supervision,
        limits: attachment::Limits,
    ) -> Self {
        let db = Database::new(backend).await;
        let store = aftersale::store::open(&db.url)
            .await
            .expect("the database opens");
        let mut services = Services::new(store.clone(), runtime.clone());
        services.supervision = supervision;
        let files = tempfile::tempdir().expect("a directory for files");
        let objects = Objects::directory(files.path()).expect("the files directory opens");
        services.files = Files::new(objects, limits);
        services
            .catalog
            .install_embedded()
            .await
            .expect("first-party plugins install");
        let created = services
            .create_tenant("Acme Service", None)
            .await
            .expect("tenant");
        let tenant = created.tenant.id;

        let bytes = std::fs::read(components::HOSTILE).expect("the test component was built");
        let plugin = runtime
            .load(&bytes)
            .await
            .expect("the test component loads");
        store
            .put_plugin(&StoredPlugin {
                hash: plugin.hash().to_string(),
                name: plugin.name().into(),
                version: plugin.version().into(),
                contract: plugin.contract().into(),
                component: bytes,
                installed_at: Timestamp::now(),
                publisher_id: None,
                published_at: Some(Timestamp::now()),
            })
            .await
            .expect("the test component is stored");
        let admin = Caller {
            tenant_id: tenant,
            actor: aftersale::domain::Actor {
                id: "setup".into(),
                role: aftersale::domain::Role::Admin,
            },
        };
        services
            .bind(
                &admin,
                vec![("trial".into(), "hostile".into(), "6.6.6".into())],
            )
            .await
            .expect("trial binds to the test plugin");

        let state = AppState::new(services.clone(), Some(OPERATOR_KEY));
        TestApp {
            router: app(state),
            services,
            tenant,
            admin: created.admin_key,
            files,
            _db: db,
        }
    }

    /// Where the application's database is.
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    /// Run one statement straight on the application's database, as
    /// another program (or an older release) would.
    pub async fn execute(&self, sql: &str) {
        use sqlx::Connection;
        let url = self.database_url();
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        let done = if url.starts_with("sqlite:") {
            let mut db = sqlx::sqlite::SqliteConnection::connect(url)
                .await
                .expect("SQLite");
            sqlx::query(sql).execute(&mut db).await.map(drop)
        } else {
            let mut db = sqlx::postgres::PgConnection::connect(url)
                .await
                .expect("PostgreSQL");
            sqlx::query(sql).execute(&mut db).await.map(drop)
        };
        done.expect("the statement runs");
    }

    /// A request as the tenant's admin.
    pub fn req(&self, method: Method, path: &str) -> Req {
        Req::new(method, path).bearer(&self.admin)
    }

    pub async fn send(&self, req: Req) -> Resp {
        let response = self
            .router
            .clone()
            .oneshot(req.build())
            .await
            .expect("the router always answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body is readable")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Resp {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// Open a `trial` ticket misbehaving in `mode`; panics unless created.
    pub async fn trial(&self, mode: &str) -> Value {
        let resp = self
            .send(
                self.req(Method::POST, "/api/v1/tickets")
                    .json(trial_body(mode)),
            )
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        resp.body
    }

    /// Create a key with `role` and return its token.
    pub async fn key(&self, role: &str) -> String {
        let resp = self
            .send(
                self.req(Method::POST, "/api/v1/keys")
                    .json(serde_json::json!({"name": format!("{role} key"), "role": role})),
            )
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        resp.body["token"].as_str().expect("a token").to_string()
    }
}

impl TestApp {
    /// Issue a publisher key through the operator's route; the answer in
    /// full (`id`, `key`, quotas). `body` is `{name, max_plugins?,
    /// max_bytes?}`.
    pub async fn issue_publisher(&self, body: Value) -> Value {
        let resp = self
            .send(
                Req::new(Method::POST, "/api/v1/publishers")
                    .bearer(OPERATOR_KEY)
                    .json(body),
            )
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        resp.body
    }

    /// A new publisher with the default quotas; its key.
    pub async fn publisher(&self, name: &str) -> String {
        let issued = self
            .issue_publisher(serde_json::json!({"name": name}))
            .await;
        issued["key"].as_str().expect("a key").to_string()
    }
}

/// The body of a new `trial` ticket.
pub fn trial_body(mode: &str) -> Value {
    serde_json::json!({
        "kind": "trial",
        "title": "A trial ticket",
        "channel": "api",
        "customer": {"name": "Zhang Wei", "phone": "13800138000"},
        "attributes": {"mode": mode},
    })
}

/// A request under construction.
pub struct Req {
    builder: axum::http::request::Builder,
    body: Body,
}

impl Req {
    pub fn new(method: Method, path: &str) -> Self {
        Req {
            builder: Request::builder().method(method).uri(path),
            body: Body::empty(),
        }
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self
            .builder
            .header("authorization", format!("Bearer {token}"));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn if_match(self, version: i64) -> Self {
        self.header("if-match", &format!("\"{version}\""))
    }

    pub fn json(self, body: Value) -> Self {
        self.raw("application/json", body.to_string())
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.builder = self.builder.header("content-type", content_type);
        self.body = body.into();
        self
    }

    fn build(self) -> Request<Body> {
        self.builder.body(self.body).expect("a valid request")
    }
}

/// A response with its body as JSON (or a JSON string of the text).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent.
    pub bytes: axum::body::Bytes,
}

impl Resp {
    /// Assert a problem response of `slug` with `status`.
    #[track_caller]
    pub fn problem(&self, status: StatusCode, slug: &str) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(
            self.body["type"],
            format!("/problems/{slug}"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16());
        &self.body
    }
}

/// Declare tests that run once on SQLite and once on PostgreSQL.
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::harness::app::TestApp::start($crate::harness::app::Backend::Sqlite).await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::harness::app::TestApp::start($crate::harness::app::Backend::Postgres).await;
                    $body
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;
