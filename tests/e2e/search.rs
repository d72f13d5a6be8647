//! Search and product history: `GET /tickets?q=` over the texts of a
//! ticket and its comments, ranked and paged, Chinese and English, with the
//! serial and phone fast path; `GET /products/{serial}/tickets`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use aftersale::domain::Role;

use crate::console::{html, person, urlencode};
use crate::dispatch::send;
use crate::harness::app::{OPERATOR_KEY, Req, TestApp, on_both_backends};

/// Open a `trial` ticket; `extra` is merged into the body.
async fn open(app: &TestApp, title: &str, extra: Value) -> String {
    let mut body = json!({
        "kind": "trial", "title": title, "channel": "phone",
        "customer": {"name": "Zhang Wei", "phone": "13800000000"},
        "attributes": {"mode": "behave"},
    });
    for (k, v) in extra.as_object().expect("an object") {
        body[k] = v.clone();
    }
    let ticket = send(app, Method::POST, "/api/v1/tickets", body).await;
    ticket["id"].as_str().expect("an id").to_string()
}

/// The ids a search answers, in order, and its next cursor.
async fn search(app: &TestApp, query: &str) -> (Vec<String>, Option<String>) {
    let page = send(
        app,
        Method::GET,
        &format!("/api/v1/tickets?{query}"),
        Value::Null,
    )
    .await;
    ids(&page)
}

