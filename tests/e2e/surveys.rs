//! Satisfaction surveys and the standard's metrics through the HTTP API: a
//! survey is issued on first resolution, answered once through its public
//! link, and feeds CSI, satisfaction rate and NPS.

use aftersale::domain::{Actor, Role};
use aftersale::service::{Caller, Services};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::app::{Req, TestApp, on_both_backends};
use crate::service_levels::take;

/// Open a `trial` ticket and resolve it; its path.
async fn resolved(app: &TestApp) -> String {
    let ticket = app.trial("behave").await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("an id"));
    let v = take(app, &path, 1, "start", json!({})).await;
    take(app, &path, v, "finish", json!({"verdict": "fixed"})).await;
    path
}

async fn survey_of(app: &TestApp, path: &str) -> Value {
    let resp = app
        .send(app.req(Method::GET, &format!("{path}/survey")))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body
}

/// Answer as the customer: no credentials but the token.
async fn answer(app: &TestApp, token: &str, body: Value) -> crate::harness::app::Resp {
    app.send(Req::new(Method::POST, &format!("/api/v1/surveys/{token}")).json(body))
        .await
}

fn ratings(t: u8, a: u8, p: u8, r: u8) -> Value {
    json!({"timeliness": t, "attitude": a, "professionalism": p, "result": r})
}

