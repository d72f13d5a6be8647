//! `POST /tickets/import`: tickets from a CSV document, every row let in by
//! its plugin, then all written at once — or none, with each refusal told.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::app::{Req, TestApp, on_both_backends};

/// Send `document` to the import as CSV.
async fn import(app: &TestApp, document: &str) -> crate::harness::app::Resp {
    app.send(
        app.req(Method::POST, "/api/v1/tickets/import")
            .raw("text/csv", document.to_string()),
    )
    .await
}

async fn count(app: &TestApp) -> usize {
    let page = app
        .send(app.req(Method::GET, "/api/v1/tickets?limit=200"))
        .await;
    page.body["items"].as_array().unwrap().len()
}

on_both_backends! {
    async fn an_import_opens_every_row_or_none(app) {
        let before = count(&app).await;
        // A kind the bundle lacks, attributes off the kind's schema, a row
        // without a customer: nothing lands, and each refusal is told.
        let refused = import(&app, "kind,title,customer_name,customer_phone,attributes\n\
            trial,Fine,Zhang Wei,13800138000,\"{\"\"mode\"\": \"\"behave\"\"}\"\n\
            nope,Unknown kind,Li Na,13900139000,\n\
            trial,Bad score,Li Na,13900139000,\"{\"\"score\"\": \"\"high\"\"}\"\n\
            trial,No customer,,,\n").await;
        let problem = refused.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let rows = problem["rows"].as_array().unwrap();
        let lines: Vec<_> = rows.iter().map(|r| (r["line"].clone(), r["problem"]["type"].clone())).collect();
        assert_eq!(lines, [
            (json!(3), json!("/problems/unknown-kind")),
            (json!(4), json!("/problems/schema-violation")),
            (json!(5), json!("/problems/invalid-request")),
        ], "{problem}");
        assert_eq!(count(&app).await, before, "nothing was imported");

        // All rows good: all open, in one go, searchable and with their unit.
        let done = import(&app, "\u{feff}kind,title,customer_name,customer_phone,product_serial,channel,attributes\r\n\
            trial,Imported one,Zhang Wei,13800138000,SN-IMP-1,email,\"{\"\"mode\"\": \"\"behave\"\"}\"\r\n\
            trial,\"Imported, two\",Li Na,13900139000,SN-IMP-2,,\"{\"\"mode\"\": \"\"behave\"\"}\"\r\n").await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
        assert_eq!(done.body["imported"], 2);
        assert_eq!(done.body["tickets"][0]["channel"], "email");
        assert_eq!(done.body["tickets"][1]["title"], "Imported, two");
        assert_eq!(done.body["tickets"][1]["channel"], "api");
        assert_eq!(count(&app).await, before + 2);
        let found = app.send(app.req(Method::GET, "/api/v1/products/SN-IMP-2/tickets")).await;
        assert_eq!(found.body["items"][0]["title"], "Imported, two");

        // An export of the queue imports back as new tickets.
        let export = app.send(app.req(Method::GET, "/api/v1/tickets?format=csv&q=SN-IMP")).await;
        let again = import(&app, export.body.as_str().unwrap()).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        assert_eq!(again.body["imported"], 2);
        assert_eq!(count(&app).await, before + 4);
    }

    async fn an_import_that_is_itself_wrong_is_refused_whole(app) {
        let json = app.send(app.req(Method::POST, "/api/v1/tickets/import").json(json!({}))).await;
        json.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
        for document in [
            "",
            "kind,title\ntrial,t\n",
            "kind,title,customer_name,colour\ntrial,t,c,red\n",
            "kind,title,customer_name\n",
            "kind,title,customer_name\ntrial,\"open quote,c\n",
        ] {
            import(&app, document).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        }
        let mut big = String::from("kind,title,customer_name\n");
        for i in 0..1001 {
            big.push_str(&format!("trial,t{i},c\n"));
        }
        import(&app, &big).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
        let viewer = app.key("viewer").await;
        let resp = app
            .send(Req::new(Method::POST, "/api/v1/tickets/import").bearer(&viewer)
                .raw("text/csv", "kind,title,customer_name\ntrial,t,c\n"))
            .await;
        resp.problem(StatusCode::FORBIDDEN, "forbidden");
    }
}