fn ids(page: &Value) -> (Vec<String>, Option<String>) {
    let items = page["items"].as_array().expect("items");
    let ids = items
        .iter()
        .map(|t| t["id"].as_str().expect("an id").to_string())
        .collect();
    (ids, page["next_cursor"].as_str().map(str::to_string))
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

/// The text of a CSV answer.
fn text(resp: &crate::harness::app::Resp) -> &str {
    resp.body.as_str().expect("a text body")
}

on_both_backends! {
    async fn search_ranks_by_where_the_text_is_and_pages_through_tiers(app) {
        // b: the model in its title; a, newer: the customer and the unit;
        // c: a comment names a's customer, and a second unit of the batch.
        // Newest first would answer a before b, and c before a.
        let b = open(&app, "Noisy outdoor unit KFR-35GW", json!({
            "customer": {"name": "Li Na", "phone": "13900000001"},
        })).await;
        let a = open(&app, "空调不制冷", json!({
            "customer": {"name": "王芳", "phone": "138 0013 8000", "email": "wang@example.com"},
            "product": {"model": "KFR-35GW", "serial": "SN-2026-0001"},
        })).await;
        let c = open(&app, "Installation visit", json!({
            "description": "The customer asks about the remote of her 空调",
            "product": {"model": "KFR-26GW", "serial": "SN-2026-0002"},
        })).await;
        send(&app, Method::POST, &format!("/api/v1/tickets/{c}/comments"),
            json!({"body": "Spoke to 王芳's neighbour about the visit"})).await;

        // Title (tier 1) before customer and product (tier 2),
        // case-insensitively.
        assert_eq!(search(&app, &q("KFR-35GW")).await.0, [b.as_str(), a.as_str()]);
        assert_eq!(search(&app, &q("kfr-35gw")).await.0, [b.as_str(), a.as_str()]);
        // Two characters of Chinese: the customer before a comment.
        assert_eq!(search(&app, &q("王芳")).await.0, [a.as_str(), c.as_str()]);
        // Three or more: the trigram index.
        assert_eq!(search(&app, &q("不制冷")).await.0, [a.as_str()]);
        assert_eq!(search(&app, &q("remote of her")).await.0, [c.as_str()]);
        assert_eq!(search(&app, &q("wang@example")).await.0, [a.as_str()]);
        // Wildcards are text.
        assert!(search(&app, &q("%")).await.0.is_empty());
        assert!(search(&app, &q("nothing like this")).await.0.is_empty());

        // The fast path: a phone number however it is written, a serial
        // exactly; part of a serial is a substring like any other.
        assert_eq!(search(&app, &q("13800138000")).await.0, [a.as_str()]);
        assert_eq!(search(&app, &q("138-0013-8000")).await.0, [a.as_str()]);
        assert_eq!(search(&app, &q("SN-2026-0001")).await.0, [a.as_str()]);
        assert_eq!(search(&app, &q("SN-2026")).await.0, [c.as_str(), a.as_str()]);

        // Pages follow the ranking across tiers (a, on the second page, is
        // newer than b, which ended the first), and stop.
        let (first, next) = search(&app, &format!("{}&limit=1", q("KFR-35GW"))).await;
        assert_eq!(first, [b.as_str()]);
        let cursor = next.expect("a second page");
        let (second, next) =
            search(&app, &format!("{}&limit=1&cursor={cursor}", q("KFR-35GW"))).await;
        assert_eq!(second, [a.as_str()]);
        let cursor = next.expect("a full page has a next cursor");
        let (third, next) =
            search(&app, &format!("{}&limit=1&cursor={cursor}", q("KFR-35GW"))).await;
        assert!(third.is_empty() && next.is_none(), "{third:?} {next:?}");
        // The fast path pages too, and ends.
        let (first, next) = search(&app, &format!("{}&limit=1", q("13800138000"))).await;
        assert_eq!(first, [a.as_str()]);
        let cursor = next.expect("a full page");
        let (rest, _) = search(&app, &format!("{}&limit=1&cursor={cursor}", q("13800138000"))).await;
        assert!(rest.is_empty(), "{rest:?}");

        // With the other filters.
        assert_eq!(search(&app, &format!("{}&kind=trial", q("SN-2026"))).await.0.len(), 2);
        assert!(search(&app, &format!("{}&kind=nope", q("SN-2026"))).await.0.is_empty());
        // A blank query lists as if there were none.
        assert_eq!(search(&app, "q=%20%20").await.0.first(), Some(&c));
    }

    async fn search_and_history_stay_in_the_tenant(app) {
        let ours = open(&app, "Fridge warm", json!({
            "customer": {"name": "Chen Jie", "phone": "13712345678"},
            "product": {"model": "BCD-520", "serial": "FR-7788"},
        })).await;
        // Another tenant's ticket with the same customer and unit.
        let created = app
            .send(Req::new(Method::POST, "/api/v1/tenants").bearer(OPERATOR_KEY)
                .json(json!({"name": "Elsewhere"})))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let theirs_key = created.body["admin_key"].as_str().unwrap().to_string();
        let theirs = app
            .send(
                Req::new(Method::POST, "/api/v1/tickets")
                    .bearer(&theirs_key)
                    .json(json!({
                        "kind": "incident", "title": "Fridge warm", "channel": "phone",
                        "customer": {"name": "Chen Jie", "phone": "13712345678"},
                        "product": {"model": "BCD-520", "serial": "FR-7788"},
                        "attributes": {"impact": "low", "urgency": "low"},
                    })),
            )
            .await;
        assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
        let theirs = theirs.body["id"].as_str().unwrap().to_string();
        let seen = app
            .send(Req::new(Method::GET, &format!("/api/v1/tickets?{}", q("FR-7788")))
                .bearer(&theirs_key))
            .await;
        assert_eq!(ids(&seen.body).0, [theirs]);
        for query in ["Fridge", "Chen Jie", "13712345678", "FR-7788"] {
            assert_eq!(search(&app, &q(query)).await.0, [ours.as_str()], "{query}");
        }
        let history = send(&app, Method::GET, "/api/v1/products/FR-7788/tickets", Value::Null).await;
        assert_eq!(ids(&history).0, [ours.as_str()]);
    }

    async fn a_units_history_lists_its_tickets_newest_first(app) {
        let install = open(&app, "Install the AC", json!({
            "product": {"model": "KFR-35GW", "serial": "SN-H-1"},
        })).await;
        let _other = open(&app, "Another unit", json!({
            "product": {"model": "KFR-35GW", "serial": "SN-H-2"},
        })).await;
        let repair = open(&app, "Not cooling", json!({
            "product": {"model": "KFR-35GW", "serial": "SN-H-1"},
        })).await;
        let page = send(&app, Method::GET, "/api/v1/products/SN-H-1/tickets", Value::Null).await;
        assert_eq!(ids(&page), (vec![repair.clone(), install.clone()], None));
        let page = send(&app, Method::GET, "/api/v1/products/SN-H-1/tickets?limit=1", Value::Null)
            .await;
        let (first, next) = ids(&page);
        assert_eq!(first, [repair.as_str()]);
        let page = send(
            &app,
            Method::GET,
            &format!("/api/v1/products/SN-H-1/tickets?limit=1&cursor={}", next.unwrap()),
            Value::Null,
        )
        .await;
        assert_eq!(ids(&page).0, [install.as_str()]);
        let none = send(&app, Method::GET, "/api/v1/products/SN-NONE/tickets", Value::Null).await;
        assert_eq!(ids(&none), (vec![], None));
        let bad = app.send(app.req(Method::GET, "/api/v1/products/SN-H-1/tickets?limit=0")).await;
        bad.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }

    async fn a_filtered_queue_exports_as_csv_and_formulas_stay_text(app) {
        let a = open(&app, "=HYPERLINK(\"http://evil\")", json!({
            "customer": {"name": "Zhao Lei, Jr.", "phone": "13600000000"},
            "product": {"model": "XQG100", "serial": "SN-X-1"},
        })).await;
        let b = open(&app, "Washer, drum noisy", json!({
            "product": {"model": "XQG100", "serial": "SN-X-2"},
        })).await;
        let _other = open(&app, "Fridge warm", json!({})).await;

        let csv = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets?format=csv&{}", q("XQG100"))))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(csv.headers["x-export-truncated"], "false");
        let lines: Vec<&str> = text(&csv).split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two tickets, the final CRLF: {lines:?}");
        assert!(lines[0].starts_with("id,kind,state,category,priority,title,channel,customer_name,"));
        // Ranked as the search is: both match in the product, newest first.
        assert!(lines[1].starts_with(&format!("{b},trial,")), "{}", lines[1]);
        assert!(lines[1].contains(",\"Washer, drum noisy\","), "{}", lines[1]);
        assert!(lines[2].starts_with(&format!("{a},trial,")), "{}", lines[2]);
        assert!(lines[2].contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","), "{}", lines[2]);
        assert!(lines[2].contains(",\"Zhao Lei, Jr.\",13600000000,,XQG100,SN-X-1,"), "{}", lines[2]);

        // `Accept: text/csv` without a format; a filter that selects all.
        let all = app
            .send(app.req(Method::GET, "/api/v1/tickets").header("accept", "text/csv"))
            .await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(text(&all).matches("\r\n").count(), 4);
        let bad = app.send(app.req(Method::GET, "/api/v1/tickets?format=xml")).await;
        bad.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");

        // The console: the header's search box, the export of what it found,
        // and the unit's history on a ticket page.
        let desk = person(&app, "agent@acme.test", Role::Agent).await;
        let found = app.send(desk.get(&format!("/?{}", q("SN-X-1")))).await;
        assert_eq!(found.status, StatusCode::OK);
        let page = html(&found);
        assert!(page.contains(&format!("/tickets/{a}")) && !page.contains(&format!("/tickets/{b}")));
        assert!(page.contains("name=\"q\""), "the header's search box");
        assert!(page.contains("/queue.csv?q=SN-X-1"), "the export keeps the search");
        let exported = app.send(desk.get("/queue.csv?q=SN-X-1")).await;
        assert_eq!(exported.status, StatusCode::OK);
        assert_eq!(text(&exported).matches("\r\n").count(), 2, "{}", text(&exported));
        let again = open(&app, "Washer again", json!({
            "product": {"model": "XQG100", "serial": "SN-X-1"},
        })).await;
        let ticket = app.send(desk.get(&format!("/tickets/{again}"))).await;
        let page = html(&ticket);
        assert!(page.contains("id=\"unit-history\""), "{page}");
        assert!(page.contains(&format!("/tickets/{a}")), "the unit's earlier ticket");
    }
}
