//! Spare parts: the catalogue, stock per service point as a ledger, and
//! `reserve-part` taking stock in the same transaction as the change that
//! asks for it — consumed when the repair is resolved, released when it is
//! cancelled, back-ordered or refused as the plugin is configured, and
//! never more than there is, however many reserve at once.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use aftersale::domain::Role;

use crate::console::{PASSWORD, html, person, set_cookie, sign_in};
use crate::dispatch::{desk, send};
use crate::harness::app::{Req, TestApp, on_both_backends};

const SKU: &str = "CAP-35UF";

/// The capacitor of a split air conditioner, alerting at 2 left.
async fn capacitor(app: &TestApp) -> Value {
    send(
        app,
        Method::POST,
        "/api/v1/parts",
        json!({
            "sku": SKU, "name": "Compressor run capacitor 35 µF", "category": "air_conditioner",
            "price": "38.50", "compatible_models": ["KFR-35GW"], "reorder_point": 2
        }),
    )
    .await
}

/// A second service point, Xixiangtang outlet.
async fn outlet(app: &TestApp) -> String {
    let point = send(
        app,
        Method::POST,
        "/api/v1/service-points",
        json!({
            "name": "Xixiangtang outlet", "kind": "authorised_outlet",
            "region": {"province": "450000", "city": "450100", "county": "450107"},
            "address": "8 Daxue Road"
        }),
    )
    .await;
    point["id"].as_str().unwrap().to_string()
}

/// The Qingxiu centre `desk` bases wang at.
async fn centre(app: &TestApp) -> String {
    let points = send(app, Method::GET, "/api/v1/service-points", Value::Null).await;
    let centre = points
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Qingxiu service centre")
        .expect("desk made the centre");
    centre["id"].as_str().unwrap().to_string()
}

async fn receive(app: &TestApp, point: &str, quantity: u32) -> Value {
    send(
        app,
        Method::POST,
        "/api/v1/stock/movements",
        json!({"sku": SKU, "kind": "receive", "service_point": point, "quantity": quantity}),
    )
    .await
}

async fn stock(app: &TestApp) -> Value {
    send(
        app,
        Method::GET,
        &format!("/api/v1/parts/{SKU}/stock"),
        Value::Null,
    )
    .await
}