on_both_backends! {
    async fn a_survey_is_issued_on_resolution_and_answered_once(app) {
        let open = app.trial("behave").await;
        let open_path = format!("/api/v1/tickets/{}", open["id"].as_str().unwrap());
        let none = app.send(app.req(Method::GET, &format!("{open_path}/survey"))).await;
        none.problem(StatusCode::NOT_FOUND, "not-found");

        let path = resolved(&app).await;
        let survey = survey_of(&app, &path).await;
        let token = survey["token"].as_str().expect("a token").to_string();
        assert_eq!(survey["link"], format!("/survey/{token}"));
        assert!(survey["answered_at"].is_null());

        // The public page's data, without a key.
        let page = app.send(Req::new(Method::GET, &format!("/api/v1/surveys/{token}"))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.body["ticket_title"], "A trial ticket");
        let names: Vec<&str> = page.body["settings"]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["timeliness", "attitude", "professionalism", "result"]);
        assert_eq!(page.body["answered"], false);

        // Incomplete or out-of-range answers are refused and change nothing.
        for bad in [
            json!({"ratings": {"timeliness": 5}, "nps": 9}),
            json!({"ratings": ratings(6, 5, 5, 5), "nps": 9}),
            json!({"ratings": ratings(5, 5, 5, 5), "nps": 11}),
            json!({"ratings": ratings(5, 5, 5, 5)}),
            json!({"ratings": {"timeliness": 5, "attitude": 5, "professionalism": 5, "result": 5, "price": 1}, "nps": 9}),
        ] {
            answer(&app, &token, bad).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
        let answered = answer(&app, &token, json!({"ratings": ratings(5, 4, 4, 5), "nps": 9, "comment": "准时上门"})).await;
        assert_eq!(answered.status, StatusCode::NO_CONTENT, "{}", answered.body);

        // Once only; unknown tokens are not found.
        answer(&app, &token, json!({"ratings": ratings(1, 1, 1, 1), "nps": 0})).await.problem(StatusCode::GONE, "gone");
        answer(&app, "not-a-token", json!({"ratings": ratings(5, 5, 5, 5), "nps": 9})).await.problem(StatusCode::NOT_FOUND, "not-found");
        app.send(Req::new(Method::GET, "/api/v1/surveys/not-a-token")).await.problem(StatusCode::NOT_FOUND, "not-found");

        let survey = survey_of(&app, &path).await;
        assert_eq!(survey["answer"]["ratings"], ratings(5, 4, 4, 5));
        assert_eq!(survey["answer"]["nps"], 9);
        let page = app.send(Req::new(Method::GET, &format!("/api/v1/surveys/{token}"))).await;
        assert_eq!(page.body["answered"], true);

        // Reopened and resolved again: still the one survey.
        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body;
        let version = events["items"].as_array().unwrap().last().unwrap()["seq"].as_i64().unwrap();
        let v = take(&app, &path, version, "reopen", json!({})).await;
        take(&app, &path, v, "finish", json!({})).await;
        assert_eq!(survey_of(&app, &path).await["token"], token);
        let kinds: Vec<String> = app.send(app.req(Method::GET, &format!("{path}/events"))).await.body["items"]
            .as_array().unwrap().iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .filter(|k| k.starts_with("survey_"))
            .collect();
        assert_eq!(kinds, ["survey_issued", "survey_answered"]);
    }

    async fn survey_tokens_are_kept_only_as_their_hash(app) {
        let path = resolved(&app).await;
        let token = survey_of(&app, &path).await["token"].as_str().unwrap().to_string();
        let ticket: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
        let stored = app.services.store.survey_of(app.tenant, ticket).await.unwrap().unwrap();
        let hash: String = Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(stored.token_key, hash, "the table keeps the token's SHA-256, not the token");
        // What the table keeps opens nothing.
        app.send(Req::new(Method::GET, &format!("/api/v1/surveys/{}", stored.token_key))).await.problem(StatusCode::NOT_FOUND, "not-found");
        // The desk sees the same link again, and the customer's link works.
        assert_eq!(survey_of(&app, &path).await["link"], format!("/survey/{token}"));
        let page = app.send(Req::new(Method::GET, &format!("/api/v1/surveys/{token}"))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);

        // A link issued before tokens were kept hashed, its token kept in
        // clear: at the next start only its hash is kept, and it keeps working.
        let legacy = "abcdefghijklmnopqrstuvwxyz012345";
        app.execute(&format!("UPDATE surveys SET token = '{legacy}'")).await;
        assert_eq!(app.services.hash_legacy_survey_tokens().await.unwrap(), 1);
        assert_eq!(app.services.hash_legacy_survey_tokens().await.unwrap(), 0, "once is enough");
        let stored = app.services.store.survey_of(app.tenant, ticket).await.unwrap().unwrap();
        let legacy_hash: String = Sha256::digest(legacy.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(stored.token_key, legacy_hash);
        app.send(Req::new(Method::GET, &format!("/api/v1/surveys/{legacy_hash}"))).await.problem(StatusCode::NOT_FOUND, "not-found");
        // The desk cannot show it again, and shows no wrong link instead.
        assert_eq!(survey_of(&app, &path).await["token"], Value::Null);
        let answered = answer(&app, legacy, json!({"ratings": ratings(5, 5, 5, 5), "nps": 10})).await;
        assert_eq!(answered.status, StatusCode::NO_CONTENT, "{}", answered.body);

        // With the deployment's secret replaced, the desk shows no link it
        // cannot vouch for, instead of a wrong one.
        let again = resolved(&app).await;
        let again: uuid::Uuid = again.rsplit('/').next().unwrap().parse().unwrap();
        app.execute("DELETE FROM host_secrets WHERE name = 'survey-link-key'").await;
        let restarted = Services::new(app.services.store.clone(), app.services.runtime.clone());
        let admin = Caller {
            tenant_id: app.tenant,
            actor: Actor { id: "admin".into(), role: Role::Admin },
        };
        let survey = restarted.ticket_survey(&admin, again).await.expect("the survey");
        assert_eq!((survey.token, survey.link), (None, None));
    }

    async fn answers_feed_csi_satisfaction_and_nps(app) {
        // Two answered surveys, hand-computed:
        // means: timeliness (5+3)/2=4, attitude (5+4)/2=4.5, professionalism
        // (4+2)/2=3, result (4+5)/2=4.5 → mean 4.0 → CSI (4−1)/(5−1)×100 = 75;
        // ratings ≥ 4: 4 + 2 of 8 → 0.75; NPS: one promoter (10), one
        // detractor (6) of two → 0.
        for (r, nps) in [(ratings(5, 5, 4, 4), 10), (ratings(3, 4, 2, 5), 6)] {
            let path = resolved(&app).await;
            let token = survey_of(&app, &path).await["token"].as_str().unwrap().to_string();
            let resp = answer(&app, &token, json!({"ratings": r, "nps": nps})).await;
            assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.body);
        }
        // A third ticket, still open.
        app.trial("behave").await;
        // Every ticket changed since the last rebuild waits for one; the
        // report brings the rollups up to date first.
        assert_eq!(app.services.store.dirty_count(app.tenant).await.unwrap(), 3);

        let resp = app.send(app.req(Method::GET, "/api/v1/metrics/service")).await;
        assert_eq!(app.services.store.dirty_count(app.tenant).await.unwrap(), 0);
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        let all = &resp.body["groups"][0];
        assert_eq!(all["group"], "all", "{}", resp.body);
        assert_eq!(all["tickets"], 3);
        assert_eq!(all["responded"], 2);
        assert_eq!(all["resolved"], 2);
        assert_eq!(all["surveys"], 2);
        assert_eq!(all["csi"], 75.0);
        assert_eq!(all["satisfaction_rate"], 0.75);
        assert_eq!(all["nps"], 0.0);
        assert_eq!(all["mean_ratings"], json!({"attitude": 4.5, "professionalism": 3.0, "result": 4.5, "timeliness": 4.0}));
        assert_eq!(all["resolution"]["count"], 2);

        let by_kind = app.send(app.req(Method::GET, "/api/v1/metrics/service?group_by=kind")).await;
        assert_eq!(by_kind.status, StatusCode::OK, "{}", by_kind.body);
        assert_eq!(by_kind.body["groups"][0]["group"], "trial");
        assert_eq!(by_kind.body["groups"][0]["tickets"], 3);

        let csv = app.send(app.req(Method::GET, "/api/v1/metrics/service?format=csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.body.as_str().expect("CSV text");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header.len(), row.len());
        let field = |name: &str| row[header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no {name} in {header:?}"))];
        assert_eq!(field("tickets"), "3");
        assert_eq!(field("csi"), "75");
        assert_eq!(field("nps"), "0");

        for bad in ["group_by=colour", "from=2026-02-01&to=2026-01-01", "from=yesterday", "format=xml"] {
            let resp = app.send(app.req(Method::GET, &format!("/api/v1/metrics/service?{bad}"))).await;
            assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", resp.body);
        }
    }
}
