//! The service network: an admin records service centres, authorised
//! outlets and contracted providers; everyone of the tenant finds them by
//! region and kind.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Req, TestApp, on_both_backends};

fn qingxiu() -> Value {
    json!({
        "name": "Nanning Qingxiu service centre",
        "kind": "service_centre",
        "region": {"province": "450000", "city": "450100", "county": "450103"},
        "address": "1 Minzu Avenue, Qingxiu District",
        "phone": "0771-5550100",
        "location": {"lat": 22.817, "lon": 108.366},
        "hours": {"time_zone": "Asia/Shanghai",
                  "week": {"mon": [["09:00", "18:00"]], "sat": [["09:00", "12:00"]]}},
        "kinds": ["installation", "repair"],
        "categories": ["air_conditioner"]
    })
}

async fn create(app: &TestApp, body: Value) -> Value {
    let resp = app
        .send(app.req(Method::POST, "/api/v1/service-points").json(body))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let resp = app
        .send(app.req(Method::GET, &format!("/api/v1/service-points{query}")))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    async fn an_admin_builds_the_service_network_and_everyone_finds_it_by_region(app) {
        let centre = create(&app, qingxiu()).await;
        assert_eq!(centre["kind"], "service_centre");
        assert_eq!(centre["active"], true);
        assert_eq!(centre["location"], json!({"lat": 22.817, "lon": 108.366}));
        assert_eq!(centre["hours"]["week"]["sat"], json!([["09:00", "12:00"]]));
        create(&app, json!({"name": "Liuzhou authorised outlet", "kind": "authorised_outlet",
            "region": {"province": "450000", "city": "450200"},
            "address": "8 Yuejin Road"})).await;
        create(&app, json!({"name": "Guangzhou provider", "kind": "contracted_provider",
            "region": {"province": "440000", "city": "440100"}, "address": "Tianhe"})).await;

        assert_eq!(names(&app, "?region=450000").await,
            ["Nanning Qingxiu service centre", "Liuzhou authorised outlet"]);
        assert_eq!(names(&app, "?region=450103").await, ["Nanning Qingxiu service centre"]);
        assert_eq!(names(&app, "?kind=contracted_provider").await, ["Guangzhou provider"]);
        assert_eq!(names(&app, "").await.len(), 3);

        // Read by anyone of the tenant, changed only by an admin.
        let id = centre["id"].as_str().unwrap();
        let path = format!("/api/v1/service-points/{id}");
        let agent = app.key("agent").await;
        let read = app.send(Req::new(Method::GET, &path).bearer(&agent)).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.body["address"], "1 Minzu Avenue, Qingxiu District");
        let denied = app.send(Req::new(Method::PATCH, &path).bearer(&agent)
            .json(json!({"active": false}))).await;
        denied.problem(StatusCode::FORBIDDEN, "forbidden");

        // Closing a point keeps it, out of the default list.
        let closed = app.send(app.req(Method::PATCH, &path)
            .json(json!({"active": false, "phone": null, "hours": null}))).await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        assert_eq!(closed.body["active"], false);
        assert!(closed.body["phone"].is_null() && closed.body["hours"].is_null(), "{}", closed.body);
        assert_eq!(closed.body["kinds"], json!(["installation", "repair"]), "absent fields stay");
        assert_eq!(names(&app, "?region=450100").await, Vec::<String>::new());
        assert_eq!(names(&app, "?region=450100&inactive=true").await,
            ["Nanning Qingxiu service centre"]);

        let audit = app.send(app.req(Method::GET, "/api/v1/audit")).await;
        let actions = audit.body["items"].as_array().unwrap().iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("service_point.")))
            .count();
        assert_eq!(actions, 4, "{}", audit.body);
    }

    async fn a_service_point_that_cannot_exist_is_refused_and_nothing_is_written(app) {
        let mut cases = Vec::new();
        for (field, value, says) in [
            ("region", json!({"province": "450100"}), "province code"),
            ("region", json!({"province": "450000", "city": "460100"}), "not in province"),
            ("region", json!({"province": "450000", "county": "450103"}), "needs its city"),
            ("location", json!({"lat": 122.8, "lon": 108.3}), "not on the map"),
            ("hours", json!({"time_zone": "Mars/Olympus", "week": {}}), "hours"),
            ("kinds", json!(["Repair Jobs"]), "not a ticket kind"),
            ("name", json!("   "), "name must not be empty"),
        ] {
            let mut body = qingxiu();
            body[field] = value;
            cases.push((body, says));
        }
        for (body, says) in cases {
            let resp = app.send(app.req(Method::POST, "/api/v1/service-points").json(body)).await;
            let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains(says), "{says}: {problem}");
        }
        let mut unknown = qingxiu();
        unknown["kind"] = json!("franchise");
        let resp = app.send(app.req(Method::POST, "/api/v1/service-points").json(unknown)).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", resp.body);
        assert!(names(&app, "?inactive=true").await.is_empty());

        let centre = create(&app, qingxiu()).await;
        let path = format!("/api/v1/service-points/{}", centre["id"].as_str().unwrap());
        let moved = app.send(app.req(Method::PATCH, &path)
            .json(json!({"region": {"province": "450000", "city": "450100", "county": "440103"}})))
            .await;
        moved.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let kept = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(kept.body["region"]["county"], "450103", "{}", kept.body);
        let missing = app.send(app.req(Method::GET,
            "/api/v1/service-points/01900000-0000-7000-8000-000000000000")).await;
        missing.problem(StatusCode::NOT_FOUND, "not-found");
    }
}
