//! `POST /tickets/bulk`: one change for many tickets, each its own change,
//! each outcome told; a refusal stops nothing but its own ticket.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use aftersale::domain::Role;

use crate::console::PASSWORD;
use crate::harness::app::{Req, TestApp, on_both_backends};

async fn trial(app: &TestApp, attributes: Value) -> String {
    let resp = app
        .send(app.req(Method::POST, "/api/v1/tickets").json(json!({
            "kind": "trial", "title": "Bulk", "channel": "api",
            "customer": {"name": "Zhang Wei", "phone": "13800138000"},
            "attributes": attributes,
        })))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body["id"].as_str().unwrap().to_string()
}

fn problem_type(outcome: &Value) -> &str {
    outcome["problem"]["type"].as_str().unwrap_or_default()
}

on_both_backends! {
    async fn a_bulk_change_tells_each_tickets_outcome(app) {
        let ready = trial(&app, json!({"mode": "behave", "verdict": "fixed"})).await;
        let unready = trial(&app, json!({"mode": "behave"})).await;
        let missing = Uuid::now_v7().to_string();
        let resp = app
            .send(app.req(Method::POST, "/api/v1/tickets/bulk").json(json!({
                "tickets": [ready, unready, missing],
                "transition": {"name": "finish", "note": "closing the batch"},
            })))
            .await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        let results = resp.body["results"].as_array().unwrap();
        assert_eq!(resp.body["changed"], 1);
        assert_eq!(results[0]["ticket"], ready.as_str());
        assert_eq!((results[0]["ok"].clone(), results[0]["state"].clone()), (json!(true), json!("done")));
        assert_eq!(problem_type(&results[1]), "/problems/plugin-rejected");
        assert_eq!(results[1]["problem"]["rule"], "H1");
        assert_eq!(problem_type(&results[2]), "/problems/not-found");
        // The refused ticket is as it was; the done one cannot finish again.
        let unready_now = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{unready}"))).await;
        assert_eq!((unready_now.body["state"].clone(), unready_now.body["version"].clone()), (json!("open"), json!(1)));
        let again = app
            .send(app.req(Method::POST, "/api/v1/tickets/bulk").json(json!({
                "tickets": [ready], "transition": {"name": "finish"},
            })))
            .await;
        assert_eq!(problem_type(&again.body["results"][0]), "/problems/transition-not-allowed");

        // Assign both to an account, then to someone who is none.
        app.services
            .create_user(app.tenant, "li@acme.test", "li@acme.test", Role::Agent, PASSWORD)
            .await
            .unwrap();
        let assigned = app
            .send(app.req(Method::POST, "/api/v1/tickets/bulk").json(json!({
                "tickets": [ready, unready], "assignee": "li@acme.test",
            })))
            .await;
        assert_eq!(assigned.body["changed"], 2, "{}", assigned.body);
        let listed = app.send(app.req(Method::GET, "/api/v1/tickets?assignee=li@acme.test")).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
        let nobody = app
            .send(app.req(Method::POST, "/api/v1/tickets/bulk").json(json!({
                "tickets": [ready, unready], "assignee": "nobody@acme.test",
            })))
            .await;
        assert_eq!(nobody.body["changed"], 0);
        assert_eq!(problem_type(&nobody.body["results"][1]), "/problems/invalid-request");
        let unassigned = app
            .send(app.req(Method::POST, "/api/v1/tickets/bulk").json(json!({
                "tickets": [unready], "assignee": null,
            })))
            .await;
        assert_eq!(unassigned.body["changed"], 1, "{}", unassigned.body);
    }

    async fn a_bulk_request_that_is_itself_wrong_changes_nothing(app) {
        let one = trial(&app, json!({"mode": "behave", "verdict": "fixed"})).await;
        let too_many: Vec<String> = (0..101).map(|_| Uuid::now_v7().to_string()).collect();
        for body in [
            json!({"tickets": [one], "transition": {"name": "finish"}, "assignee": null}),
            json!({"tickets": [one]}),
            json!({"tickets": [], "transition": {"name": "finish"}}),
            json!({"tickets": [one, one], "transition": {"name": "finish"}}),
            json!({"tickets": too_many, "transition": {"name": "finish"}}),
        ] {
            let resp = app.send(app.req(Method::POST, "/api/v1/tickets/bulk").json(body.clone())).await;
            resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
        let viewer = app.key("viewer").await;
        let resp = app
            .send(Req::new(Method::POST, "/api/v1/tickets/bulk").bearer(&viewer)
                .json(json!({"tickets": [one], "transition": {"name": "finish"}})))
            .await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
        let still = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{one}"))).await;
        assert_eq!(still.body["state"], "open");
    }
}
