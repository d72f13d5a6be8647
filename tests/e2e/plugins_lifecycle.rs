//! The plugin lifecycle: upload and validation, the precompiled cache,
//! grants, and install → bind → call → upgrade → rollback → quarantine →
//! release against the real binary.

use aftersale::plugins::{Runtime, RuntimeConfig};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Backend, Database, OPERATOR_KEY, TestApp, on_both_backends};
use crate::harness::server::{BINARY, Server, create_tenant};
use crate::harness::support::components;

fn component(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("the test component was built")
}

/// The same component with a custom section appended: other bytes, other
/// SHA-256, same manifest.
fn restamped(mut bytes: Vec<u8>, tag: &str) -> Vec<u8> {
    let name = b"aftersale-test";
    let payload_len = 1 + name.len() + tag.len();
    assert!(payload_len < 128, "one-byte LEB128 sizes only");
    bytes.push(0); // custom section
    bytes.push(payload_len as u8);
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(tag.as_bytes());
    bytes
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> crate::harness::app::Resp {
    app.send(
        crate::harness::app::Req::new(Method::POST, "/api/v1/plugins")
            .bearer(token)
            .raw("application/wasm", bytes),
    )
    .await
}

on_both_backends! {
    async fn uploads_that_are_not_plugins_are_refused_with_the_reason(app) {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"MZ this is not wasm".to_vec(), "not WebAssembly"),
            (b"\0asm\x01\0\0\0".to_vec(), "core WebAssembly module"),
            (component(components::FORBIDDEN_HTTP), "forbidden import"),
            (component(components::BAD_MANIFEST), "manifest"),
        ];
        for (bytes, reason) in cases {
            let resp = upload(&app, OPERATOR_KEY, bytes).await;
            let body = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-plugin");
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(detail.contains(reason), "expected `{reason}` in: {detail}");
        }
        let listed = app.send(app.req(Method::GET, "/api/v1/plugins")).await;
        assert!(
            !listed.body.to_string().contains("forbidden"),
            "nothing refused was stored: {}",
            listed.body
        );
    }

    async fn the_same_bytes_twice_change_nothing_and_other_bytes_under_a_taken_version_conflict(app) {
        let bytes = component(components::GREETER_V1);
        let first = upload(&app, OPERATOR_KEY, bytes.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.body["name"], "greeter");
        assert_eq!(first.body["version"], "1.0.0");
        assert_eq!(first.body["contract"], "1.2.0", "the SDK builds the newest contract");
        let id = first.body["id"].as_str().expect("an id").to_string();
        assert_eq!(id.len(), 64, "the id is the SHA-256");

        let again = upload(&app, OPERATOR_KEY, bytes.clone()).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.body["id"], id.as_str());

        let other = upload(&app, OPERATOR_KEY, restamped(bytes, "other build")).await;
        let body = other.problem(StatusCode::CONFLICT, "plugin-conflict");
        assert!(body["detail"].as_str().unwrap_or_default().contains("greeter@1.0.0"));

        let listed = app.send(app.req(Method::GET, "/api/v1/plugins")).await;
        let greeters: Vec<&Value> = listed.body.as_array().expect("a list").iter()
            .filter(|p| p["name"] == "greeter")
            .collect();
        assert_eq!(greeters.len(), 1, "{}", listed.body);
    }

    async fn publishers_and_the_operator_may_install_and_tenant_keys_may_not(app) {
        for role in ["agent", "partner"] {
            let key = app.key(role).await;
            let resp = upload(&app, &key, component(components::GREETER_V1)).await;
            resp.problem(StatusCode::FORBIDDEN, "forbidden");
        }
        let resp = upload(&app, &app.admin, component(components::GREETER_V1)).await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");

        let publisher = app.publisher("Greeter Works").await;
        let resp = upload(&app, &publisher, component(components::GREETER_V1)).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        let resp = upload(&app, OPERATOR_KEY, component(components::GREETER_V2)).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    }

    async fn more_resources_take_an_explicit_grant_within_the_caps(app) {
        let installed = upload(&app, OPERATOR_KEY, component(components::GREETER_V1)).await;
        let id = installed.body["id"].as_str().expect("an id").to_string();
        let path = format!("/api/v1/plugins/{id}");

        let shown = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert_eq!(shown.body["requested"]["fuel"], 50_000_000);
        assert_eq!(shown.body["granted"], Value::Null);
        assert_eq!(shown.body["limits"]["fuel"], 10_000_000, "defaults until granted");

        let grant = format!("{path}/grant");
        let resp = app.send(app.req(Method::PUT, &grant).json(json!({}))).await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        let resp = app
            .send(crate::harness::app::Req::new(Method::PUT, &grant).bearer(OPERATOR_KEY)
                .json(json!({"fuel": 10_000_000_000u64})))
            .await;
        let body = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(body["detail"].as_str().unwrap_or_default().contains("cap"));

        let resp = app
            .send(crate::harness::app::Req::new(Method::PUT, &grant).bearer(OPERATOR_KEY).json(json!({})))
            .await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        assert_eq!(resp.body["granted"]["fuel"], 50_000_000, "{}", resp.body);
        assert_eq!(resp.body["limits"]["fuel"], 50_000_000);
        assert_eq!(resp.body["limits"]["deadline_ms"], 200);

        let by_name = app.send(app.req(Method::GET, "/api/v1/plugins/greeter@1.0.0")).await;
        assert_eq!(by_name.body["limits"]["fuel"], 50_000_000, "{}", by_name.body);
        assert!(by_name.body["granted_at"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_forged_or_stale_precompiled_file_is_compiled_again() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = || RuntimeConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        cache_key: Some([7; 32]),
        ..RuntimeConfig::default()
    };
    let bytes = component(components::GREETER_V1);
    let hits_on_a_fresh_runtime = async || {
        let runtime = Runtime::new(config()).expect("runtime");
        runtime.load(&bytes).await.expect("loads");
        runtime.cache_stats().expect("a cache").hits
    };

    let cold = Runtime::new(config()).expect("runtime");
    let plugin = cold.load(&bytes).await.expect("loads");
    let stats = cold.cache_stats().expect("a cache");
    assert_eq!((stats.hits, stats.misses, stats.replaced), (0, 1, 0));
    let path = cold.artifact_path(plugin.hash()).expect("a cache file");
    let good = std::fs::read(&path).expect("the compiled component was cached");
    assert!(good.starts_with(b"aftersale-cwasm2"));
    drop(cold);

    let warm = Runtime::new(config()).expect("runtime");
    warm.load(&bytes).await.expect("loads from the cache");
    assert_eq!(warm.cache_stats().expect("a cache").hits, 1);
    drop(warm);

    // A flipped bit in the machine code: the HMAC catches it.
    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x40;
    std::fs::write(&path, &corrupt).expect("corrupt the file");
    let runtime = Runtime::new(config()).expect("runtime");
    let plugin = runtime.load(&bytes).await.expect("compiled again");
    assert_eq!(plugin.name(), "greeter");
    let stats = runtime.cache_stats().expect("a cache");
    assert_eq!((stats.hits, stats.replaced), (0, 1));
    assert_ne!(std::fs::read(&path).expect("rewritten"), corrupt);
    drop(runtime);
    assert_eq!(
        hits_on_a_fresh_runtime().await,
        1,
        "the rewritten file is sound"
    );

    // Machine code of someone's own under a plain checksum, as the cache
    // once took it: without the key it is not ours, and it is replaced.
    let junk = b"not machine code at all".to_vec();
    let mut forged = b"aftersale-cwasm2".to_vec();
    forged.extend_from_slice(&sha2_digest(&junk));
    forged.extend_from_slice(&junk);
    std::fs::write(&path, &forged).expect("replace the file");
    let runtime = Runtime::new(config()).expect("runtime");
    runtime.load(&bytes).await.expect("compiled again");
    assert_eq!(runtime.cache_stats().expect("a cache").replaced, 1);
    drop(runtime);
    assert_eq!(
        hits_on_a_fresh_runtime().await,
        1,
        "the rewritten file is sound"
    );

    // A sound file signed by another deployment's key is not trusted either.
    let other = Runtime::new(RuntimeConfig {
        cache_key: Some([8; 32]),
        ..config()
    })
    .expect("runtime");
    other.load(&bytes).await.expect("compiled again");
    assert_eq!(other.cache_stats().expect("a cache").replaced, 1);
    drop(other);
    assert_eq!(
        hits_on_a_fresh_runtime().await,
        0,
        "the other key's file is replaced under ours in turn"
    );
}

#[cfg(unix)]
#[test]
fn the_cache_directory_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cache = dir.path().join("components");
    Runtime::new(RuntimeConfig {
        cache_dir: Some(cache.clone()),
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// Install → bind → call → upgrade → rollback → quarantine → release, on the
/// real binary.
async fn lifecycle(backend: Backend) {
    let db = Database::new(backend).await;
    let tenant = create_tenant("Lifecycle Ltd", &db.url).await;
    let tenant_id = tenant["tenant_id"].as_str().expect("an id").to_string();
    let admin = tenant["admin_key"].as_str().expect("a key").to_string();

    // Install v1 from the command line, twice: the second is a no-op.
    for created in [true, false] {
        let output = tokio::process::Command::new(BINARY)
            .args([
                "plugin",
                "install",
                components::GREETER_V1,
                "--database",
                &db.url,
            ])
            .output()
            .await
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(printed["name"], "greeter");
        assert_eq!(printed["created"], created);
    }

    let cache = tempfile::tempdir().expect("a cache directory");
    let server = Server::start_with(
        &db.url,
        &[
            ("AFTERSALE_OPERATOR_KEY", OPERATOR_KEY),
            (
                "AFTERSALE_CACHE_DIR",
                cache.path().to_str().expect("a UTF-8 path"),
            ),
        ],
    )
    .await;
    // v2 over HTTP, as the operator.
    let (status, v2) = server
        .upload(
            "/api/v1/plugins",
            OPERATOR_KEY,
            component(components::GREETER_V2),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");

    let call =
        async |method: Method, path: &str, token: &str, body: Option<Value>, v: Option<i64>| {
            server.call(method, path, token, body, v).await
        };
    // Bind the kind `greeting` to a version of the greeter.
    let bind = async |version: &str| {
        let bindings =
            json!({"bindings": [{"kind": "greeting", "plugin": "greeter", "version": version}]});
        let (status, body) =
            call(Method::PUT, "/api/v1/bundle", &admin, Some(bindings), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    };
    let open = async |mode: &str| {
        let ticket = json!({
            "kind": "greeting",
            "title": "Say hello",
            "channel": "api",
            "customer": {"name": "Li Na", "phone": "13900139000"},
            "attributes": {"mode": mode},
        });
        call(Method::POST, "/api/v1/tickets", &admin, Some(ticket), None).await
    };
    let finish = async |ticket: &Value| {
        let id = ticket["id"].as_str().expect("an id");
        let (_, current) = call(
            Method::GET,
            &format!("/api/v1/tickets/{id}"),
            &admin,
            None,
            None,
        )
        .await;
        call(
            Method::POST,
            &format!("/api/v1/tickets/{id}/transitions"),
            &admin,
            Some(json!({"transition": "finish"})),
            current["version"].as_i64(),
        )
        .await
    };
    let events = async |ticket: &Value| {
        let id = ticket["id"].as_str().expect("an id");
        let (status, events) = call(
            Method::GET,
            &format!("/api/v1/tickets/{id}/events"),
            &admin,
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{events}");
        events["items"].as_array().expect("a list").clone()
    };

    // Bind and call v1: its decisions carry its version.
    bind("1.0.0").await;
    let (status, first) = open("behave").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["attributes"]["greeted_by"], "1.0.0");
    let (status, done) = finish(&first).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let log = events(&first).await;
    assert_eq!(log[0]["kind"], "created");
    assert_eq!(log[0]["plugin"], "greeter@1.0.0", "{log:?}");
    let transitioned = log
        .iter()
        .find(|e| e["kind"] == "transitioned")
        .expect("transitioned");
    assert_eq!(transitioned["plugin"], "greeter@1.0.0");

    // Upgrade without a restart: the next call is v2's.
    bind("2.0.0").await;
    let (status, second) = open("behave").await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["attributes"]["greeted_by"], "2.0.0");
    assert_eq!(events(&second).await[0]["plugin"], "greeter@2.0.0");

    // Roll back: the same operation.
    bind("1.0.0").await;
    let (_, third) = open("behave").await;
    assert_eq!(third["attributes"]["greeted_by"], "1.0.0");
    // The ticket v2 opened is decided by v1 now, and says so.
    let (status, _) = finish(&second).await;
    assert_eq!(status, StatusCode::OK);
    let log = events(&second).await;
    let transitioned = log
        .iter()
        .find(|e| e["kind"] == "transitioned")
        .expect("transitioned");
    assert_eq!(transitioned["plugin"], "greeter@1.0.0");

    // Quarantine: five traps in a row.
    let (_, doomed) = open("panic").await;
    for attempt in 1..=5 {
        let (status, problem) = finish(&doomed).await;
        assert_eq!(
            status,
            StatusCode::BAD_GATEWAY,
            "attempt {attempt}: {problem}"
        );
        assert_eq!(problem["type"], "/problems/plugin-failed");
        assert_eq!(problem["cause"], "trap");
    }
    let (status, problem) = finish(&doomed).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["type"], "/problems/plugin-quarantined");
    assert_eq!(problem["plugin"], "greeter");
    assert_eq!(problem["version"], "1.0.0");
    // Fail closed for every ticket of the version, not just the bad one.
    let (status, problem) = finish(&third).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    let (_, still_open) = call(
        Method::GET,
        &format!("/api/v1/tickets/{}", third["id"].as_str().expect("an id")),
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(still_open["state"], "open");
    let log = events(&doomed).await;
    let announced = log
        .iter()
        .find(|e| e["kind"] == "plugin_quarantined")
        .expect("the quarantine is on the timeline");
    assert_eq!(announced["data"]["failures"], 5);
    assert_eq!(announced["data"]["cause"], "trap");
    assert_eq!(announced["plugin"], "greeter@1.0.0");

    let id = problem["plugin_id"]
        .as_str()
        .expect("the plugin's id")
        .to_string();
    let (status, shown) = call(
        Method::GET,
        &format!("/api/v1/plugins/{id}"),
        OPERATOR_KEY,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["health"][0]["tenant_id"], tenant_id.as_str());
    assert!(shown["health"][0]["quarantined_at"].is_string(), "{shown}");

    // Only the operator releases.
    let release = format!("/api/v1/plugins/{id}/release");
    let (status, _) = call(
        Method::POST,
        &release,
        &admin,
        Some(json!({"tenant_id": tenant_id})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, released) = call(
        Method::POST,
        &release,
        OPERATOR_KEY,
        Some(json!({"tenant_id": tenant_id})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert_eq!(released["health"], json!([]));
    let (status, done) = finish(&third).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "done");
    let (status, _) = call(
        Method::POST,
        &release,
        OPERATOR_KEY,
        Some(json!({"tenant_id": tenant_id})),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing left to release"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_lifecycle_on_sqlite() {
    lifecycle(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_lifecycle_on_postgres() {
    lifecycle(Backend::Postgres).await;
}
