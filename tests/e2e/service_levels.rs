//! SLA clocks and business calendars through the HTTP API: a paused clock
//! resumes where it stopped, holidays and make-up days decide business
//! time, thresholds fire as events, to the plugin and to webhooks.

use std::time::Duration;

use aftersale::jobs::{Backoff, Egress, Jobs, JobsConfig};
use axum::http::{Method, StatusCode};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::harness::app::{TestApp, on_both_backends};
use crate::harness::receiver::Receiver;

/// Background jobs that tick fast and retry soon.
pub fn quick_jobs() -> JobsConfig {
    JobsConfig {
        tick: Duration::from_millis(100),
        backoff: Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(400),
            attempts: 3,
        },
        // The test receivers listen on loopback.
        egress: Egress::parse("127.0.0.1").expect("an allow-list"),
        ..JobsConfig::default()
    }
}

/// Take `transition` on the ticket at `path` from `version`; the new version.
pub async fn take(
    app: &TestApp,
    path: &str,
    version: i64,
    transition: &str,
    attributes: Value,
) -> i64 {
    let resp = app
        .send(
            app.req(Method::POST, &format!("{path}/transitions"))
                .if_match(version)
                .json(json!({"transition": transition, "attributes": attributes})),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{transition}: {}", resp.body);
    resp.body["version"].as_i64().expect("a version")
}

/// The ticket's clock of `metric`.
async fn clock(app: &TestApp, path: &str, metric: &str) -> Value {
    let resp = app.send(app.req(Method::GET, &format!("{path}/sla"))).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body
        .as_array()
        .expect("a list of clocks")
        .iter()
        .find(|c| c["metric"] == metric)
        .cloned()
        .unwrap_or_else(|| panic!("no {metric} clock in {}", resp.body))
}

fn at(value: &Value) -> Timestamp {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a timestamp, not {value}"))
}

async fn put(app: &TestApp, path: &str, body: Value) -> Value {
    let resp = app.send(app.req(Method::PUT, path).json(body)).await;
    assert_eq!(resp.status, StatusCode::OK, "{path}: {}", resp.body);
    resp.body
}

async fn open_trial(app: &TestApp) -> String {
    let ticket = app.trial("behave").await;
    format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("an id"))
}

/// Today in the tenant's time zone (Asia/Shanghai by default).
fn today() -> String {
    Timestamp::now()
        .in_tz("Asia/Shanghai")
        .expect("a known zone")
        .date()
        .to_string()
}

