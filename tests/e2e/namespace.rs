//! The plugin namespace: only the operator issues publisher keys, a name
//! belongs to whoever installed it first and the first-party names to
//! nobody else, a publisher's upload is private until the operator
//! publishes it, and quotas bound what a publisher stores.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{OPERATOR_KEY, Req, Resp, TestApp, on_both_backends};
use crate::harness::support::components;

fn component(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("the test component was built")
}

async fn upload(app: &TestApp, token: &str, path: &str) -> Resp {
    app.send(
        Req::new(Method::POST, "/api/v1/plugins")
            .bearer(token)
            .raw("application/wasm", component(path)),
    )
    .await
}

async fn get(app: &TestApp, token: &str, path: &str) -> Resp {
    app.send(Req::new(Method::GET, path).bearer(token)).await
}

/// `name@version` of every plugin version `token` is shown.
async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let resp = get(app, token, "/api/v1/plugins").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

async fn bind_greeter(app: &TestApp, version: &str) -> Resp {
    let bindings =
        json!({"bindings": [{"kind": "greeting", "plugin": "greeter", "version": version}]});
    app.send(app.req(Method::PUT, "/api/v1/bundle").json(bindings))
        .await
}

on_both_backends! {
    async fn a_tenant_admin_cannot_mint_a_key_that_uploads(app) {
        let partner = app.key("partner").await;
        let resp = upload(&app, &partner, components::GREETER_V1).await;
        let body = resp.problem(StatusCode::FORBIDDEN, "forbidden");
        assert!(
            body["detail"].as_str().unwrap_or_default().contains("operator"),
            "the refusal says who issues publishers: {body}"
        );
        let resp = upload(&app, &app.admin, components::GREETER_V1).await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        let resp = app
            .send(app.req(Method::POST, "/api/v1/publishers").json(json!({"name": "Self-made"})))
            .await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        assert!(!listed(&app, OPERATOR_KEY).await.contains(&"greeter@1.0.0".to_string()));
    }

    async fn a_publisher_may_not_take_a_first_party_name_or_one_someone_else_owns(app) {
        let first = app.publisher("First Partner").await;
        let second = app.publisher("Second Partner").await;

        let squatter = component(components::SQUATTER);
        let compiled = app.services.runtime.load(&squatter).await.expect("it loads");
        let resp = upload(&app, &first, components::SQUATTER).await;
        let body = resp.problem(StatusCode::CONFLICT, "plugin-name-reserved");
        assert_eq!(body["name"], "appliance");
        assert!(!listed(&app, OPERATOR_KEY).await.contains(&"appliance@0.1.1".to_string()));
        let again = app.services.runtime.load(&squatter).await.expect("it loads");
        assert!(!Arc::ptr_eq(&compiled, &again), "the refused component left the runtime");

        let resp = upload(&app, &first, components::GREETER_V1).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        let resp = upload(&app, &second, components::GREETER_V2).await;
        let body = resp.problem(StatusCode::CONFLICT, "plugin-name-taken");
        assert_eq!(body["name"], "greeter");
        // The owner adds versions of its own name.
        let resp = upload(&app, &first, components::GREETER_V2).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);

        // A name the operator installed first is the operator's, even for
        // the very same bytes.
        let resp = upload(&app, &second, components::HOSTILE).await;
        resp.problem(StatusCode::CONFLICT, "plugin-name-taken");
    }

    async fn a_private_upload_is_seen_and_bound_only_after_the_operator_publishes_it(app) {
        let owner = app.publisher("Greeter Works").await;
        let other = app.publisher("Someone Else").await;
        let resp = upload(&app, &owner, components::GREETER_V1).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        assert_eq!(resp.body["published_at"], Value::Null, "private at first");
        let id = resp.body["id"].as_str().expect("an id").to_string();
        let by_id = format!("/api/v1/plugins/{id}");

        assert_eq!(listed(&app, &owner).await, ["greeter@1.0.0"], "a publisher sees its own only");
        assert_eq!(get(&app, &owner, &by_id).await.status, StatusCode::OK);
        assert!(listed(&app, OPERATOR_KEY).await.contains(&"greeter@1.0.0".to_string()));
        for token in [app.admin.as_str(), other.as_str()] {
            assert!(!listed(&app, token).await.iter().any(|p| p.starts_with("greeter@")));
            for path in [by_id.as_str(), "/api/v1/plugins/greeter@1.0.0"] {
                get(&app, token, path).await.problem(StatusCode::NOT_FOUND, "not-found");
            }
        }
        assert!(listed(&app, &other).await.is_empty(), "nothing of anyone else's");

        // Binding it reads exactly like binding a version that does not exist.
        let private = bind_greeter(&app, "1.0.0").await;
        let unknown = bind_greeter(&app, "9.9.9").await;
        private.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        unknown.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert_eq!(
            private.body["detail"].as_str().map(|d| d.replace("1.0.0", "V")),
            unknown.body["detail"].as_str().map(|d| d.replace("9.9.9", "V")),
        );

        let publish = format!("{by_id}/publish");
        let resp = app.send(Req::new(Method::POST, &publish).bearer(&owner)).await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        let resp = app.send(Req::new(Method::POST, &publish).bearer(OPERATOR_KEY)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        assert!(resp.body["published_at"].is_string(), "{}", resp.body);

        assert!(listed(&app, &app.admin).await.contains(&"greeter@1.0.0".to_string()));
        assert_eq!(get(&app, &app.admin, &by_id).await.status, StatusCode::OK);
        let bound = bind_greeter(&app, "1.0.0").await;
        assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
        // Published, still not the other publisher's.
        get(&app, &other, &by_id).await.problem(StatusCode::NOT_FOUND, "not-found");
    }

    async fn uploads_beyond_a_publishers_quota_are_refused_and_nothing_is_stored(app) {
        let one = app.issue_publisher(json!({"name": "One Version", "max_plugins": 1})).await;
        assert_eq!(one["max_plugins"], 1);
        assert_eq!(one["max_bytes"], 64 << 20, "the default bytes quota");
        let one = one["key"].as_str().expect("a key").to_string();
        let resp = upload(&app, &one, components::GREETER_V1).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        let size = resp.body["size_bytes"].as_u64().expect("a size");
        let resp = upload(&app, &one, components::GREETER_V1).await;
        assert_eq!(resp.status, StatusCode::OK, "the same bytes again count once: {}", resp.body);
        let resp = upload(&app, &one, components::GREETER_V2).await;
        let body = resp.problem(StatusCode::FORBIDDEN, "quota-exceeded");
        assert_eq!((body["quota"].clone(), body["usage"].clone(), body["limit"].clone()),
            (json!("plugins"), json!(1), json!(1)), "{body}");

        let small = app.issue_publisher(json!({"name": "Small Budget", "max_bytes": 1000})).await;
        assert_eq!(small["max_plugins"], 20, "the default count quota");
        let small = small["key"].as_str().expect("a key").to_string();
        let resp = upload(&app, &small, components::LEGACY_V1).await;
        let body = resp.problem(StatusCode::FORBIDDEN, "quota-exceeded");
        assert_eq!((body["quota"].clone(), body["usage"].clone(), body["limit"].clone()),
            (json!("bytes"), json!(0), json!(1000)), "{body}");

        let everything = listed(&app, OPERATOR_KEY).await;
        assert!(!everything.contains(&"greeter@2.0.0".to_string()), "{everything:?}");
        assert!(listed(&app, &small).await.is_empty());

        let resp = get(&app, OPERATOR_KEY, "/api/v1/publishers").await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        let usage: Vec<(Value, Value, Value)> = resp.body.as_array().expect("a list").iter()
            .map(|p| (p["name"].clone(), p["plugins"].clone(), p["bytes"].clone()))
            .collect();
        assert_eq!(usage, [
            (json!("One Version"), json!(1), json!(size)),
            (json!("Small Budget"), json!(0), json!(0)),
        ]);
        assert!(
            resp.body.as_array().expect("a list").iter().all(|p| p.get("key").is_none()),
            "keys are shown once: {}",
            resp.body
        );
    }

    async fn a_revoked_publisher_key_is_unauthorized(app) {
        let issued = app.issue_publisher(json!({"name": "Short Lived"})).await;
        let key = issued["key"].as_str().expect("a key").to_string();
        let revoke = format!("/api/v1/publishers/{}", issued["id"].as_str().expect("an id"));
        assert_eq!(get(&app, &key, "/api/v1/plugins").await.status, StatusCode::OK);

        let resp = app.send(app.req(Method::DELETE, &revoke)).await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        let resp = app.send(Req::new(Method::DELETE, &revoke).bearer(OPERATOR_KEY)).await;
        assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.body);

        let resp = upload(&app, &key, components::GREETER_V1).await;
        resp.problem(StatusCode::UNAUTHORIZED, "unauthorized");
        get(&app, &key, "/api/v1/plugins").await.problem(StatusCode::UNAUTHORIZED, "unauthorized");
        let resp = app.send(Req::new(Method::DELETE, &revoke).bearer(OPERATOR_KEY)).await;
        resp.problem(StatusCode::NOT_FOUND, "not-found");
        let resp = get(&app, OPERATOR_KEY, "/api/v1/publishers").await;
        assert!(resp.body[0]["revoked_at"].is_string(), "{}", resp.body);
    }

    async fn a_version_no_tenant_binds_is_unloaded_once_the_bundle_moves_off_it(app) {
        for path in [components::GREETER_V1, components::GREETER_V2] {
            let resp = upload(&app, OPERATOR_KEY, path).await;
            assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        }
        let catalog = &app.services.catalog;
        let resp = bind_greeter(&app, "1.0.0").await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        let v1 = catalog.installed("greeter", "1.0.0").await.expect("loaded");
        assert!(Arc::ptr_eq(&v1, &catalog.installed("greeter", "1.0.0").await.expect("loaded")));

        let resp = bind_greeter(&app, "2.0.0").await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        let reloaded = catalog.installed("greeter", "1.0.0").await.expect("loads again");
        assert!(!Arc::ptr_eq(&v1, &reloaded), "nobody binds 1.0.0, so it was unloaded");
        let v2 = catalog.installed("greeter", "2.0.0").await.expect("loaded");
        assert!(Arc::ptr_eq(&v2, &catalog.installed("greeter", "2.0.0").await.expect("loaded")));
    }
}