/// The stock of `point`: `(on_hand, reserved, available)`.
async fn at(app: &TestApp, point: &str) -> (i64, i64, i64) {
    let stock = stock(app).await;
    let row = stock["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["service_point"] == point)
        .cloned()
        .unwrap_or(json!({"on_hand": 0, "reserved": 0, "available": 0}));
    let n = |field: &str| row[field].as_i64().unwrap();
    (n("on_hand"), n("reserved"), n("available"))
}

async fn ledger(app: &TestApp) -> Vec<Value> {
    let lines = send(
        app,
        Method::GET,
        &format!("/api/v1/parts/{SKU}/movements"),
        Value::Null,
    )
    .await;
    lines.as_array().unwrap().clone()
}

/// Take `name` at the ticket's current version with `attributes`.
async fn transition(app: &TestApp, id: &str, name: &str, attributes: Value) -> (StatusCode, Value) {
    let ticket = send(
        app,
        Method::GET,
        &format!("/api/v1/tickets/{id}"),
        Value::Null,
    )
    .await;
    let version = ticket["version"].as_i64().unwrap();
    let resp = app
        .send(
            app.req(Method::POST, &format!("/api/v1/tickets/{id}/transitions"))
                .if_match(version)
                .json(json!({"transition": name, "attributes": attributes})),
        )
        .await;
    (resp.status, resp.body)
}

/// An air-conditioner repair dispatched to wang and checked in on site.
async fn repair_on_site(app: &TestApp) -> String {
    let ticket = send(
        app,
        Method::POST,
        "/api/v1/tickets",
        json!({
            "kind": "repair", "title": "Split AC does not cool", "channel": "phone",
            "customer": {"name": "Zhang Wei", "phone": "13800138000"},
            "product": {"category": "air_conditioner", "model": "KFR-35GW"},
            "attributes": {"region": "city", "fault": "no cooling"}
        }),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/tickets/{id}/dispatch");
    let booked = send(
        app,
        Method::POST,
        &path,
        json!({"technician": "wang@acme.test"}),
    )
    .await;
    assert_eq!(booked["outcome"], "booked", "{booked}");
    let starts = booked["appointment"]["starts_at"].clone();
    let (status, body) = transition(app, &id, "schedule", json!({"appointment_at": starts})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = transition(app, &id, "check_in", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

fn needs(quantity: u32) -> Value {
    json!({"parts_needed": [{"sku": SKU, "quantity": quantity}]})
}

async fn event_kinds(app: &TestApp, id: &str) -> Vec<Value> {
    let events = send(
        app,
        Method::GET,
        &format!("/api/v1/tickets/{id}/events"),
        Value::Null,
    )
    .await;
    events["items"].as_array().unwrap().clone()
}

fn part_moves(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "part_moved")
        .map(|e| e["data"]["kind"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    async fn the_catalogue_and_the_ledger_keep_every_movement(app) {
        let part = capacitor(&app).await;
        assert_eq!(part["price"], "38.50");
        let again = app
            .send(app.req(Method::POST, "/api/v1/parts").json(json!({
                "sku": SKU, "name": "Again", "category": "x", "price": "1"
            })))
            .await;
        again.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        for (body, why) in [
            (json!({"sku": "CAP 35", "name": "n", "category": "c", "price": "1"}), "not a SKU"),
            (json!({"sku": "CAP-1", "name": "n", "category": "c", "price": "-1"}), "negative"),
        ] {
            let resp = app.send(app.req(Method::POST, "/api/v1/parts").json(body)).await;
            let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
            assert!(problem["detail"].as_str().unwrap().contains(why), "{problem}");
        }
        let fits = send(&app, Method::GET, "/api/v1/parts?model=KFR-35GW", Value::Null).await;
        assert_eq!(fits.as_array().unwrap().len(), 1);
        let other = send(&app, Method::GET, "/api/v1/parts?model=XQB-80", Value::Null).await;
        assert!(other.as_array().unwrap().is_empty());

        desk(&app).await;
        let (a, b) = (centre(&app).await, outlet(&app).await);
        receive(&app, &a, 5).await;
        let moved = send(&app, Method::POST, "/api/v1/stock/movements", json!({
            "sku": SKU, "kind": "transfer", "service_point": a, "to_point": b, "quantity": 2,
            "note": "the outlet is short"
        }))
        .await;
        assert_eq!(moved["kind"], "transfer");
        assert_eq!(at(&app, &a).await, (3, 0, 3));
        assert_eq!(at(&app, &b).await, (2, 0, 2));

        // A transfer takes only what is there; nothing of it is kept.
        let too_many = app
            .send(app.req(Method::POST, "/api/v1/stock/movements").json(json!({
                "sku": SKU, "kind": "transfer", "service_point": b, "to_point": a, "quantity": 3
            })))
            .await;
        let problem = too_many.problem(StatusCode::CONFLICT, "out-of-stock");
        assert!(problem["detail"].as_str().unwrap().contains("has 2"), "{problem}");
        // Reservations are a ticket's, not a person's.
        let by_hand = app
            .send(app.req(Method::POST, "/api/v1/stock/movements").json(json!({
                "sku": SKU, "kind": "reserve", "service_point": a, "quantity": 1
            })))
            .await;
        by_hand.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let unknown = app
            .send(app.req(Method::POST, "/api/v1/stock/movements").json(json!({
                "sku": "NOPE-1", "kind": "receive", "service_point": a, "quantity": 1
            })))
            .await;
        let problem = unknown.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("NOPE-1"), "{problem}");
        let lines = ledger(&app).await;
        let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["transfer", "receive"], "newest first");

        let stock = stock(&app).await;
        assert_eq!((stock["on_hand"].as_i64(), stock["available"].as_i64()), (Some(5), Some(5)));
        // B is at its reorder point (2): it comes first, marked low.
        assert_eq!(stock["points"][0]["service_point"], b.as_str());
        assert_eq!(stock["points"][0]["low"], true);

        // The console shows the part short somewhere, and its ledger.
        let agent = person(&app, "agent@acme.test", Role::Agent).await;
        let list = app.send(agent.get("/parts")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let list = html(&list);
        assert!(list.contains(&format!("data-sku=\"{SKU}\"")), "{list}");
        let page = app.send(agent.get(&format!("/parts/{SKU}"))).await;
        let page = html(&page);
        assert!(page.contains("Xixiangtang outlet") && page.contains("data-low=\"true\""), "{page}");
        assert!(page.contains("<code>transfer</code>"), "{page}");

        // People in the field record stock; viewers only read it.
        let technician = app.key("technician").await;
        let returned = app
            .send(Req::new(Method::POST, "/api/v1/stock/movements").bearer(&technician).json(json!({
                "sku": SKU, "kind": "return", "service_point": b, "quantity": 1
            })))
            .await;
        assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
        let viewer = app.key("viewer").await;
        let refused = app
            .send(Req::new(Method::POST, "/api/v1/stock/movements").bearer(&viewer).json(json!({
                "sku": SKU, "kind": "receive", "service_point": b, "quantity": 1
            })))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let patch = app
            .send(Req::new(Method::PATCH, &format!("/api/v1/parts/{SKU}")).bearer(&technician)
                .json(json!({"price": "1.00"})))
            .await;
        assert_eq!(patch.status, StatusCode::FORBIDDEN, "only admins keep the catalogue");
    }

    async fn a_diagnosis_reserves_its_parts_and_the_repair_uses_them(app) {
        desk(&app).await;
        capacitor(&app).await;
        let centre = centre(&app).await;
        receive(&app, &centre, 3).await;
        send(&app, Method::POST, "/api/v1/webhooks", json!({
            "url": "http://127.0.0.1:9/stock", "events": ["stock_low"]
        }))
        .await;

        let id = repair_on_site(&app).await;
        let (status, diagnosed) = transition(&app, &id, "diagnose", needs(1)).await;
        assert_eq!(status, StatusCode::OK, "{diagnosed}");
        assert_eq!(diagnosed["state"], "diagnosed");
        assert_eq!(at(&app, &centre).await, (3, 1, 2));
        // 3 → 2 available reaches the reorder point: one alert.
        let deliveries = send(&app, Method::GET, "/api/v1/webhooks/deliveries", Value::Null).await;
        let alerts: Vec<&Value> = deliveries
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["event_type"] == "stock_low")
            .collect();
        assert_eq!(alerts.len(), 1, "{deliveries}");
        assert_eq!(alerts[0]["payload"]["data"]["available"], 2);
        assert_eq!(alerts[0]["payload"]["ticket_id"], id.as_str());

        // wang's day on the console lists the job with the part set aside.
        let booked = send(&app, Method::GET, &format!("/api/v1/tickets/{id}/appointments"),
            Value::Null).await;
        let starts: jiff::Timestamp = booked[0]["starts_at"].as_str().unwrap().parse().unwrap();
        let day = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap().to_datetime(starts).date();
        let signed_in = sign_in(&app, "wang@acme.test", PASSWORD).await;
        let cookie = set_cookie(&signed_in, "aftersale_session").unwrap();
        let cookie = cookie.split(';').next().unwrap();
        let jobs = app.send(Req::new(Method::GET, &format!("/jobs?day={day}")).header("cookie", cookie))
            .await;
        assert_eq!(jobs.status, StatusCode::OK, "{}", jobs.body);
        let jobs = html(&jobs);
        assert!(jobs.contains(&format!("data-ticket=\"{id}\"")) && jobs.contains(SKU), "{jobs}");
        let other_day = app.send(Req::new(Method::GET, "/jobs?day=2020-01-01").header("cookie", cookie))
            .await;
        assert!(!html(&other_day).contains(&id), "only the day's jobs");

        let (status, repaired) = transition(&app, &id, "repair", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{repaired}");
        assert_eq!(at(&app, &centre).await, (2, 0, 2), "the repair used the reserved unit");
        let events = event_kinds(&app, &id).await;
        assert_eq!(part_moves(&events), ["reserve", "consume"]);
        let page = app.send(Req::new(Method::GET, &format!("/tickets/{id}")).header("cookie", cookie))
            .await;
        let page = html(&page);
        assert!(page.contains("data-movement=\"reserve\"") && page.contains("data-movement=\"consume\""),
            "the ticket page lists its parts: {page}");
        let lines = ledger(&app).await;
        assert_eq!(lines[0]["kind"], "consume");
        assert_eq!(lines[0]["ticket"], id.as_str());

        // One visit, the part from stock: a first-time fix, fill rate 100 %,
        // filed under wang's service point.
        let metrics = send(&app, Method::GET, "/api/v1/metrics/service?group_by=service_point",
            Value::Null).await;
        let group = &metrics["groups"][0];
        assert_eq!(group["group"], centre.as_str(), "{metrics}");
        assert_eq!(group["first_time_fix_rate"], 1.0, "{metrics}");
        assert_eq!(group["parts_fill_rate"], 1.0);
        let by_technician = send(&app, Method::GET, "/api/v1/metrics/service?group_by=technician",
            Value::Null).await;
        assert_eq!(by_technician["groups"][0]["group"], "wang@acme.test", "{by_technician}");
    }

    async fn a_cancelled_repair_puts_its_parts_back(app) {
        desk(&app).await;
        capacitor(&app).await;
        let centre = centre(&app).await;
        receive(&app, &centre, 4).await;
        let id = repair_on_site(&app).await;
        let (status, body) = transition(&app, &id, "diagnose", needs(2)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(at(&app, &centre).await, (4, 2, 2));
        let (status, body) = transition(&app, &id, "wait_for_customer", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = transition(&app, &id, "cancel", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(at(&app, &centre).await, (4, 0, 4));
        let events = event_kinds(&app, &id).await;
        assert_eq!(part_moves(&events), ["reserve", "release"]);
    }

    async fn a_shortage_back_orders_or_refuses_as_the_plugin_is_configured(app) {
        desk(&app).await;
        capacitor(&app).await;
        let centre = centre(&app).await;
        receive(&app, &centre, 1).await;

        // The appliance plugin back-orders by default: the repair waits.
        let waits = repair_on_site(&app).await;
        let (status, body) = transition(&app, &waits, "diagnose", needs(2)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "awaiting_parts", "{body}");
        let events = event_kinds(&app, &waits).await;
        let back_order = events.iter().find(|e| e["kind"] == "part_back_ordered").unwrap();
        assert_eq!(back_order["data"]["available"], 1);
        assert_eq!(at(&app, &centre).await, (1, 0, 1), "a back-order takes nothing");
        let metrics = send(&app, Method::GET, "/api/v1/metrics/service", Value::Null).await;
        assert_eq!(metrics["groups"][0]["part_lines"], 1, "{metrics}");
        assert_eq!(metrics["groups"][0]["parts_fill_rate"], 0.0);

        // Configured to refuse: the diagnosis is refused and nothing stays.
        send(&app, Method::PUT, "/api/v1/plugins/appliance/config",
            json!({"part_shortage": "refuse"}))
        .await;
        let refused = repair_on_site(&app).await;
        let before = send(&app, Method::GET, &format!("/api/v1/tickets/{refused}"), Value::Null).await;
        let (status, problem) = transition(&app, &refused, "diagnose", needs(2)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["type"].as_str().unwrap().rsplit('/').next(), Some("out-of-stock"));
        assert!(problem["detail"].as_str().unwrap().contains("has 1"), "{problem}");
        let after = send(&app, Method::GET, &format!("/api/v1/tickets/{refused}"), Value::Null).await;
        assert_eq!(after["version"], before["version"], "nothing of the refused change");
        assert_eq!(after["state"], "on_site");
        assert_eq!(at(&app, &centre).await, (1, 0, 1));

        // A part not in the catalogue is the request's problem, named.
        let (status, problem) = transition(&app, &refused, "diagnose",
            json!({"parts_needed": [{"sku": "NOPE-1", "quantity": 1}]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("NOPE-1"), "{problem}");
    }

    async fn concurrent_reservations_never_take_more_than_there_is(app) {
        desk(&app).await;
        capacitor(&app).await;
        let centre = centre(&app).await;
        receive(&app, &centre, 10).await;
        let app = Arc::new(app);
        let racers = (0..30).map(|_| {
            let app = app.clone();
            let centre = centre.clone();
            tokio::spawn(async move {
                let body = json!({
                    "kind": "trial", "title": "Needs a capacitor", "channel": "phone",
                    "customer": {"name": "Racer", "phone": "13800138000"},
                    "attributes": {"mode": "reserve", "sku": SKU, "node": centre}
                });
                app.send(app.req(Method::POST, "/api/v1/tickets").json(body)).await
            })
        });
        let mut created = 0;
        for racer in racers {
            let resp = racer.await.unwrap();
            match resp.status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    resp.problem(StatusCode::CONFLICT, "out-of-stock");
                }
                other => panic!("{other}: {}", resp.body),
            }
        }
        assert_eq!(created, 10, "exactly the stock, never more");
        assert_eq!(at(&app, &centre).await, (10, 10, 0));
        let reserves = ledger(&app)
            .await
            .iter()
            .filter(|l| l["kind"] == "reserve")
            .count();
        assert_eq!(reserves, 10, "one ledger line per reservation that stood");
    }
}
