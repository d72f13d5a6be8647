//! Tenants: created by the operator, isolated from each other, each with
//! its own bundle and configuration.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::app::{OPERATOR_KEY, Req, on_both_backends, trial_body};

on_both_backends! {
    async fn a_tenant_sees_nothing_of_another(app) {
        let created = app
            .send(Req::new(Method::POST, "/api/v1/tenants").bearer(OPERATOR_KEY).json(json!({"name": "Other Co"})))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let other = created.body["admin_key"].as_str().unwrap().to_string();
        assert!(other.starts_with("ask_"));

        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        for req in [
            Req::new(Method::GET, &path),
            Req::new(Method::GET, &format!("{path}/events")),
        ] {
            app.send(req.bearer(&other)).await.problem(StatusCode::NOT_FOUND, "not-found");
        }
        app.send(Req::new(Method::POST, &format!("{path}/transitions")).bearer(&other).if_match(1)
            .json(json!({"transition": "pause"})))
            .await
            .problem(StatusCode::NOT_FOUND, "not-found");
        let list = app.send(Req::new(Method::GET, "/api/v1/tickets").bearer(&other)).await;
        assert_eq!(list.body["items"], json!([]));

        // `trial` is bound to the test plugin for the first tenant only: its
        // plugin never runs for the other.
        app.send(Req::new(Method::POST, "/api/v1/tickets").bearer(&other).json(trial_body("behave")))
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-kind");
        // The first tenant's ticket is untouched.
        let mine = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(mine.body["version"], 1);
    }

    async fn only_the_operator_manages_tenants(app) {
        app.send(app.req(Method::POST, "/api/v1/tenants").json(json!({"name": "Sneaky"})))
            .await
            .problem(StatusCode::FORBIDDEN, "forbidden");
        app.send(Req::new(Method::GET, "/api/v1/tickets").bearer(OPERATOR_KEY))
            .await
            .problem(StatusCode::FORBIDDEN, "forbidden");
        let tenants = app.send(Req::new(Method::GET, "/api/v1/tenants").bearer(OPERATOR_KEY)).await;
        assert_eq!(tenants.status, StatusCode::OK);
        assert_eq!(tenants.body[0]["name"], "Acme Service");
        assert_eq!(tenants.body[0]["time_zone"], "Asia/Shanghai");
    }

    async fn new_tenants_start_with_the_first_party_bundle(app) {
        let bundle = app.send(app.req(Method::GET, "/api/v1/bundle")).await;
        assert_eq!(bundle.status, StatusCode::OK);
        let bindings = bundle.body["bindings"].as_array().unwrap();
        let plugin_of = |kind: &str| {
            bindings.iter().find(|b| b["kind"] == kind).map(|b| b["plugin"].as_str().unwrap().to_string())
        };
        assert_eq!(plugin_of("installation").as_deref(), Some("appliance"));
        assert_eq!(plugin_of("incident").as_deref(), Some("it-support"));
        assert_eq!(plugin_of("return").as_deref(), Some("retail-returns"));
        assert_eq!(plugin_of("complaint").as_deref(), Some("complaints"));
        assert_eq!(plugin_of("trial").as_deref(), Some("hostile"));
    }

    async fn a_tenant_changes_plugin_configuration_and_the_next_decision_sees_it(app) {
        let config = app.send(app.req(Method::GET, "/api/v1/plugins/hostile/config")).await;
        assert_eq!(config.status, StatusCode::OK, "{}", config.body);
        assert_eq!(config.body, json!({}));
        let set = app
            .send(app.req(Method::PUT, "/api/v1/plugins/hostile/config").json(json!({"threshold": 3})))
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        let ticket = app.trial("behave").await;
        let answer = app
            .send(app.req(Method::POST, &format!("/api/v1/tickets/{}/actions/echo", ticket["id"].as_str().unwrap())))
            .await;
        assert_eq!(answer.body["output"]["config"], json!({"threshold": 3}));

        let merged = app
            .send(app.req(Method::PUT, "/api/v1/plugins/appliance/config")
                .json(json!({"arrival_hours": {"city": 12}})))
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        assert_eq!(merged.body["arrival_hours"]["city"], 12);
        assert_eq!(merged.body["arrival_hours"]["rural"], 72);
        let broken = app
            .send(app.req(Method::PUT, "/api/v1/plugins/appliance/config")
                .json(json!({"arrival_hours": {"city": "soon"}})))
            .await;
        broken.problem(StatusCode::UNPROCESSABLE_ENTITY, "schema-violation");
    }

    async fn rebinding_a_kind_takes_effect_for_the_next_call(app) {
        let unknown = app
            .send(app.req(Method::PUT, "/api/v1/bundle")
                .json(json!({"bindings": [{"kind": "trial", "plugin": "hostile", "version": "9.9.9"}]})))
            .await;
        let problem = unknown.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("hostile@9.9.9 is not installed"));
        let wrong_kind = app
            .send(app.req(Method::PUT, "/api/v1/bundle")
                .json(json!({"bindings": [{"kind": "trial", "plugin": "appliance", "version": "0.2.0"}]})))
            .await;
        wrong_kind.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }
}
