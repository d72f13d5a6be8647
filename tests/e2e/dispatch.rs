//! Dispatch: the host ranks the technicians for a ticket with its reasons,
//! books one in a free slot — appointment, assignment and event in one
//! commit — and never books one slot twice, however many dispatchers race.

use std::sync::Arc;

use aftersale::domain::Role;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::{html, person};
use crate::harness::app::{TestApp, on_both_backends};

/// Every day 09:00–17:00 in Shanghai: four two-hour slots a day.
fn every_day() -> Value {
    let day = json!([["09:00", "17:00"]]);
    json!({"time_zone": "Asia/Shanghai", "week": {"mon": day, "tue": day, "wed": day,
        "thu": day, "fri": day, "sat": day, "sun": day}})
}

pub(crate) async fn send(app: &TestApp, method: Method, path: &str, body: Value) -> Value {
    let resp = app.send(app.req(method, path).json(body)).await;
    assert!(
        resp.status.is_success(),
        "{path}: {} {}",
        resp.status,
        resp.body
    );
    resp.body
}

/// wang and zhou repair air conditioners, in Nanning and Guangzhou; li
/// repairs washing machines in Nanning. wang is based at the Qingxiu
/// centre.
pub(crate) async fn desk(app: &TestApp) {
    for login in ["wang@acme.test", "li@acme.test", "zhou@acme.test"] {
        app.services
            .create_user(
                app.tenant,
                login,
                login,
                Role::Technician,
                "correct horse battery",
            )
            .await
            .expect("the user is created");
    }
    let point = send(
        app,
        Method::POST,
        "/api/v1/service-points",
        json!({
            "name": "Qingxiu service centre", "kind": "service_centre",
            "region": {"province": "450000", "city": "450100", "county": "450103"},
            "address": "1 Minzu Avenue", "location": {"lat": 22.817, "lon": 108.366},
            "hours": every_day()
        }),
    )
    .await;
    for (login, category, region, home) in [
        (
            "wang@acme.test",
            "air_conditioner",
            "450100",
            Some(point["id"].clone()),
        ),
        ("li@acme.test", "washing_machine", "450100", None),
        ("zhou@acme.test", "air_conditioner", "440100", None),
    ] {
        send(
            app,
            Method::POST,
            "/api/v1/technicians",
            json!({
                "user": login, "categories": [category], "regions": [region],
                "home_point": home, "hours": every_day(), "daily_capacity": 3
            }),
        )
        .await;
    }
}

/// A split air conditioner to install in Qingxiu.
async fn installation(app: &TestApp) -> String {
    let ticket = send(
        app,
        Method::POST,
        "/api/v1/tickets",
        json!({
            "kind": "trial", "title": "Install a split AC", "channel": "phone",
            "customer": {"name": "Zhang Wei", "phone": "13800138000"},
            "product": {"category": "air_conditioner", "model": "KFR-35GW"},
            "attributes": {"mode": "behave", "region_code": "450103",
                "location": {"lat": 22.85, "lon": 108.30}}
        }),
    )
    .await;
    ticket["id"].as_str().unwrap().to_string()
}

async fn slots(app: &TestApp, login: &str) -> Vec<Value> {
    let resp = app
        .send(app.req(
            Method::GET,
            &format!("/api/v1/technicians/{login}/slots?days=3"),
        ))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body.as_array().unwrap().clone()
}

