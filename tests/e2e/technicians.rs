//! Technicians: an admin makes technician accounts into technicians with
//! their skills, certifications, base, regions, hours and capacity.

use aftersale::domain::Role;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Req, TestApp, on_both_backends};

async fn account(app: &TestApp, login: &str, role: Role) {
    app.services
        .create_user(app.tenant, login, login, role, "correct horse battery")
        .await
        .expect("the user is created");
}

async fn centre(app: &TestApp) -> String {
    let resp = app
        .send(app.req(Method::POST, "/api/v1/service-points").json(json!({
            "name": "Nanning service centre", "kind": "service_centre",
            "region": {"province": "450000", "city": "450100"}, "address": "1 Minzu Avenue"
        })))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body["id"].as_str().unwrap().to_string()
}

fn wang(point: &str) -> Value {
    json!({
        "user": "wang@acme.test",
        "home_point": point,
        "categories": ["air_conditioner", "refrigerator"],
        "certifications": [{"name": "refrigerant", "expires_on": "2027-06-30"},
                           {"name": "work_at_height"}],
        "regions": ["450100"],
        "hours": {"time_zone": "Asia/Shanghai", "week": {"mon": [["08:30", "17:30"]]}},
        "daily_capacity": 5
    })
}

on_both_backends! {
    async fn an_admin_makes_a_technician_and_everyone_reads_it(app) {
        account(&app, "wang@acme.test", Role::Technician).await;
        account(&app, "zhou@acme.test", Role::Partner).await;
        let point = centre(&app).await;
        let created = app.send(app.req(Method::POST, "/api/v1/technicians").json(wang(&point))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["login"], "wang@acme.test");
        assert_eq!(created.body["home_point"], point.as_str());
        assert_eq!(created.body["certifications"][0]["expires_on"], "2027-06-30");
        assert!(created.body["certifications"][1]["expires_on"].is_null());
        assert_eq!(created.body["daily_capacity"], 5);

        // By user id too; a contracted provider's staff default to 6 a day.
        let users = app.send(app.req(Method::GET, "/api/v1/users")).await;
        let zhou = users.body.as_array().unwrap().iter()
            .find(|u| u["login"] == "zhou@acme.test").unwrap()["id"].clone();
        let partner = app.send(app.req(Method::POST, "/api/v1/technicians")
            .json(json!({"user": zhou, "regions": ["450000"]}))).await;
        assert_eq!(partner.status, StatusCode::CREATED, "{}", partner.body);
        assert_eq!(partner.body["login"], "zhou@acme.test");
        assert_eq!(partner.body["daily_capacity"], 6);

        let agent = app.key("agent").await;
        let all = app.send(Req::new(Method::GET, "/api/v1/technicians").bearer(&agent)).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        let logins: Vec<_> = all.body.as_array().unwrap().iter()
            .map(|t| t["login"].as_str().unwrap()).collect();
        assert_eq!(logins, ["wang@acme.test", "zhou@acme.test"]);
        let based = app.send(app.req(Method::GET,
            &format!("/api/v1/technicians?home_point={point}"))).await;
        assert_eq!(based.body.as_array().unwrap().len(), 1, "{}", based.body);

        let path = "/api/v1/technicians/wang@acme.test";
        let denied = app.send(Req::new(Method::PATCH, path).bearer(&agent)
            .json(json!({"daily_capacity": 9}))).await;
        denied.problem(StatusCode::FORBIDDEN, "forbidden");
        let changed = app.send(app.req(Method::PATCH, path)
            .json(json!({"daily_capacity": 8, "home_point": null, "hours": null}))).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(changed.body["daily_capacity"], 8);
        assert!(changed.body["home_point"].is_null() && changed.body["hours"].is_null());
        assert_eq!(changed.body["regions"], json!(["450100"]), "absent fields stay");
        let read = app.send(app.req(Method::GET, path)).await;
        assert_eq!(read.body, changed.body);
    }

    async fn what_cannot_be_a_technician_is_refused_and_nothing_is_written(app) {
        account(&app, "wang@acme.test", Role::Technician).await;
        account(&app, "li@acme.test", Role::Agent).await;
        let point = centre(&app).await;
        let mut cases = Vec::new();
        for (field, value, says) in [
            ("user", json!("nobody@acme.test"), "not an active account"),
            ("user", json!("li@acme.test"), "not a technician or partner"),
            ("home_point", json!("01900000-0000-7000-8000-000000000000"),
                "not a service point"),
            ("regions", json!(["Nanning"]), "GB/T 2260"),
            ("daily_capacity", json!(0), "daily_capacity"),
            ("daily_capacity", json!(51), "daily_capacity"),
            ("certifications", json!([{"name": " "}]), "certification"),
            ("hours", json!({"time_zone": "Asia/Shanghai", "week": {"mon": [["18:00", "09:00"]]}}),
                "hours"),
        ] {
            let mut body = wang(&point);
            body[field] = value;
            cases.push((body, says));
        }
        for (body, says) in cases {
            let resp = app.send(app.req(Method::POST, "/api/v1/technicians").json(body)).await;
            let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains(says), "{says}: {problem}");
        }
        let listed = app.send(app.req(Method::GET, "/api/v1/technicians")).await;
        assert_eq!(listed.body, json!([]));

        let created = app.send(app.req(Method::POST, "/api/v1/technicians").json(wang(&point))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let again = app.send(app.req(Method::POST, "/api/v1/technicians").json(wang(&point))).await;
        let problem = again.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("already"), "{problem}");
        let missing = app.send(app.req(Method::PATCH, "/api/v1/technicians/nobody")
            .json(json!({"daily_capacity": 3}))).await;
        missing.problem(StatusCode::NOT_FOUND, "not-found");
    }
}
