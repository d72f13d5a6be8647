//! A plugin's `notify` reaches real people: the audience is resolved against
//! the ticket and the tenant's accounts when the change is made, recorded on
//! the timeline and handed to webhooks as a `notification` event.

use aftersale::domain::Role;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::{html, person};
use crate::harness::app::{TestApp, on_both_backends, trial_body};

/// The ticket's `notification` events, oldest first.
async fn notices(app: &TestApp, ticket: &str) -> Vec<Value> {
    let events = app
        .send(app.req(Method::GET, &format!("/api/v1/tickets/{ticket}/events")))
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "notification")
        .map(|e| e["data"].clone())
        .collect()
}

/// Who a notice went to, as `kind:login-or-name`.
fn to(notice: &Value) -> Vec<String> {
    notice["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r["kind"].as_str().unwrap() {
            "user" => format!("user:{}", r["login"].as_str().unwrap()),
            kind => format!("{kind}:{}", r["name"].as_str().unwrap()),
        })
        .collect()
}

on_both_backends! {
    async fn notify_reaches_the_assignee_the_stakeholders_and_admins_standing_in_for_a_team(app) {
        let lead = person(&app, "lead@acme.test", Role::Admin).await;
        person(&app, "wang@acme.test", Role::Technician).await;
        let hook = app.send(app.req(Method::POST, "/api/v1/webhooks")
            .json(json!({"url": "https://hooks.example.com/n", "events": ["notification"]}))).await;
        assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);

        let mut body = trial_body("notify");
        body["title"] = json!("Compressor noise");
        let created = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_string();

        // At creation nobody is assigned: the admins stand in, and say why.
        let first = notices(&app, &id).await;
        assert_eq!(first.len(), 3, "{first:?}");
        assert_eq!(first[0]["audience"], "assignee");
        assert_eq!(first[0]["fallback"], "no_assignee");
        assert_eq!(to(&first[0]), ["user:lead@acme.test"]);
        assert_eq!(first[0]["subject"], "Have a look");
        assert_eq!(first[0]["template"], "nudge");
        assert_eq!(to(&first[1]), ["customer:Zhang Wei"]);
        assert_eq!(first[1]["recipients"][0]["phone"], "13800138000");
        assert_eq!(first[2]["audience"], "manager");
        assert_eq!(first[2]["fallback"], "no_teams");
        assert_eq!(to(&first[2]), ["user:lead@acme.test"]);

        // Assigned to a technician, the next notices reach him.
        let version = created.body["version"].as_i64().unwrap();
        let edited = app.send(app.req(Method::PATCH, &format!("/api/v1/tickets/{id}"))
            .if_match(version).json(json!({"assignee": "wang@acme.test"}))).await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
        let version = edited.body["version"].as_i64().unwrap();
        let started = app.send(app.req(Method::POST, &format!("/api/v1/tickets/{id}/transitions"))
            .if_match(version).json(json!({"transition": "start"}))).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let all = notices(&app, &id).await;
        let last = &all[all.len() - 3..];
        assert_eq!(to(&last[0]), ["user:wang@acme.test"]);
        assert!(last[0].get("fallback").is_none(), "{:?}", last[0]);
        assert_eq!(last[0]["recipients"][0]["role"], "technician");
        assert_eq!(to(&last[1]), ["customer:Zhang Wei", "user:wang@acme.test"]);
        assert_eq!(to(&last[2]), ["user:lead@acme.test"]);

        // Each notice is in the outbox for the webhook that asked for them.
        let deliveries = app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries")).await;
        assert_eq!(deliveries.status, StatusCode::OK, "{}", deliveries.body);
        let notified = deliveries.body.as_array().unwrap().iter()
            .filter(|d| d["event_type"] == "notification")
            .count();
        assert_eq!(notified, all.len(), "{}", deliveries.body);

        // The timeline shows whom each notice reached, and why admins stood in.
        let page = app.send(lead.get(&format!("/tickets/{id}"))).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = html(&page);
        assert!(page.contains("wang@acme.test (wang@acme.test)"), "{page}");
        assert!(page.contains("Zhang Wei &lt;13800138000&gt;"), "{page}");
        assert!(page.contains("尚未设置团队"), "the zh-CN console: {page}");
    }
}
