//! Every failure has a problem+json answer with a stable type.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::app::{Req, on_both_backends, trial_body};

on_both_backends! {
    async fn malformed_json_is_400(app) {
        let resp = app
            .send(app.req(Method::POST, "/api/v1/tickets").raw("application/json", "{\"kind\": \"trial\","))
            .await;
        resp.problem(StatusCode::BAD_REQUEST, "malformed-json");
    }

    async fn an_unknown_field_is_named(app) {
        let mut body = trial_body("behave");
        body["colour"] = json!("red");
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-field");
        assert!(problem["detail"].as_str().unwrap().contains("colour"));
    }

    async fn a_wrong_type_is_an_invalid_request(app) {
        let mut body = trial_body("behave");
        body["channel"] = json!("pigeon");
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }

    async fn attributes_breaking_the_plugin_schema_list_each_violation(app) {
        let mut body = trial_body("behave");
        body["attributes"]["score"] = json!("lots");
        body["attributes"]["verdict"] = json!(3);
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "schema-violation");
        let pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter()
            .map(|e| e["pointer"].as_str().unwrap()).collect();
        assert!(pointers.contains(&"/score") && pointers.contains(&"/verdict"), "{pointers:?}");
    }

    async fn a_ticket_the_host_itself_refuses(app) {
        let mut body = trial_body("behave");
        body["customer"] = json!({"name": "Nobody"});
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("reached"));
    }

    async fn an_unknown_kind_lists_the_known_ones(app) {
        let mut body = trial_body("behave");
        body["kind"] = json!("teleportation");
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-kind");
        let known = problem["known_kinds"].as_array().unwrap();
        assert!(known.contains(&json!("installation")) && known.contains(&json!("trial")));
    }

    async fn an_oversize_body_is_413(app) {
        let mut body = trial_body("behave");
        body["description"] = json!("x".repeat(2 << 20));
        let resp = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        resp.problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    }

    async fn a_body_that_is_not_json_is_415(app) {
        let resp = app
            .send(app.req(Method::POST, "/api/v1/tickets").raw("text/plain", "kind=trial"))
            .await;
        resp.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    }

    async fn unknown_tickets_and_routes_are_404(app) {
        let resp = app.send(app.req(Method::GET, "/api/v1/tickets/0190a000-0000-7000-8000-000000000000")).await;
        resp.problem(StatusCode::NOT_FOUND, "not-found");
        let resp = app.send(app.req(Method::GET, "/api/v1/tickets/not-a-uuid")).await;
        resp.problem(StatusCode::NOT_FOUND, "not-found");
        let resp = app.send(app.req(Method::GET, "/api/v1/nothing-here")).await;
        resp.problem(StatusCode::NOT_FOUND, "not-found");
        let resp = app.send(app.req(Method::DELETE, "/api/v1/tickets")).await;
        resp.problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    }

    async fn versions_guard_every_change(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}/transitions", ticket["id"].as_str().unwrap());
        let pause = json!({"transition": "pause"});
        let missing = app.send(app.req(Method::POST, &path).json(pause.clone())).await;
        missing.problem(StatusCode::PRECONDITION_REQUIRED, "precondition-required");
        let stale = app.send(app.req(Method::POST, &path).if_match(7).json(pause.clone())).await;
        let problem = stale.problem(StatusCode::CONFLICT, "stale-version");
        assert_eq!(problem["current_version"], 1);
        let garbled = app.send(app.req(Method::POST, &path).header("if-match", "yesterday").json(pause)).await;
        garbled.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }

    async fn a_transition_the_workflow_lacks_names_the_allowed_ones(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}/transitions", ticket["id"].as_str().unwrap());
        let resp = app.send(app.req(Method::POST, &path).if_match(1).json(json!({"transition": "reopen"}))).await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "transition-not-allowed");
        assert_eq!(problem["state"], "open");
        assert_eq!(problem["allowed"], json!(["finish", "start", "pause"]));
    }

    async fn roles_are_enforced(app) {
        let viewer = app.key("viewer").await;
        let agent = app.key("agent").await;
        let created = app
            .send(Req::new(Method::POST, "/api/v1/tickets").bearer(&viewer).json(trial_body("behave")))
            .await;
        created.problem(StatusCode::FORBIDDEN, "forbidden");

        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let read = app.send(Req::new(Method::GET, &path).bearer(&viewer)).await;
        assert_eq!(read.status, StatusCode::OK);

        // `finish` lists agents but `pause` → `reopen` lists only admins.
        let finished = app
            .send(Req::new(Method::POST, &format!("{path}/transitions")).bearer(&agent).if_match(1)
                .json(json!({"transition": "finish", "attributes": {"verdict": "ok"}})))
            .await;
        assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
        let version = finished.body["version"].as_i64().unwrap();
        let reopened = app
            .send(Req::new(Method::POST, &format!("{path}/transitions")).bearer(&agent).if_match(version)
                .json(json!({"transition": "reopen"})))
            .await;
        let problem = reopened.problem(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(problem["allowed_roles"], json!(["admin"]));

        let keys = app.send(Req::new(Method::GET, "/api/v1/keys").bearer(&agent)).await;
        keys.problem(StatusCode::FORBIDDEN, "forbidden");
    }

    async fn credentials_are_required_and_checked(app) {
        let anonymous = app.send(Req::new(Method::GET, "/api/v1/tickets")).await;
        anonymous.problem(StatusCode::UNAUTHORIZED, "unauthorized");
        let forged = app.send(Req::new(Method::GET, "/api/v1/tickets").bearer("ask_forged")).await;
        forged.problem(StatusCode::UNAUTHORIZED, "unauthorized");

        let agent = app.key("agent").await;
        let keys = app.send(app.req(Method::GET, "/api/v1/keys")).await;
        let agent_key = keys.body.as_array().unwrap().iter().find(|k| k["role"] == "agent").unwrap();
        let revoked = app
            .send(app.req(Method::DELETE, &format!("/api/v1/keys/{}", agent_key["id"].as_str().unwrap())))
            .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        let after = app.send(Req::new(Method::GET, "/api/v1/tickets").bearer(&agent)).await;
        after.problem(StatusCode::UNAUTHORIZED, "unauthorized");
    }

    async fn idempotency_keys_replay_the_first_answer(app) {
        let first = app
            .send(app.req(Method::POST, "/api/v1/tickets").header("idempotency-key", "order-42").json(trial_body("count")))
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let again = app
            .send(app.req(Method::POST, "/api/v1/tickets").header("idempotency-key", "order-42").json(trial_body("count")))
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.body, first.body);

        let different = app
            .send(app.req(Method::POST, "/api/v1/tickets").header("idempotency-key", "order-42").json(trial_body("behave")))
            .await;
        different.problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused");

        let list = app.send(app.req(Method::GET, "/api/v1/tickets")).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    }
}
