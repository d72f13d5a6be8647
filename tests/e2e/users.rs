//! Account lifecycle through the API and the console: disabling ends
//! sessions at once, roles change, an admin's reset link sets a new
//! password once, open links can be withdrawn, idle sessions end, the last
//! admin stays, and every admin action is in the audit log.

use aftersale::domain::Role;
use aftersale::service::accounts::SESSION_IDLE;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::{PASSWORD, form, html, person, sign_in};
use crate::harness::app::{Req, TestApp, on_both_backends};

async fn user_id(app: &TestApp, login: &str) -> String {
    let users = app.send(app.req(Method::GET, "/api/v1/users")).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    let user = users
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .cloned();
    user.unwrap_or_else(|| panic!("{login} in {}", users.body))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn patch(app: &TestApp, id: &str, body: Value) -> crate::harness::app::Resp {
    app.send(
        app.req(Method::PATCH, &format!("/api/v1/users/{id}"))
            .json(body),
    )
    .await
}

async fn actions(app: &TestApp) -> Vec<String> {
    let page = app
        .send(app.req(Method::GET, "/api/v1/audit?limit=200"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    async fn disabling_an_account_ends_its_sessions_at_once_and_enabling_lets_it_back(app) {
        let agent = person(&app, "agent@acme.test", Role::Agent).await;
        let id = user_id(&app, "agent@acme.test").await;
        let resp = patch(&app, &id, json!({"disabled": true})).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        assert!(resp.body["disabled_at"].is_string());
        let page = app.send(agent.get("/")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "the open session ended");
        assert_eq!(sign_in(&app, "agent@acme.test", PASSWORD).await.status, StatusCode::UNAUTHORIZED);

        let resp = patch(&app, &id, json!({"disabled": false, "role": "viewer"})).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        assert_eq!(resp.body["role"], "viewer");
        assert!(resp.body["disabled_at"].is_null());
        assert_eq!(sign_in(&app, "agent@acme.test", PASSWORD).await.status, StatusCode::SEE_OTHER);

        let unknown = patch(&app, &uuid::Uuid::now_v7().to_string(), json!({"disabled": true})).await;
        unknown.problem(StatusCode::NOT_FOUND, "not-found");
        let customer = patch(&app, &id, json!({"role": "customer"})).await;
        customer.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let agent_key = app.key("agent").await;
        let denied = app.send(Req::new(Method::PATCH, &format!("/api/v1/users/{id}")).bearer(&agent_key).json(json!({"disabled": true}))).await;
        denied.problem(StatusCode::FORBIDDEN, "forbidden");
    }

    async fn the_last_admin_can_be_neither_demoted_nor_disabled(app) {
        let boss = person(&app, "boss@acme.test", Role::Admin).await;
        let id = user_id(&app, "boss@acme.test").await;
        for body in [json!({"role": "agent"}), json!({"disabled": true})] {
            let resp = patch(&app, &id, body).await;
            let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains("last admin"), "{problem}");
        }
        // With a second admin, the first may step down, from the console too.
        person(&app, "deputy@acme.test", Role::Admin).await;
        let resp = app.send(boss.post(&format!("/users/{id}"), &[("action", "role"), ("role", "agent")])).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
        let users = app.send(app.req(Method::GET, "/api/v1/users")).await.body;
        let boss_now = users.as_array().unwrap().iter().find(|u| u["login"] == "boss@acme.test").unwrap().clone();
        assert_eq!(boss_now["role"], "agent");
    }

    async fn a_reset_link_sets_a_new_password_once_and_ends_the_old_sessions(app) {
        let agent = person(&app, "agent@acme.test", Role::Agent).await;
        let id = user_id(&app, "agent@acme.test").await;
        let issued = app.send(app.req(Method::POST, &format!("/api/v1/users/{id}/password-reset"))).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
        let token = issued.body["token"].as_str().unwrap().to_string();
        assert_eq!(issued.body["link"], format!("/invite/{token}"));
        // Until the link is used, the old password still works.
        assert_eq!(sign_in(&app, "agent@acme.test", PASSWORD).await.status, StatusCode::SEE_OTHER);

        let page = app.send(Req::new(Method::GET, &format!("/invite/{token}")).header("accept-language", "en")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(html(&page).contains("Choose a new password for agent@acme.test"), "{}", html(&page));
        assert!(!html(&page).contains("name=\"name\""), "a reset keeps the name");

        let new_password = "a brand new secret";
        let used = app
            .send(Req::new(Method::POST, &format!("/invite/{token}")).raw("application/x-www-form-urlencoded", form(&[("password", new_password)])))
            .await;
        assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.body);
        assert_eq!(app.send(agent.get("/")).await.status, StatusCode::SEE_OTHER, "the old session ended");
        assert_eq!(sign_in(&app, "agent@acme.test", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&app, "agent@acme.test", new_password).await.status, StatusCode::SEE_OTHER);
        let again = app
            .send(Req::new(Method::POST, &format!("/invite/{token}")).raw("application/x-www-form-urlencoded", form(&[("password", "yet another secret")])))
            .await;
        assert_eq!(again.status, StatusCode::GONE, "a reset link works once");
        let user = app.services.store.user_by_login("agent@acme.test").await.unwrap().unwrap();
        assert_eq!(user.name, "agent@acme.test", "the name stays");
    }

    async fn an_open_invitation_can_be_withdrawn(app) {
        let boss = person(&app, "boss@acme.test", Role::Admin).await;
        let page = app.send(boss.post("/users", &[("login", "new@acme.test"), ("role", "technician")])).await;
        let body = html(&page);
        let at = body.find("/invite/").expect("an invitation link");
        let token: String = body[at + "/invite/".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();

        let open = app.send(app.req(Method::GET, "/api/v1/invitations")).await;
        assert_eq!(open.status, StatusCode::OK, "{}", open.body);
        let listed = open.body.as_array().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["login"], "new@acme.test");
        assert_eq!(listed[0]["reset"], false);
        assert!(!open.body.to_string().contains(&token), "listing shows no token");
        let id = listed[0]["id"].as_str().unwrap();

        let gone = app.send(app.req(Method::DELETE, &format!("/api/v1/invitations/{id}"))).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
        let twice = app.send(app.req(Method::DELETE, &format!("/api/v1/invitations/{id}"))).await;
        twice.problem(StatusCode::NOT_FOUND, "not-found");
        let page = app.send(Req::new(Method::GET, &format!("/invite/{token}"))).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "the link no longer works");
    }

    async fn a_session_idle_for_an_hour_ends(app) {
        app.services.create_user(app.tenant, "agent@acme.test", "Agent", Role::Agent, PASSWORD).await.unwrap();
        let then = aftersale::service::now().checked_sub(SESSION_IDLE).unwrap();
        let signed_in = app.services.sign_in("agent@acme.test", PASSWORD, None, then).await.unwrap().unwrap();
        assert!(app.services.desk(&signed_in.token, aftersale::service::now()).await.unwrap().is_none());
        // A session in use stays.
        let fresh = app.services.sign_in("agent@acme.test", PASSWORD, None, aftersale::service::now()).await.unwrap().unwrap();
        assert!(app.services.desk(&fresh.token, aftersale::service::now()).await.unwrap().is_some());
    }

    async fn every_admin_action_is_in_the_audit_log_newest_first(app) {
        person(&app, "boss@acme.test", Role::Admin).await;
        person(&app, "agent@acme.test", Role::Agent).await;
        let id = user_id(&app, "agent@acme.test").await;
        app.key("viewer").await;
        patch(&app, &id, json!({"disabled": true})).await;
        patch(&app, &id, json!({"disabled": false})).await;
        patch(&app, &id, json!({"role": "technician"})).await;
        app.send(app.req(Method::POST, &format!("/api/v1/users/{id}/password-reset"))).await;
        app.send(app.req(Method::PUT, "/api/v1/sla/settings").json(json!({"warnings": [60]}))).await;
        app.send(app.req(Method::POST, "/api/v1/webhooks").json(json!({"url": "https://hooks.example.com/x", "events": ["*"]}))).await;

        let seen = actions(&app).await;
        let expected = ["webhook.create", "sla.settings", "user.reset_password", "user.role", "user.enable", "user.disable", "key.create"];
        assert_eq!(&seen[..expected.len()], expected, "{seen:?}");
        let page = app.send(app.req(Method::GET, "/api/v1/audit?limit=2")).await.body;
        let entry = &page["items"][0];
        assert!(entry["actor"].as_str().unwrap().parse::<uuid::Uuid>().is_ok(), "a key acts under its id: {entry}");
        assert_eq!(entry["role"], "admin");
        assert!(!page.to_string().contains("whsec_"), "no secret in the log");
        let cursor = page["next_cursor"].as_str().unwrap();
        let next = app.send(app.req(Method::GET, &format!("/api/v1/audit?limit=2&cursor={cursor}"))).await.body;
        assert_eq!(next["items"][0]["action"], "user.reset_password");

        let agent_key = app.key("agent").await;
        let denied = app.send(Req::new(Method::GET, "/api/v1/audit").bearer(&agent_key)).await;
        denied.problem(StatusCode::FORBIDDEN, "forbidden");
    }
}
