//! The README's walk-through against the real binary: `tenant create`,
//! `serve`, a ticket from creation to its timeline — and a killed process
//! loses nothing.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Backend, Database};
use crate::harness::server::{Server, create_tenant};

fn installation() -> Value {
    json!({
        "kind": "installation",
        "title": "Install a split air conditioner",
        "channel": "phone",
        "customer": {"name": "Li Lei", "phone": "13800000000", "address": "Qingxiu District, Nanning"},
        "product": {"category": "air_conditioner", "model": "KFR-35GW", "serial": "SN-2026-0001",
                    "price": "3299.00", "invoice_date": "2026-01-10"},
        "attributes": {"region": "city", "appointment_at": "2026-01-12T09:00:00+08:00", "technician": "tech-7"}
    })
}

async fn walk_through(backend: Backend) {
    let db = Database::new(backend).await;
    let tenant = create_tenant("Acme Appliances", &db.url).await;
    let key = tenant["admin_key"]
        .as_str()
        .expect("an admin key")
        .to_string();
    assert!(tenant["tenant_id"].as_str().is_some());

    // On PostgreSQL files go where the test says (SQLite's go beside it).
    let files = tempfile::tempdir().expect("a directory for files");
    let store = files.path().display().to_string();
    let env = match backend {
        Backend::Postgres => vec![("AFTERSALE_OBJECT_STORE", store.as_str())],
        Backend::Sqlite => Vec::new(),
    };
    let server = Server::start_with(&db.url, &env).await;
    let (status, ticket) = server
        .call(
            Method::POST,
            "/api/v1/tickets",
            &key,
            Some(installation()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert_eq!(ticket["state"], "scheduled");
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());

    let version = ticket["version"].as_i64().unwrap();
    let (status, moved) = server
        .call(
            Method::POST,
            &format!("{path}/transitions"),
            &key,
            Some(json!({"transition": "check_in"})),
            Some(version),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["state"], "on_site");

    // The installer's photo goes with the ticket.
    let photo = crate::attachments::photo(800, 600);
    let (status, sent) = server
        .raw(
            Method::POST,
            &format!("{path}/attachments?name=outdoor-unit.png"),
            &key,
            Some(("image/png", photo.clone())),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&sent)
    );
    let sent: Value = serde_json::from_slice(&sent).unwrap();
    let file = format!("{path}/attachments/{}", sent["id"].as_str().unwrap());
    if let Some(db_file) = db.url.strip_prefix("sqlite://") {
        let beside = std::path::Path::new(db_file).with_file_name("test-attachments");
        assert!(
            beside.is_dir(),
            "files are kept beside the database: {}",
            beside.display()
        );
    }

    let (status, events) = server
        .call(Method::GET, &format!("{path}/events"), &key, None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"created"));
    assert!(kinds.contains(&"transitioned"), "{kinds:?}");

    // A killed process keeps every committed change.
    server.kill().await;
    let server = Server::start_with(&db.url, &env).await;
    let (status, after) = server.call(Method::GET, &path, &key, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        after["version"].as_i64(),
        moved["version"].as_i64().map(|v| v + 1)
    );
    assert_eq!(after["state"], "on_site");
    let (status, kept) = server.raw(Method::GET, &file, &key, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&kept[..], &photo[..], "the photo outlives the process");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walk_through_on_sqlite() {
    walk_through(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walk_through_on_postgres() {
    walk_through(Backend::Postgres).await;
}