on_both_backends! {
    async fn dispatch_ranks_the_technicians_and_books_the_best_one(app) {
        desk(&app).await;
        let id = installation(&app).await;
        let path = format!("/api/v1/tickets/{id}/dispatch");

        let ranked = send(&app, Method::POST, &path, json!({})).await;
        assert_eq!(ranked["outcome"], "ranked", "{ranked}");
        let candidates = ranked["candidates"].as_array().unwrap();
        let order: Vec<_> = candidates.iter().map(|c| c["technician"].as_str().unwrap()).collect();
        assert_eq!(order, ["wang@acme.test", "zhou@acme.test", "li@acme.test"]);
        let why: Vec<_> = candidates[0]["reasons"].as_array().unwrap().iter()
            .map(|r| r["detail"].as_str().unwrap()).collect();
        assert_eq!(why[0], "skilled for air_conditioner");
        assert_eq!(why[1], "works in 450103");
        assert!(why[2].starts_with("3 of 3 jobs left on "), "{why:?}");
        assert!(why[3].ends_with("km from its service point"), "{why:?}");
        assert_eq!(candidates[2]["reasons"][0]["detail"], "not skilled for air_conditioner");
        assert!(candidates[0]["score"].as_u64() > candidates[1]["score"].as_u64());

        // Booking takes the first free slot, assigns the ticket and says so.
        let free = slots(&app, "wang@acme.test").await;
        let booked = app.send(app.req(Method::POST, &path)
            .json(json!({"technician": "wang@acme.test"}))).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        assert_eq!(booked.body["outcome"], "booked");
        let appointment = &booked.body["appointment"];
        assert_eq!(appointment["starts_at"], free[0]["starts_at"]);
        assert_eq!(appointment["technician"], "wang@acme.test");
        assert_eq!(booked.body["ticket"]["assignee"], "wang@acme.test");
        let events = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/events"))).await;
        let kinds: Vec<_> = events.body["items"].as_array().unwrap().iter()
            .map(|e| e["kind"].as_str().unwrap()).collect();
        let at = kinds.iter().position(|k| *k == "dispatched").expect("a dispatched event");
        assert_eq!(kinds[at + 1], "assigned");
        assert_eq!(slots(&app, "wang@acme.test").await[0], free[1], "the slot is taken");

        // That slot is nobody else's now; a made-up slot is nobody's.
        let other = installation(&app).await;
        let taken = app.send(app.req(Method::POST, &format!("/api/v1/tickets/{other}/dispatch"))
            .json(json!({"technician": "wang@acme.test", "slot": free[0]}))).await;
        taken.problem(StatusCode::CONFLICT, "slot-taken");
        let odd = json!({"starts_at": "2030-01-01T03:17:00Z", "ends_at": "2030-01-01T05:17:00Z"});
        let made_up = app.send(app.req(Method::POST, &format!("/api/v1/tickets/{other}/dispatch"))
            .json(json!({"technician": "wang@acme.test", "slot": odd}))).await;
        let problem = made_up.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("/slots"), "{problem}");

        // Dispatched again, the ticket lets go of its first slot.
        let moved = app.send(app.req(Method::POST, &path)
            .json(json!({"technician": "wang@acme.test", "slot": free[1]}))).await;
        assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
        assert_eq!(slots(&app, "wang@acme.test").await[0], free[0], "the first slot is free again");
        let booked = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/appointments"))).await;
        assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
        let booked = booked.body.as_array().unwrap();
        assert_eq!(booked.len(), 2, "{booked:?}");
        assert!(booked[0]["cancelled_at"].is_string() && booked[1]["cancelled_at"].is_null());
        assert_eq!(booked[1]["starts_at"], free[1]["starts_at"]);
        // The ticket page shows the appointment that stands.
        let viewer = person(&app, "viewer@acme.test", Role::Viewer).await;
        let page = app.send(viewer.get(&format!("/tickets/{id}"))).await;
        let page = html(&page);
        assert!(page.contains("预约") && page.contains("wang@acme.test · "), "{page}");

        // Three jobs fill li's day (capacity 3): its fourth slot is not offered.
        let day = |s: &Value| s["starts_at"].as_str().unwrap()[..10].to_string();
        let li = slots(&app, "li@acme.test").await;
        let full = li.iter().map(day).find(|d| li.iter().filter(|s| day(s) == *d).count() == 4)
            .expect("a whole working day in the next three");
        let of_day: Vec<_> = li.iter().filter(|s| day(s) == full).cloned().collect();
        for slot in &of_day[..3] {
            let next = installation(&app).await;
            let resp = app.send(app.req(Method::POST, &format!("/api/v1/tickets/{next}/dispatch"))
                .json(json!({"technician": "li@acme.test", "slot": slot}))).await;
            assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        }
        let left = slots(&app, "li@acme.test").await;
        assert!(left.iter().all(|s| day(s) != full), "the day is full: {left:?}");
        let fourth = app.send(app.req(Method::POST, &format!("/api/v1/tickets/{other}/dispatch"))
            .json(json!({"technician": "li@acme.test", "slot": of_day[3]}))).await;
        let problem = fourth.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("takes 3 jobs a day"), "{problem}");
    }

    async fn fifty_dispatchers_racing_for_one_slot_book_it_once(app) {
        desk(&app).await;
        let app = Arc::new(app);
        let slot = slots(&app, "zhou@acme.test").await[0].clone();
        let mut tickets = Vec::new();
        for _ in 0..50 {
            tickets.push(installation(&app).await);
        }
        let tasks: Vec<_> = tickets.iter().map(|id| {
            let (app, slot) = (app.clone(), slot.clone());
            let path = format!("/api/v1/tickets/{id}/dispatch");
            tokio::spawn(async move {
                app.send(app.req(Method::POST, &path)
                    .json(json!({"technician": "zhou@acme.test", "slot": slot}))).await
            })
        }).collect();
        let (mut booked, mut taken) = (0, 0);
        for task in tasks {
            let resp = task.await.expect("no task panicked");
            match resp.status {
                StatusCode::CREATED => booked += 1,
                StatusCode::CONFLICT => {
                    resp.problem(StatusCode::CONFLICT, "slot-taken");
                    taken += 1;
                }
                other => panic!("unexpected {other}: {}", resp.body),
            }
        }
        assert_eq!((booked, taken), (1, 49));
        let mut assigned = 0;
        for id in &tickets {
            let t = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}"))).await;
            assigned += usize::from(t.body["assignee"] == "zhou@acme.test");
        }
        assert_eq!(assigned, 1, "only the booked ticket is assigned");
        assert_ne!(slots(&app, "zhou@acme.test").await[0], slot);
    }

    async fn utilisation_is_what_is_booked_of_what_the_technicians_can_take(app) {
        desk(&app).await;
        let id = installation(&app).await;
        let path = format!("/api/v1/tickets/{id}/dispatch");
        let booked = send(&app, Method::POST, &path, json!({"technician": "wang@acme.test"})).await;
        let starts: jiff::Timestamp =
            booked["appointment"]["starts_at"].as_str().unwrap().parse().unwrap();
        let day = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap().to_datetime(starts).date();

        let loads = send(&app, Method::GET,
            &format!("/api/v1/metrics/utilisation?from={day}&to={day}"), Value::Null).await;
        let of = |login: &str| {
            loads.as_array().unwrap().iter().find(|l| l["technician"] == login).cloned().unwrap()
        };
        // Four two-hour slots a day, three jobs a day at most.
        let wang = of("wang@acme.test");
        assert_eq!((wang["booked"].as_u64(), wang["capacity"].as_u64()), (Some(1), Some(3)), "{loads}");
        assert!((wang["utilisation"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(of("li@acme.test")["booked"], 0);

        for bad in ["from=2026-03-02&to=2026-03-01", "from=2026-01-01&to=2026-06-01"] {
            let resp = app.send(app.req(Method::GET, &format!("/api/v1/metrics/utilisation?{bad}")))
                .await;
            resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
    }

    async fn the_dispatch_board_shows_each_technicians_visits_and_load_by_day(app) {
        desk(&app).await;
        let id = installation(&app).await;
        let booked = send(&app, Method::POST, &format!("/api/v1/tickets/{id}/dispatch"),
            json!({"technician": "wang@acme.test"})).await;
        let starts: jiff::Timestamp =
            booked["appointment"]["starts_at"].as_str().unwrap().parse().unwrap();
        let day = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap().to_datetime(starts).date();

        let agent = person(&app, "desk@acme.test", Role::Agent).await;
        let board = app.send(agent.get(&format!("/dispatch?day={day}"))).await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let page = html(&board);
        let row = |login: &str| {
            let at = page.find(&format!("data-technician=\"{login}\"")).expect("a row per technician");
            let rest = &page[at..];
            rest[..rest.find("</tr>").unwrap()].to_string()
        };
        // wang's first day: one visit of the three a day takes, linked to
        // its ticket; li has nothing booked.
        let wang = row("wang@acme.test");
        let first_day = &wang[..wang.find("</td>").unwrap()];
        assert!(first_day.contains("1 / 3"), "{first_day}");
        assert!(first_day.contains(&format!("/tickets/{id}")), "{first_day}");
        let li = row("li@acme.test");
        assert!(li.contains("0 / 3") && !li.contains("/tickets/"), "{li}");
        assert_eq!(page.matches("<td").count(), 3 * 7, "three technicians, seven days");

        let viewer = person(&app, "look@acme.test", Role::Viewer).await;
        assert_eq!(app.send(viewer.get("/dispatch")).await.status, StatusCode::FORBIDDEN);
    }

    async fn a_1_2_0_plugin_sees_the_units_earlier_tickets_and_the_booked_visit(app) {
        desk(&app).await;
        let open = |serial: &str| json!({
            "kind": "trial", "title": "E4 on the display", "channel": "phone",
            "customer": {"name": "Li Lei", "phone": "13800000000"},
            "product": {"category": "air_conditioner", "serial": serial},
            "attributes": {"mode": "context"},
        });
        let first = send(&app, Method::POST, "/api/v1/tickets", open("SN-CTX-1")).await;
        assert_eq!(first["attributes"]["seen"], json!({"unit": [], "appointment": null}));
        let id = first["id"].as_str().unwrap();
        let done = app
            .send(app.req(Method::POST, &format!("/api/v1/tickets/{id}/transitions"))
                .if_match(first["version"].as_i64().unwrap())
                .json(json!({"transition": "finish"})))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);

        // The unit comes back: the plugin sees its first ticket, resolved;
        // another unit's ticket sees nothing.
        let again = send(&app, Method::POST, "/api/v1/tickets", open("SN-CTX-1")).await;
        assert_eq!(again["attributes"]["seen"]["unit"],
            json!([{"kind": "trial", "category": "resolved", "resolved": true}]));
        let other = send(&app, Method::POST, "/api/v1/tickets", open("SN-CTX-2")).await;
        assert_eq!(other["attributes"]["seen"]["unit"], json!([]));

        // Once a technician is booked, the next decision sees the visit.
        let id = again["id"].as_str().unwrap();
        let booked = send(&app, Method::POST, &format!("/api/v1/tickets/{id}/dispatch"),
            json!({"technician": "wang@acme.test"})).await;
        assert_eq!(booked["outcome"], "booked", "{booked}");
        let version = booked["ticket"]["version"].as_i64().unwrap();
        let edited = app
            .send(app.req(Method::PATCH, &format!("/api/v1/tickets/{id}"))
                .if_match(version)
                .json(json!({"attributes": {"verdict": "gas leak"}})))
            .await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
        assert_eq!(edited.body["attributes"]["seen"]["appointment"], "wang@acme.test");
    }
}
