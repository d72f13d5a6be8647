//! The real `aftersale` binary as a server, and a small HTTP client for it.

use std::process::Stdio;
use std::time::Duration;

use axum::http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BINARY: &str = env!("CARGO_BIN_EXE_aftersale");

/// `aftersale serve` on a free port, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Server {
    pub async fn start(database_url: &str) -> Server {
        Server::start_with(database_url, &[]).await
    }

    /// Start with extra environment variables, e.g. the operator key.
    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BINARY)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database",
                database_url,
            ])
            .env("AFTERSALE_LOG", "info")
            // On PostgreSQL files would go to `attachments/` here.
            .envs(
                (!database_url.starts_with("sqlite:"))
                    .then_some(("AFTERSALE_OBJECT_STORE", "memory:")),
            )
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let base = tokio::time::timeout(Duration::from_secs(120), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("listening on http://") {
                    let rest = &line[at + "listening on ".len()..];
                    return rest.split_whitespace().next().map(str::to_string);
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .expect("the server says where it listens");
        // Keep draining the log so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server {
            child,
            base,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Kill the process without letting it shut down.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("the server can be killed");
    }

    /// POST raw bytes (a component) to `path`.
    pub async fn upload(&self, path: &str, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/wasm")
            .body(Full::new(Bytes::from(bytes)))
            .expect("a valid request");
        let response = self
            .client
            .request(request)
            .await
            .expect("the server answers");
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

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> (StatusCode, Value) {
        self.try_call(method, path, token, body, if_match)
            .await
            .expect("the server answers")
    }

    /// SIGKILL the process: no shutdown, no flush, as a crash or the OOM
    /// killer would.
    pub fn kill_9(&self) {
        if let Some(pid) = self.child.id() {
            let pid = i32::try_from(pid).expect("a pid");
            // SAFETY: kill(2) with a pid this test started and a constant signal.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }

    /// A request that may fail to get an answer (the server was killed).
    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> Result<(StatusCode, Value), String> {
        let body = body.map(|json| ("application/json", json.to_string().into_bytes()));
        let (status, bytes) = self.try_raw(method, path, token, body, if_match).await?;
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, json))
    }

    async fn try_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, Vec<u8>)>,
        if_match: Option<i64>,
    ) -> Result<(StatusCode, Bytes), String> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"));
        if let Some(version) = if_match {
            request = request.header("if-match", version.to_string());
        }
        let body = match body {
            Some((content_type, bytes)) => {
                request = request.header("content-type", content_type);
                Full::new(Bytes::from(bytes))
            }
            None => Full::new(Bytes::new()),
        };
        let response = self
            .client
            .request(request.body(body).expect("a valid request"))
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("the body broke off: {e}"))?
            .to_bytes();
        Ok((status, bytes))
    }
}

impl Server {
    /// A request with a body of `content_type` (none: no body); the
    /// answer's status and bytes.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Bytes) {
        self.try_raw(method, path, token, body, None)
            .await
            .expect("the server answers")
    }

    /// GET a path outside the API and return its text.
    pub async fn text(&self, path: &str) -> String {
        let request = Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .expect("a valid request");
        let response = self
            .client
            .request(request)
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// `aftersale tenant create NAME --database URL`: the printed JSON.
pub async fn create_tenant(name: &str, database_url: &str) -> Value {
    let output = Command::new(BINARY)
        .args(["tenant", "create", name, "--database", database_url])
        .output()
        .await
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}
