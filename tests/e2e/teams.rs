//! Teams: an admin sets up the queues with their leads, managers and support
//! tiers; a plugin's `escalate` moves a ticket to the next tier's team and
//! its notices reach that team's lead and manager.

use aftersale::domain::Role;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::{html, person};
use crate::harness::app::{Req, TestApp, on_both_backends, trial_body};

const PASSWORD: &str = "correct horse battery";

async fn account(app: &TestApp, login: &str, role: Role) {
    app.services
        .create_user(app.tenant, login, login, role, PASSWORD)
        .await
        .expect("the user is created");
}

async fn create_team(app: &TestApp, body: Value) -> Value {
    let resp = app
        .send(app.req(Method::POST, "/api/v1/teams").json(body))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body
}

/// The tenant's desk: first line led by li, second line led by zhao with
/// boss as manager.
async fn two_tiers(app: &TestApp) {
    for (login, role) in [
        ("li@acme.test", Role::Agent),
        ("wang@acme.test", Role::Technician),
        ("zhao@acme.test", Role::Agent),
        ("chen@acme.test", Role::Technician),
        ("boss@acme.test", Role::Admin),
    ] {
        account(app, login, role).await;
    }
    create_team(
        app,
        json!({"name": "desk", "title": "Service desk", "tier": 1,
        "lead": "li@acme.test", "members": ["wang@acme.test"]}),
    )
    .await;
    create_team(
        app,
        json!({"name": "specialists", "title": "Specialists", "tier": 2,
        "lead": "zhao@acme.test", "manager": "boss@acme.test",
        "members": ["chen@acme.test", "zhao@acme.test"]}),
    )
    .await;
}

async fn events(app: &TestApp, ticket: &str) -> Vec<Value> {
    let resp = app
        .send(app.req(Method::GET, &format!("/api/v1/tickets/{ticket}/events")))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body["items"].as_array().unwrap().clone()
}

