//! Saved views: named filters of the queue, kept per person, shared with a
//! team whose members see them; only the owner or an admin deletes one.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use aftersale::domain::Role;

use crate::console::{html, person};
use crate::dispatch::send;
use crate::harness::app::{Req, on_both_backends};

on_both_backends! {
    async fn a_view_is_kept_listed_and_refused_when_wrong(app) {
        let saved = app
            .send(app.req(Method::POST, "/api/v1/views").json(json!({
                "name": "  Urgent 王芳 ", "filter": {"priority": "P1", "q": "王芳", "state": " "}
            })))
            .await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
        assert_eq!(saved.body["name"], "Urgent 王芳");
        assert_eq!(saved.body["filter"], json!({"priority": "P1", "q": "王芳"}));
        let id = saved.body["id"].as_str().unwrap().to_string();
        let listed = send(&app, Method::GET, "/api/v1/views", Value::Null).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["id"], id.as_str());

        for (body, slug) in [
            (json!({"name": "Urgent 王芳"}), "invalid-request"),
            (json!({"name": ""}), "invalid-request"),
            (json!({"name": "x".repeat(61)}), "invalid-request"),
            (json!({"name": "Shared", "team": "nobody"}), "invalid-request"),
        ] {
            app.send(app.req(Method::POST, "/api/v1/views").json(body))
                .await
                .problem(StatusCode::UNPROCESSABLE_ENTITY, slug);
        }
        let unknown = app
            .send(app.req(Method::POST, "/api/v1/views")
                .json(json!({"name": "n", "filter": {"colour": "red"}})))
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);

        // Another key of the tenant keeps its own views, and cannot delete
        // the admin's.
        let agent = app.key("agent").await;
        let theirs = app
            .send(Req::new(Method::GET, "/api/v1/views").bearer(&agent))
            .await;
        assert_eq!(theirs.body, json!([]));
        app.send(Req::new(Method::DELETE, &format!("/api/v1/views/{id}")).bearer(&agent))
            .await
            .problem(StatusCode::FORBIDDEN, "forbidden");
        let gone = app.send(app.req(Method::DELETE, &format!("/api/v1/views/{id}"))).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        app.send(app.req(Method::DELETE, &format!("/api/v1/views/{id}")))
            .await
            .problem(StatusCode::NOT_FOUND, "not-found");
    }

    async fn a_view_shared_with_a_team_reaches_its_members_in_the_console(app) {
        let wang = person(&app, "wang@acme.test", Role::Agent).await;
        let li = person(&app, "li@acme.test", Role::Agent).await;
        let zhou = person(&app, "zhou@acme.test", Role::Agent).await;
        send(&app, Method::POST, "/api/v1/teams", json!({
            "name": "field", "title": "Field service",
            "lead": "wang@acme.test", "members": ["li@acme.test"],
        }))
        .await;
        // wang saves the queue as filtered now, for the team.
        let saved = app
            .send(wang.post("/views", &[
                ("name", "Field P2"), ("share", "field"), ("priority", "P2"), ("kind", "trial"),
            ]))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(saved.headers["location"], "/?kind=trial&priority=P2");
        let queue = app.send(li.get("/")).await;
        let page = html(&queue);
        assert!(page.contains("Field P2"), "a member sees the team's view");
        assert!(page.contains("href=\"/?kind=trial&amp;priority=P2\""), "{page}");
        let elsewhere = app.send(zhou.get("/")).await;
        assert!(!html(&elsewhere).contains("Field P2"), "outside the team it is not seen");
        // zhou cannot share with a team he is not in.
        let refused = app.send(zhou.post("/views", &[("name", "Mine"), ("share", "field")])).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let views = app
            .send(Req::new(Method::GET, "/api/v1/views").bearer(&app.key("admin").await))
            .await;
        assert_eq!(views.body, json!([]), "a key sees only its own views");
        let id = {
            let listed = app.send(wang.get("/")).await;
            let page = html(&listed).to_string();
            let at = page.find("/views/").expect("a delete form");
            page[at + 7..at + 43].to_string()
        };
        let denied = app.send(li.post(&format!("/views/{id}/delete"), &[])).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let deleted = app.send(wang.post(&format!("/views/{id}/delete"), &[])).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert!(!html(&app.send(li.get("/")).await).contains("Field P2"));
    }
}
