//! The web console through the router: signing in and out, CSRF, session
//! expiry, role-gated transition buttons, invitations, and the account
//! store on both backends.

use aftersale::domain::Role;
use aftersale::service::accounts::SESSION_LIFETIME;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::app::{Req, Resp, TestApp, on_both_backends};

pub const PASSWORD: &str = "correct horse battery";

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encode a form or query value.
pub fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn set_cookie(resp: &Resp, name: &str) -> Option<String> {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

pub fn html(resp: &Resp) -> &str {
    resp.body.as_str().unwrap_or("")
}

/// The value of the first hidden `csrf` input of a page.
pub fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &page[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A signed-in browser: its session cookie and CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub async fn sign_in(app: &TestApp, login: &str, password: &str) -> Resp {
    app.send(
        Req::new(Method::POST, "/signin")
            .header("cookie", "aftersale_signin=tok123")
            .header("host", "127.0.0.1:8080")
            .raw(
                "application/x-www-form-urlencoded",
                form(&[
                    ("csrf", "tok123"),
                    ("login", login),
                    ("password", password),
                    ("next", "/"),
                ]),
            ),
    )
    .await
}

pub async fn person(app: &TestApp, login: &str, role: Role) -> Browser {
    app.services
        .create_user(app.tenant, login, login, role, PASSWORD)
        .await
        .expect("the user is created");
    let resp = sign_in(app, login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let cookie = set_cookie(&resp, "aftersale_session").expect("a session cookie");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let queue = app
        .send(Req::new(Method::GET, "/").header("cookie", &cookie))
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    Browser {
        csrf: csrf_of(html(&queue)),
        cookie,
    }
}

impl Browser {
    pub fn get(&self, path: &str) -> Req {
        Req::new(Method::GET, path).header("cookie", &self.cookie)
    }

    pub fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Req {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        Req::new(Method::POST, path)
            .header("cookie", &self.cookie)
            .raw("application/x-www-form-urlencoded", form(&all))
    }
}

async fn installation(app: &TestApp) -> String {
    installation_with(app, json!({"region": "city", "appointment_at": "2026-01-12T09:00:00+08:00", "technician": "tech-7"})).await
}

async fn installation_with(app: &TestApp, attributes: serde_json::Value) -> String {
    let resp = app
        .send(app.req(Method::POST, "/api/v1/tickets").json(json!({
            "kind": "installation",
            "title": "Install a split air conditioner",
            "channel": "phone",
            "customer": {"name": "Li Lei", "phone": "13800000000"},
            "product": {"category": "air_conditioner"},
            "attributes": attributes
        })))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    resp.body["id"].as_str().unwrap().to_string()
}

on_both_backends! {
    async fn signing_in_sets_a_hardened_session_cookie_and_opens_the_queue(app) {
        let b = person(&app, "agent@acme.test", Role::Agent).await;
        let resp = sign_in(&app, "agent@acme.test", PASSWORD).await;
        let cookie = set_cookie(&resp, "aftersale_session").unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let queue = app.send(b.get("/")).await;
        assert!(html(&queue).contains("<html lang=\"zh-CN\">"), "a new tenant reads Chinese");
        assert_eq!(queue.headers.get("cache-control").unwrap(), "no-store");
    }

    async fn a_wrong_password_or_login_is_refused_without_saying_which(app) {
        person(&app, "agent@acme.test", Role::Agent).await;
        let wrong_password = sign_in(&app, "agent@acme.test", "not the password").await;
        let wrong_login = sign_in(&app, "nobody@acme.test", PASSWORD).await;
        for resp in [&wrong_password, &wrong_login] {
            assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
            assert!(set_cookie(resp, "aftersale_session").is_none());
        }
        assert_eq!(html(&wrong_password), html(&wrong_login).replace("nobody@acme.test", "agent@acme.test").replace(&csrf_of(html(&wrong_login)), &csrf_of(html(&wrong_password))));
    }

    async fn a_login_that_keeps_failing_is_refused_for_a_while_even_with_the_right_password(app) {
        person(&app, "agent@acme.test", Role::Agent).await;
        person(&app, "tech@acme.test", Role::Technician).await;
        for _ in 0..aftersale::service::throttle::Throttle::PER_LOGIN {
            assert_eq!(sign_in(&app, "agent@acme.test", "guessing wrong").await.status, StatusCode::UNAUTHORIZED);
        }
        let refused = sign_in(&app, "agent@acme.test", PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
        let wait: u64 = refused.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
        assert!(wait > 800 && wait <= 900, "about 15 minutes: {wait}");
        assert!(set_cookie(&refused, "aftersale_session").is_none());
        assert!(html(&refused).contains("15"), "the page says how long: {}", html(&refused));
        // Another person is not locked out by it.
        assert_eq!(sign_in(&app, "tech@acme.test", PASSWORD).await.status, StatusCode::SEE_OTHER);
    }

    async fn pages_need_a_session(app) {
        let resp = app.send(Req::new(Method::GET, "/dashboard")).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
        assert_eq!(resp.headers.get("location").unwrap(), "/signin?next=/dashboard");
        // An API key is for machines, not pages.
        let resp = app.send(app.req(Method::GET, "/dashboard")).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
    }

    async fn a_form_without_the_session_csrf_token_is_refused(app) {
        let b = person(&app, "agent@acme.test", Role::Agent).await;
        let forged = Req::new(Method::POST, "/tickets/new")
            .header("cookie", &b.cookie)
            .raw("application/x-www-form-urlencoded", form(&[("kind", "installation"), ("title", "forged")]));
        assert_eq!(app.send(forged).await.status, StatusCode::FORBIDDEN);
        let wrong = Req::new(Method::POST, "/tickets/new")
            .header("cookie", &b.cookie)
            .raw("application/x-www-form-urlencoded", form(&[("csrf", "guess"), ("kind", "installation")]));
        assert_eq!(app.send(wrong).await.status, StatusCode::FORBIDDEN);
        // Signing in checks its double-submit cookie.
        let resp = app
            .send(Req::new(Method::POST, "/signin").raw(
                "application/x-www-form-urlencoded",
                form(&[("csrf", "x"), ("login", "agent@acme.test"), ("password", PASSWORD)]),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN);
    }

    async fn signing_out_ends_the_session(app) {
        let b = person(&app, "agent@acme.test", Role::Agent).await;
        let resp = app.send(b.post("/signout", &[])).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
        assert!(set_cookie(&resp, "aftersale_session").unwrap().contains("Max-Age=0"));
        let after = app.send(b.get("/")).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
    }

    async fn a_session_expires(app) {
        app.services.create_user(app.tenant, "agent@acme.test", "Agent", Role::Agent, PASSWORD).await.unwrap();
        let long_ago = aftersale::service::now()
            .checked_sub(SESSION_LIFETIME)
            .unwrap()
            .checked_sub(jiff::SignedDuration::from_mins(1))
            .unwrap();
        let signed_in = app.services.sign_in("agent@acme.test", PASSWORD, None, long_ago).await.unwrap().unwrap();
        let resp = app
            .send(Req::new(Method::GET, "/").header("cookie", &format!("aftersale_session={}", signed_in.token)))
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
        assert!(app.services.desk(&signed_in.token, aftersale::service::now()).await.unwrap().is_none());
    }

    async fn transition_buttons_follow_the_role(app) {
        let id = installation(&app).await;
        let technician = person(&app, "tech@acme.test", Role::Technician).await;
        let viewer = person(&app, "viewer@acme.test", Role::Viewer).await;
        let page = app.send(technician.get(&format!("/tickets/{id}"))).await;
        assert!(html(&page).contains("data-transition=\"check_in\""), "a technician checks in");
        let page = app.send(viewer.get(&format!("/tickets/{id}"))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!html(&page).contains("data-transition="), "a viewer only reads");
        let forced = app.send(viewer.post(&format!("/tickets/{id}"), &[("version", "3"), ("transition", "check_in")])).await;
        assert_eq!(forced.status, StatusCode::FORBIDDEN, "the service refuses what the page does not offer");
    }

    async fn a_guard_rejection_is_shown_beside_the_form_and_changes_nothing(app) {
        let id = installation_with(&app, json!({"region": "city", "appointment_at": "2026-01-12T09:00:00+08:00"})).await;
        let tech = person(&app, "tech@acme.test", Role::Technician).await;
        let version = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}"))).await.body["version"].to_string();
        let resp = app.send(tech.post(&format!("/tickets/{id}"), &[("version", &version), ("transition", "check_in")])).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", resp.body);
        assert!(html(&resp).contains("id=\"rejection\""));
        assert!(html(&resp).contains("A1"), "the refusal names the rule");
        let after = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}"))).await.body;
        assert_eq!(after["state"], "scheduled");
        // With the technician typed into the form, the same button works.
        let resp = app
            .send(tech.post(&format!("/tickets/{id}"), &[("version", &version), ("a.technician", "tech-7"), ("transition", "check_in")]))
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
        let after = app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}"))).await.body;
        assert_eq!(after["state"], "on_site");
        assert_eq!(after["attributes"]["technician"], "tech-7");
    }

    async fn the_plugins_page_shows_failing_and_quarantined_versions(app) {
        let admin = person(&app, "boss@acme.test", Role::Admin).await;
        let health = |page: &str| page.matches("data-health=").count();
        let page = app.send(admin.get("/plugins")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let bound = health(html(&page));
        assert!(bound >= 4, "one state per bound kind");
        assert_eq!(html(&page).matches("data-health=\"active\"").count(), bound);

        let bundle = app.services.catalog.bundle(app.tenant).await.unwrap();
        let hash = bundle.kind("installation").unwrap().installed.plugin.hash().to_string();
        let owned = bundle.kinds().filter(|(_, b)| b.installed.plugin.hash().to_string() == hash).count();
        let at = aftersale::service::now();
        app.services.store.record_failure(app.tenant, &hash, "fuel_exhausted", 1, 3, at).await.unwrap();
        let page = app.send(admin.get("/plugins")).await;
        assert_eq!(html(&page).matches("data-health=\"failing\"").count(), owned, "{}", html(&page));
        assert!(html(&page).contains("fuel_exhausted"), "the cause is shown");

        for _ in 0..2 {
            app.services.store.record_failure(app.tenant, &hash, "trap", 1, 3, at).await.unwrap();
        }
        let page = app.send(admin.get("/plugins")).await;
        assert_eq!(html(&page).matches("data-health=\"quarantined\"").count(), owned);
        assert_eq!(html(&page).matches("data-health=\"active\"").count(), bound - owned, "other plugins stay active");

        app.services.store.release(app.tenant, &hash).await.unwrap();
        let page = app.send(admin.get("/plugins")).await;
        assert_eq!(html(&page).matches("data-health=\"active\"").count(), bound);
    }

    async fn an_admin_invites_and_the_invited_person_signs_in(app) {
        let admin = person(&app, "boss@acme.test", Role::Admin).await;
        let page = app.send(admin.post("/users", &[("login", "new@acme.test"), ("role", "technician")])).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let body = html(&page);
        let at = body.find("/invite/").expect("an invitation link");
        let token: String = body[at + "/invite/".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let accept = app
            .send(Req::new(Method::POST, &format!("/invite/{token}"))
                .raw("application/x-www-form-urlencoded", form(&[("name", "New Tech"), ("password", PASSWORD)])))
            .await;
        assert_eq!(accept.status, StatusCode::SEE_OTHER, "{}", accept.body);
        let again = app
            .send(Req::new(Method::POST, &format!("/invite/{token}"))
                .raw("application/x-www-form-urlencoded", form(&[("name", "Eve"), ("password", PASSWORD)])))
            .await;
        assert_eq!(again.status, StatusCode::GONE, "an invitation works once");
        assert_eq!(sign_in(&app, "new@acme.test", PASSWORD).await.status, StatusCode::SEE_OTHER);
        let agent = person(&app, "agent@acme.test", Role::Agent).await;
        assert_eq!(app.send(agent.get("/users")).await.status, StatusCode::FORBIDDEN, "only admins manage users");
    }

    async fn the_account_store_keeps_logins_unique_and_languages_per_person(app) {
        let user = app.services.create_user(app.tenant, "Li@Acme.test", "Li", Role::Agent, PASSWORD).await.unwrap();
        assert_eq!(user.login, "li@acme.test");
        assert_eq!(user.locale, "zh-CN");
        assert!(user.password_hash.starts_with("$argon2id$"));
        let taken = app.services.create_user(app.tenant, "li@acme.test", "Other", Role::Agent, PASSWORD).await;
        assert!(taken.is_err(), "a login is unique");
        app.services.set_locale(&user, "en").await.unwrap();
        let stored = app.services.store.user_by_login("li@acme.test").await.unwrap().unwrap();
        assert_eq!(stored.locale, "en");
        assert!(app.services.set_locale(&user, "fr").await.is_err());
        assert!(app.services.create_user(app.tenant, "short@acme.test", "S", Role::Agent, "short").await.is_err());
    }

    async fn the_survey_page_needs_no_sign_in_but_a_valid_token(app) {
        let resp = app.send(Req::new(Method::GET, "/survey/not-a-token").header("accept-language", "en")).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND);
        assert!(html(&resp).contains("not valid"));
    }

    async fn assets_are_served_by_the_binary_with_long_caching(app) {
        let resp = app.send(Req::new(Method::GET, "/assets/uplot.min.js")).await;
        assert_eq!(resp.status, StatusCode::OK);
        assert!(resp.headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
        assert_eq!(app.send(Req::new(Method::GET, "/assets/nope.js")).await.status, StatusCode::NOT_FOUND);
    }
}
