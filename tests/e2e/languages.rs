//! Plugins from other toolchains: the Python and JavaScript projects that
//! `aftersale plugin new` writes build with their pinned toolchains, install
//! through a publisher, are published and bound, and decide over HTTP like
//! a Rust plugin.

use aftersale::scaffold::Lang;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::app::{OPERATOR_KEY, Req, TestApp, on_both_backends};
use crate::harness::support::kit;

/// Upload the kit's component for `lang` as a new publisher, publish it and
/// bind its kind; the kind's name.
async fn install_and_bind(app: &TestApp, lang: Lang) -> String {
    let publisher = app.publisher("Polyglot Partner").await;
    let bytes = std::fs::read(kit(lang)).expect("the kit was built");
    let resp = app
        .send(
            Req::new(Method::POST, "/api/v1/plugins")
                .bearer(&publisher)
                .raw("application/wasm", bytes),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    let name = resp.body["name"].as_str().expect("a name").to_string();
    assert_eq!(resp.body["version"], "0.1.0");
    let publish = format!(
        "/api/v1/plugins/{}/publish",
        resp.body["id"].as_str().expect("an id")
    );
    let resp = app
        .send(Req::new(Method::POST, &publish).bearer(OPERATOR_KEY))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let kind = name.replace('-', "_");
    let bindings = json!({"bindings": [{"kind": kind, "plugin": name, "version": "0.1.0"}]});
    let resp = app
        .send(app.req(Method::PUT, "/api/v1/bundle").json(bindings))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    kind
}

/// A repair of the kit's kind through its guard's refusal (P1), its
/// `stamp` action, and a finish once the warranty decision is recorded.
async fn guards_and_acts(app: &TestApp, lang: Lang) {
    let kind = install_and_bind(app, lang).await;
    let plugin = format!("{}@0.1.0", kind.replace('_', "-"));
    let created = app
        .send(app.req(Method::POST, "/api/v1/tickets").json(json!({
            "kind": kind,
            "title": "Kettle does not heat",
            "channel": "phone",
            "customer": {"name": "Li Na", "phone": "13700137000"},
            "attributes": {"serial": "SN-2026-0001"},
        })))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["state"], "open");
    let path = format!("/api/v1/tickets/{}", created.body["id"].as_str().unwrap());

    let refused = app
        .send(
            app.req(Method::POST, &format!("{path}/transitions"))
                .if_match(1)
                .json(json!({"transition": "finish"})),
        )
        .await;
    let problem = refused.problem(StatusCode::UNPROCESSABLE_ENTITY, "plugin-rejected");
    assert_eq!(problem["rule"], "P1", "{problem}");
    assert_eq!(problem["code"], "warranty-undecided", "{problem}");
    assert_eq!(problem["details"], json!(["under_warranty"]));
    assert_eq!(problem["plugin"], plugin.as_str());
    let unchanged = app.send(app.req(Method::GET, &path)).await;
    assert_eq!(unchanged.body["version"], 1, "the refusal left no trace");

    let stamped = app
        .send(
            app.req(Method::POST, &format!("{path}/actions/stamp"))
                .json(json!({"input": {"by": "qa-1"}})),
        )
        .await;
    assert_eq!(stamped.status, StatusCode::OK, "{}", stamped.body);
    assert_eq!(stamped.body["output"], json!({"stamped_by": "qa-1"}));
    let after = app.send(app.req(Method::GET, &path)).await;
    assert_eq!(
        after.body["attributes"]["stamped_by"], "qa-1",
        "{}",
        after.body
    );

    let version = after.body["version"].as_i64().expect("a version");
    let finished = app
        .send(
            app.req(Method::POST, &format!("{path}/transitions"))
                .if_match(version)
                .json(json!({"transition": "finish", "attributes": {"under_warranty": true}})),
        )
        .await;
    assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
    assert_eq!(finished.body["state"], "done");
}

on_both_backends! {
    async fn a_python_plugin_guards_and_acts_over_http(app) {
        guards_and_acts(&app, Lang::Python).await;
    }

    async fn a_javascript_plugin_guards_and_acts_over_http(app) {
        guards_and_acts(&app, Lang::Js).await;
    }
}