on_both_backends! {
    async fn a_paused_clock_resumes_where_it_stopped(app) {
        let path = open_trial(&app).await;
        let started = Timestamp::now();
        let v = take(&app, &path, 1, "start", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let v = take(&app, &path, v, "pause", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let paused = clock(&app, &path, "resolution").await;
        assert_eq!(paused["state"], "paused", "{paused}");
        assert_eq!(paused["outcome"], "pending");
        assert_eq!(paused["elapsed_seconds"], 1, "waiting time does not count: {paused}");

        take(&app, &path, v, "resume", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let running = clock(&app, &path, "resolution").await;
        let wall = Timestamp::now().duration_since(started);
        assert_eq!(running["state"], "running", "{running}");
        let elapsed = running["elapsed_seconds"].as_i64().unwrap();
        assert!((2..=3).contains(&elapsed), "the clock kept its 1 s and went on: {running}");
        assert!(wall.as_secs() >= 3, "the wait really happened");
        // The deadline moved by exactly the time spent waiting.
        let due = at(&running["due_at"]);
        let handling = at(&running["started_at"]);
        let moved = due.duration_since(handling) - SignedDuration::from_mins(240);
        assert!(
            moved >= SignedDuration::from_millis(1400) && moved < wall,
            "the deadline moved by the pause ({moved:?}): {running}"
        );

        // Response ran from creation to the start of handling, and met its target.
        let response = clock(&app, &path, "response").await;
        assert_eq!(response["state"], "stopped");
        assert_eq!(response["outcome"], "met");
    }

    async fn a_target_longer_than_a_year_is_refused_and_the_policies_stay(app) {
        put(&app, "/api/v1/sla/policies", json!([
            {"kind": "trial", "metric": "resolution", "minutes": 60, "business_time": true}
        ])).await;
        // Years of business time would walk the calendar for every clock.
        let resp = app
            .send(app.req(Method::PUT, "/api/v1/sla/policies").json(json!([
                {"kind": "trial", "metric": "resolution", "minutes": 4_000_000_000u32, "business_time": true}
            ])))
            .await;
        let problem = resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains("longer than a year"), "{problem}");
        let kept = app.send(app.req(Method::GET, "/api/v1/sla/policies")).await.body;
        assert_eq!(kept[0]["minutes"], 60, "{kept}");
    }

    async fn a_holiday_stops_business_time_and_a_make_up_day_starts_it(app) {
        put(&app, "/api/v1/sla/policies", json!([
            {"kind": "trial", "metric": "resolution", "minutes": 60, "business_time": true}
        ])).await;
        let all_day = json!([["00:00", "24:00"]]);
        let today = today();

        // Every day is a working day, but today is a public holiday.
        put(&app, "/api/v1/calendar", json!({
            "time_zone": "Asia/Shanghai",
            "week": {"mon": all_day, "tue": all_day, "wed": all_day, "thu": all_day,
                     "fri": all_day, "sat": all_day, "sun": all_day},
            "holidays": [{"from": today, "to": today, "name": "假日"}],
        })).await;
        let path = open_trial(&app).await;
        take(&app, &path, 1, "start", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let holiday = clock(&app, &path, "resolution").await;
        assert_eq!(holiday["business_time"], true);
        assert_eq!(holiday["state"], "running");
        assert_eq!(holiday["elapsed_seconds"], 0, "a holiday has no business time: {holiday}");
        let tomorrow = Timestamp::now()
            .in_tz("Asia/Shanghai")
            .unwrap()
            .date()
            .tomorrow()
            .unwrap();
        let due = at(&holiday["due_at"]).in_tz("Asia/Shanghai").unwrap();
        assert_eq!((due.date(), due.hour(), due.minute()), (tomorrow, 1, 0), "{holiday}");

        // No weekday is worked, but today is a make-up working day (补班).
        put(&app, "/api/v1/calendar", json!({
            "time_zone": "Asia/Shanghai",
            "week": {},
            "make_up_hours": all_day,
            "workdays": [{"date": today, "name": "补班"}],
        })).await;
        let path = open_trial(&app).await;
        take(&app, &path, 1, "start", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let make_up = clock(&app, &path, "resolution").await;
        assert!(make_up["elapsed_seconds"].as_i64().unwrap() >= 1, "{make_up}");
    }

    async fn calendars_load_as_json_or_icalendar_and_bad_ones_are_refused(app) {
        let base = json!({
            "time_zone": "Asia/Shanghai",
            "week": {"mon": [["09:00", "12:00"], ["13:30", "18:00"]],
                     "fri": [["09:00", "12:00"], ["13:30", "18:00"]]},
        });
        put(&app, "/api/v1/calendar", base).await;
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//CN\r\n\
BEGIN:VEVENT\r\nUID:h@x\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节（休）\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w@x\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节补班\r\nCATEGORIES:上班\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
        let imported = app
            .send(app.req(Method::PUT, "/api/v1/calendar").raw("text/calendar", ics))
            .await;
        assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
        let read = app.send(app.req(Method::GET, "/api/v1/calendar")).await;
        assert_eq!(read.body, imported.body);
        assert_eq!(read.body["holidays"], json!([{"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节（休）"}]));
        assert_eq!(read.body["workdays"][0]["date"], "2026-10-10");
        assert_eq!(read.body["week"]["mon"], json!([["09:00", "12:00"], ["13:30", "18:00"]]), "the week is kept");

        for bad in [
            json!({"time_zone": "Mars/Olympus", "week": {}}),
            json!({"time_zone": "Asia/Shanghai", "week": {"mon": [["12:00", "09:00"]]}}),
            json!({"time_zone": "Asia/Shanghai", "week": {},
                   "holidays": [{"from": "2026-10-10", "to": "2026-10-10"}],
                   "workdays": [{"date": "2026-10-10"}]}),
        ] {
            let resp = app.send(app.req(Method::PUT, "/api/v1/calendar").json(bad.clone())).await;
            resp.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
        let garbage = app
            .send(app.req(Method::PUT, "/api/v1/calendar").raw("text/calendar", "BEGIN:VCALENDAR\r\nnonsense"))
            .await;
        garbage.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let after = app.send(app.req(Method::GET, "/api/v1/calendar")).await;
        assert_eq!(after.body, read.body, "a refused calendar changes nothing");

        let agent = app.key("agent").await;
        let resp = app
            .send(crate::harness::app::Req::new(Method::PUT, "/api/v1/calendar").bearer(&agent).json(read.body.clone()))
            .await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
    }

    async fn thresholds_fire_as_events_to_the_plugin_and_to_webhooks(app) {
        put(&app, "/api/v1/sla/policies", json!([
            {"kind": "trial", "metric": "response", "minutes": 1, "business_time": false}
        ])).await;
        let receiver = Receiver::start(0).await;
        let created = app
            .send(app.req(Method::POST, "/api/v1/webhooks")
                .json(json!({"url": receiver.url, "events": ["sla_warning", "sla_breached"]})))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let jobs = Jobs::start(app.services.clone(), quick_jobs());

        let path = open_trial(&app).await;
        let events = tokio::time::timeout(Duration::from_secs(120), async {
            loop {
                let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body;
                if events["items"].as_array().unwrap().iter().any(|e| e["kind"] == "sla_breached") {
                    return events;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
        .await;
        let events = match events {
            Ok(events) => events,
            Err(_) => {
                let id = path.rsplit('/').next().unwrap().parse().unwrap();
                let timers = app.services.store.timers(app.tenant, id).await.unwrap();
                let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body;
                let clocks = app.send(app.req(Method::GET, &format!("{path}/sla"))).await.body;
                panic!("no breach within two minutes: timers {timers:?}\nevents {events}\nclocks {clocks}");
            }
        };
        let sla: Vec<(String, Value)> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"].as_str().unwrap().starts_with("sla_"))
            .map(|e| (e["kind"].as_str().unwrap().to_string(), e["data"]["percent"].clone()))
            .collect();
        assert_eq!(
            sla,
            [
                ("sla_warning".to_string(), json!(50)),
                ("sla_warning".to_string(), json!(75)),
                ("sla_breached".to_string(), Value::Null),
            ],
            "{events}"
        );
        // The owning plugin heard of each threshold through `on-timer`.
        let told: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "attribute_set" && e["data"]["name"] == "last_timer")
            .filter_map(|e| e["data"]["after"].as_str())
            .collect();
        assert_eq!(told, ["sla:response:50", "sla:response:75", "sla:response:100"], "{events}");
        let clock = clock(&app, &path, "response").await;
        assert_eq!(clock["outcome"], "breached");

        tokio::time::timeout(Duration::from_secs(10), async {
            while receiver.accepted().len() < 3 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
        .expect("the webhook hears of every threshold");
        let types: Vec<String> = receiver
            .accepted()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(types, ["sla_warning", "sla_warning", "sla_breached"]);
        jobs.stop().await;
    }
}