fn logins(notice: &Value) -> Vec<&str> {
    notice["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["login"].as_str().unwrap_or("?"))
        .collect()
}

async fn edit(app: &TestApp, ticket: &Value, body: Value) -> Value {
    let id = ticket["id"].as_str().unwrap();
    let resp = app
        .send(
            app.req(Method::PATCH, &format!("/api/v1/tickets/{id}"))
                .if_match(ticket["version"].as_i64().unwrap())
                .json(body),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body
}

async fn queue(app: &TestApp, team: &str) -> Vec<String> {
    let resp = app
        .send(app.req(Method::GET, &format!("/api/v1/tickets?team={team}")))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    async fn admins_set_up_teams_and_everyone_reads_them(app) {
        two_tiers(&app).await;

        let listed = app.send(app.req(Method::GET, "/api/v1/teams")).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let names: Vec<_> = listed.body.as_array().unwrap().iter()
            .map(|t| (t["name"].as_str().unwrap(), t["tier"].as_u64())).collect();
        assert_eq!(names, [("desk", Some(1)), ("specialists", Some(2))]);

        // People are stored by login, whether named by login or id.
        let users = app.send(app.req(Method::GET, "/api/v1/users")).await;
        let chen = users.body.as_array().unwrap().iter()
            .find(|u| u["login"] == "chen@acme.test").unwrap()["id"].clone();
        let changed = app.send(app.req(Method::PATCH, "/api/v1/teams/desk")
            .json(json!({"members": [chen, "wang@acme.test", "wang@acme.test"],
                "manager": "boss@acme.test"}))).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(changed.body["members"], json!(["chen@acme.test", "wang@acme.test"]));
        assert_eq!(changed.body["manager"], "boss@acme.test");
        let cleared = app.send(app.req(Method::PATCH, "/api/v1/teams/desk")
            .json(json!({"manager": null}))).await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
        assert!(cleared.body["manager"].is_null(), "{}", cleared.body);
        assert_eq!(cleared.body["tier"], 1, "absent fields stay");

        let agent = app.key("agent").await;
        let read = app.send(Req::new(Method::GET, "/api/v1/teams/specialists").bearer(&agent)).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.body["lead"], "zhao@acme.test");
        let denied = app.send(Req::new(Method::POST, "/api/v1/teams").bearer(&agent)
            .json(json!({"name": "mine", "title": "Mine", "lead": "li@acme.test"}))).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
        let missing = app.send(app.req(Method::GET, "/api/v1/teams/nobody")).await;
        missing.problem(StatusCode::NOT_FOUND, "not-found");

        // What cannot be a team is refused, and nothing is written.
        for (body, says) in [
            (json!({"name": "desk", "title": "Again", "lead": "li@acme.test"}), "desk"),
            (json!({"name": "third", "title": "Third", "tier": 2, "lead": "li@acme.test"}),
                "tier 2"),
            (json!({"name": "Field Service", "title": "F", "lead": "li@acme.test"}),
                "not a team name"),
            (json!({"name": "ghosts", "title": "G", "lead": "nobody@acme.test"}),
                "not an active account"),
            (json!({"name": "deep", "title": "D", "tier": 10, "lead": "li@acme.test"}),
                "tiers run from 1"),
            (json!({"name": "blank", "title": " ", "lead": "li@acme.test"}), "title"),
        ] {
            let resp = app.send(app.req(Method::POST, "/api/v1/teams").json(body)).await;
            let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains(says), "{problem}");
        }
        let moved = app.send(app.req(Method::PATCH, "/api/v1/teams/desk")
            .json(json!({"tier": 2}))).await;
        moved.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let after = app.send(app.req(Method::GET, "/api/v1/teams")).await;
        assert_eq!(after.body.as_array().unwrap().len(), 2, "{}", after.body);
        assert_eq!(after.body[0]["tier"], 1, "{}", after.body);

        let audit = app.send(app.req(Method::GET, "/api/v1/audit")).await;
        assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
        let actions: Vec<_> = audit.body["items"].as_array().unwrap().iter()
            .filter_map(|e| e["action"].as_str()).filter(|a| a.starts_with("team.")).collect();
        assert_eq!(actions.len(), 4, "{actions:?}");
    }

    async fn a_ticket_joins_a_queue_and_the_queue_filters_by_team(app) {
        two_tiers(&app).await;
        let ticket = app.trial("behave").await;
        let id = ticket["id"].as_str().unwrap().to_string();
        assert!(ticket["team"].is_null(), "{ticket}");

        let queued = edit(&app, &ticket, json!({"team": "desk"})).await;
        assert_eq!(queued["team"], "desk");
        let metrics = app.send(app.req(Method::GET, "/api/v1/metrics/service?group_by=team")).await;
        assert_eq!(metrics.status, StatusCode::OK, "{}", metrics.body);
        let groups: Vec<_> = metrics.body["groups"].as_array().unwrap().iter()
            .map(|g| (g["group"].as_str().unwrap(), g["tickets"].as_u64().unwrap())).collect();
        assert_eq!(groups, [("desk", 1)], "{}", metrics.body);
        assert_eq!(queue(&app, "desk").await, std::slice::from_ref(&id));
        assert!(queue(&app, "specialists").await.is_empty());
        let moved = events(&app, &id).await;
        let set = moved.iter().find(|e| e["kind"] == "team_set").expect("a team_set event");
        assert_eq!(set["data"], json!({"before": null, "after": "desk"}));
        assert_eq!(set["actor"]["role"], "admin", "{set}");

        let unknown = app.send(app.req(Method::PATCH, &format!("/api/v1/tickets/{id}"))
            .if_match(queued["version"].as_i64().unwrap())
            .json(json!({"team": "nowhere"}))).await;
        let problem = unknown.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("GET /teams"), "{problem}");

        let out = edit(&app, &queued, json!({"team": null})).await;
        assert!(out["team"].is_null(), "{out}");
        assert!(queue(&app, "desk").await.is_empty());

        // Opened straight into a queue; a plugin's follow-up joins its
        // parent's.
        let mut body = trial_body("effects");
        body["team"] = json!("specialists");
        let parent = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        assert_eq!(parent.status, StatusCode::CREATED, "{}", parent.body);
        assert_eq!(parent.body["team"], "specialists");
        let pid = parent.body["id"].as_str().unwrap();
        let linked = events(&app, pid).await.into_iter().find(|e| e["kind"] == "linked")
            .expect("the follow-up is linked");
        let child = linked["data"]["ticket"].as_str().unwrap();
        assert_eq!(queue(&app, "specialists").await.len(), 2, "parent and follow-up");
        let child = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{child}"))).await;
        assert_eq!(child.body["team"], "specialists", "{}", child.body);
        let mut body = trial_body("behave");
        body["team"] = json!("nowhere");
        let refused = app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await;
        refused.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }

    async fn escalate_moves_the_ticket_to_the_next_tier_and_tells_its_lead(app) {
        two_tiers(&app).await;
        let hook = app.send(app.req(Method::POST, "/api/v1/webhooks")
            .json(json!({"url": "https://hooks.example.com/t", "events": ["escalated"]}))).await;
        assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
        let ticket = app.trial("behave").await;
        let id = ticket["id"].as_str().unwrap().to_string();
        let ticket = edit(&app, &ticket,
            json!({"team": "desk", "assignee": "wang@acme.test"})).await;

        // The plugin's guard escalates once `mode` says so.
        let escalated = edit(&app, &ticket, json!({"attributes": {"mode": "escalate"}})).await;
        assert_eq!(escalated["team"], "specialists", "{escalated}");
        assert!(escalated["assignee"].is_null(), "wang is not a specialist: {escalated}");
        assert_eq!(queue(&app, "specialists").await, std::slice::from_ref(&id));

        let all = events(&app, &id).await;
        let kinds: Vec<_> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        let at = kinds.iter().position(|k| *k == "escalated").expect("an escalated event");
        assert_eq!(&kinds[at..at + 6], ["escalated", "team_set", "assigned", "notification",
            "notification", "notification"]);
        assert_eq!(all[at]["data"], json!({"tier": 2, "team": "specialists",
            "reason": "the customer asked for a specialist"}));
        assert_eq!(all[at]["plugin"], "hostile@6.6.6");
        assert_eq!(all[at + 2]["data"], json!({"before": "wang@acme.test", "after": null}));
        let told = &all[at + 3]["data"];
        assert_eq!((told["audience"].as_str(), told["template"].as_str()),
            (Some("group_lead"), Some("escalated")));
        assert_eq!(logins(told), ["zhao@acme.test"]);
        assert!(told.get("fallback").is_none(), "{told}");
        assert!(told["subject"].as_str().unwrap().starts_with("Escalated to tier 2"), "{told}");
        // The plugin's own notices, after the move, reach the new team.
        assert_eq!(logins(&all[at + 4]["data"]), ["zhao@acme.test"]);
        assert_eq!(logins(&all[at + 5]["data"]), ["boss@acme.test"]);

        // A tier no team serves: the ticket stays, the admins are told why.
        let again = edit(&app, &escalated, json!({"attributes": {"tier": 3}})).await;
        assert_eq!(again["team"], "specialists");
        let all = events(&app, &id).await;
        let at = all.iter().rposition(|e| e["kind"] == "escalated").unwrap();
        assert_eq!(all[at]["data"]["team"], Value::Null);
        let told = &all[at + 1]["data"];
        assert_eq!(told["fallback"], "no_team_for_tier", "{told}");
        assert_eq!(logins(told), ["boss@acme.test"], "the tenant's one admin");

        // The webhook saw both escalations.
        let deliveries = app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries")).await;
        let escalations = deliveries.body.as_array().unwrap().iter()
            .filter(|d| d["event_type"] == "escalated").count();
        assert_eq!(escalations, 2, "{}", deliveries.body);

        // The console's timeline tells it.
        let viewer = person(&app, "viewer@acme.test", Role::Viewer).await;
        let page = app.send(viewer.get(&format!("/tickets/{id}"))).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = html(&page);
        assert!(page.contains("升级到第 2 线（specialists）"), "{page}");
        assert!(page.contains("没有团队负责该支持层级"), "{page}");
    }
}
