//! Tickets through the HTTP API: create → transition → timeline, guard
//! rejections and plugin failures that leave no trace, effects, rebuilding a
//! ticket from its events.

use aftersale::domain::Role;
use aftersale::domain::event::replay;
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::console::PASSWORD;
use crate::harness::app::{on_both_backends, trial_body};

fn id(ticket: &serde_json::Value) -> Uuid {
    ticket["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a ticket id")
}

fn kinds(events: &serde_json::Value) -> Vec<String> {
    events["items"]
        .as_array()
        .expect("a list of events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

on_both_backends! {
    async fn create_transition_and_read_the_timeline(app) {
        let created = app
            .send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("behave")))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let ticket = created.body;
        assert_eq!(ticket["state"], "open");
        assert_eq!(ticket["category"], "new");
        assert_eq!(ticket["priority"], "P3");
        assert_eq!(ticket["version"], 1);
        assert_eq!(created.headers["etag"], "\"1\"");
        let location = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        assert_eq!(created.headers["location"], location.as_str());

        let moved = app
            .send(
                app.req(Method::POST, &format!("{location}/transitions"))
                    .if_match(1)
                    .json(json!({"transition": "finish", "attributes": {"verdict": "fixed"}, "note": "done"})),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.body["state"], "done");
        assert_eq!(moved.body["category"], "resolved");
        assert_eq!(moved.body["attributes"]["verdict"], "fixed");

        let events = app.send(app.req(Method::GET, &format!("{location}/events"))).await;
        assert_eq!(events.status, StatusCode::OK);
        // The guard's note and the `after` hook's note follow the transition.
        assert_eq!(
            kinds(&events.body),
            ["created", "attribute_set", "transitioned", "survey_issued", "commented", "commented"]
        );
        let transitioned = &events.body["items"][2];
        assert_eq!(transitioned["data"]["from"], "open");
        assert_eq!(transitioned["data"]["to"], "done");
        assert_eq!(transitioned["data"]["note"], "done");
        assert_eq!(transitioned["plugin"], "hostile@6.6.6");
        let seqs: Vec<i64> = events.body["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
        assert_eq!(moved.body["version"], 6);
    }

    async fn the_ticket_row_is_rebuilt_from_its_events(app) {
        let tech = app.services.create_user(app.tenant, "tech-7", "Wang", Role::Technician, PASSWORD)
            .await.unwrap();
        let ticket = app.trial("effects").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let edited = app
            .send(app.req(Method::PATCH, &path).if_match(ticket["version"].as_i64().unwrap())
                .json(json!({"attributes": {"verdict": "pending"}, "priority": "P1", "assignee": tech.id})))
            .await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
        let caller = aftersale::service::Caller::system(app.tenant);
        let stored = app.services.ticket(&caller, id(&ticket)).await.unwrap();
        let events = app.services.events(&caller, id(&ticket)).await.unwrap();
        let rebuilt = replay(&events).expect("the log starts with created");
        assert_eq!(rebuilt, stored);
        assert_eq!(stored.assignee.as_deref(), Some("tech-7"), "a user id is stored as the login");
    }

    async fn the_timeline_pages_with_a_cursor(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let mut version = 1;
        for n in 0..12 {
            let resp = app.send(app.req(Method::POST, &format!("{path}/comments")).if_match(version)
                .json(json!({"body": format!("comment {n}")}))).await;
            assert!(resp.status.is_success(), "{}", resp.body);
            version = app.send(app.req(Method::GET, &path)).await.body["version"].as_i64().unwrap();
        }
        let mut seqs = Vec::new();
        let mut cursor: Option<i64> = None;
        let mut pages = 0;
        loop {
            let query = cursor.map_or(String::new(), |c| format!("&cursor={c}"));
            let page = app.send(app.req(Method::GET, &format!("{path}/events?limit=5{query}"))).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 5);
            seqs.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
            pages += 1;
            match page.body["next_cursor"].as_i64() {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<i64> = (1..=version).collect();
        assert_eq!(seqs, expected, "every event once, in order");
        assert_eq!(pages, (version as usize).div_ceil(5), "no empty last page");
        for limit in ["0", "1001"] {
            app.send(app.req(Method::GET, &format!("{path}/events?limit={limit}"))).await
                .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
    }

    async fn only_an_active_account_of_the_tenant_can_be_assigned(app) {
        let gone = app.services.create_user(app.tenant, "gone", "Gone", Role::Technician, PASSWORD)
            .await.unwrap();
        let disabled = app.send(app.req(Method::PATCH, &format!("/api/v1/users/{}", gone.id))
            .json(json!({"disabled": true}))).await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        for who in ["nobody", "gone"] {
            let refused = app
                .send(app.req(Method::PATCH, &path).if_match(1)
                    .json(json!({"priority": "P1", "assignee": who})))
                .await;
            let problem = refused.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains("not an active account"), "{problem}");
        }
        let unchanged = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(unchanged.body["version"], 1, "nothing of the refused edit persists");
        assert_eq!(unchanged.body["priority"], ticket["priority"]);
    }

    async fn a_guard_rejection_leaves_no_trace(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let rejected = app
            .send(app.req(Method::POST, &format!("{path}/transitions")).if_match(1)
                .json(json!({"transition": "finish", "attributes": {"score": 3}})))
            .await;
        let problem = rejected.problem(StatusCode::UNPROCESSABLE_ENTITY, "plugin-rejected");
        assert_eq!(problem["rule"], "H1");
        assert_eq!(problem["code"], "verdict-missing");
        assert_eq!(problem["details"], json!(["verdict"]));
        assert_eq!(problem["plugin"], "hostile@6.6.6");

        let after = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(after.body["version"], 1);
        assert_eq!(after.body["state"], "open");
        assert!(after.body["attributes"].get("score").is_none());
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await;
        assert_eq!(kinds(&events.body), ["created"]);
    }

    async fn a_failing_plugin_fails_closed_and_changes_nothing(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let failed = app
            .send(app.req(Method::POST, &format!("{path}/transitions")).if_match(1)
                .json(json!({"transition": "finish", "attributes": {"mode": "burn", "verdict": "x"}})))
            .await;
        let problem = failed.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        assert_eq!(problem["plugin"], "hostile");
        assert_eq!(problem["hook"], "guard");
        assert_eq!(problem["cause"], "fuel_exhausted");

        let after = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(after.body["version"], 1);
        assert_eq!(after.body["attributes"]["mode"], "behave");
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await;
        assert_eq!(kinds(&events.body), ["created"]);
    }

    async fn a_plugin_rejection_on_create_is_422_and_nothing_is_stored(app) {
        let refused = app
            .send(app.req(Method::POST, "/api/v1/tickets").json(trial_body("bad_score")))
            .await;
        // The plugin broke its own schema: its failure, not the caller's.
        let problem = refused.problem(StatusCode::BAD_GATEWAY, "plugin-failed");
        assert_eq!(problem["cause"], "malformed_output");
        let list = app.send(app.req(Method::GET, "/api/v1/tickets")).await;
        assert_eq!(list.body["items"], json!([]));
    }

    async fn effects_are_applied_with_the_change(app) {
        let ticket = app.trial("effects").await;
        assert_eq!(ticket["attributes"]["score"], 7);
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await;
        let kinds = kinds(&events.body);
        assert_eq!(kinds[0], "created");
        assert!(kinds.contains(&"attribute_set".to_string()));
        assert!(kinds.contains(&"commented".to_string()));
        assert!(kinds.contains(&"linked".to_string()));
        let effects: Vec<_> = events.body["items"].as_array().unwrap().iter()
            .filter(|e| e["kind"] == "plugin_effect")
            .map(|e| e["data"]["effect"]["effect"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(effects, ["schedule_timer"]);
        assert!(kinds.contains(&"notification".to_string()), "{kinds:?}");

        let caller = aftersale::service::Caller::system(app.tenant);
        let timers = app.services.timers(&caller, id(&ticket)).await.unwrap();
        let (sla, plugin): (Vec<_>, Vec<_>) = timers.iter().partition(|t| t.name.starts_with("sla:"));
        assert_eq!(plugin.len(), 1, "{timers:?}");
        assert_eq!(plugin[0].name, "remind");
        assert_eq!(plugin[0].payload, json!({"why": "check back"}));
        assert_eq!(sla.len(), 1, "the response clock's first warning: {timers:?}");

        let spawned = app.send(app.req(Method::GET, "/api/v1/tickets?kind=trial")).await;
        let items = spawned.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let child = items.iter().find(|t| t["title"] == "spawned by a plugin").expect("the follow-up");
        assert_eq!(child["priority"], "P2");
        assert_eq!(child["customer"], ticket["customer"]);
    }

    async fn a_requested_transition_is_taken_by_the_host(app) {
        let ticket = app.trial("request_finish").await;
        assert_eq!(ticket["state"], "done");
        let path = format!("/api/v1/tickets/{}/events", ticket["id"].as_str().unwrap());
        let events = app.send(app.req(Method::GET, &path)).await;
        let transitioned = events.body["items"].as_array().unwrap().iter()
            .find(|e| e["kind"] == "transitioned").expect("a transition");
        assert_eq!(transitioned["actor"]["role"], "system");
        // The guard asked for `finish` again from `done`: refused and recorded.
        let refused = events.body["items"].as_array().unwrap().iter()
            .find(|e| e["kind"] == "plugin_effect").expect("the refusal");
        assert_eq!(refused["data"]["effect"]["effect"], "request_transition");
    }

    async fn comments_and_actions(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let commented = app
            .send(app.req(Method::POST, &format!("{path}/comments")).json(json!({"body": "Called the customer", "internal": true})))
            .await;
        assert_eq!(commented.status, StatusCode::CREATED, "{}", commented.body);

        let answered = app
            .send(app.req(Method::POST, &format!("{path}/actions/echo")).json(json!({"input": {"q": 1}})))
            .await;
        assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
        assert_eq!(answered.body["output"]["input"], json!({"q": 1}));

        let bare = app.send(app.req(Method::POST, &format!("{path}/actions/echo"))).await;
        assert_eq!(bare.status, StatusCode::OK, "{}", bare.body);
        assert_eq!(bare.body["output"]["input"], json!({}));

        let unknown = app.send(app.req(Method::POST, &format!("{path}/actions/divine"))).await;
        unknown.problem(StatusCode::NOT_FOUND, "not-found");
    }

    async fn lists_filter_and_page_with_a_cursor(app) {
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(app.trial("behave").await["id"].clone());
        }
        let paused = ids[0].clone();
        let moved = app
            .send(app.req(Method::POST, &format!("/api/v1/tickets/{}/transitions", paused.as_str().unwrap()))
                .if_match(1).json(json!({"transition": "pause"})))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?kind=trial&limit=2&cursor={c}"),
                None => "/api/v1/tickets?kind=trial&limit=2".to_string(),
            };
            let page = app.send(app.req(Method::GET, &path)).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            seen.extend(page.body["items"].as_array().unwrap().iter().map(|t| t["id"].clone()));
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        ids.reverse();
        assert_eq!(seen, ids, "newest first, each once");

        let waiting = app.send(app.req(Method::GET, "/api/v1/tickets?state=waiting")).await;
        assert_eq!(waiting.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(waiting.body["items"][0]["id"], paused);
    }
}
