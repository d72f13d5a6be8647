//! Retention: idempotency records, delivered deliveries and expired
//! invitations are purged once old enough, and nothing younger goes.

use std::time::Duration;

use aftersale::domain::Role;
use aftersale::jobs::{Jobs, retention};
use aftersale::service::accounts::caller_of;
use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::json;

use crate::harness::app::{on_both_backends, trial_body};
use crate::harness::receiver::Receiver;
use crate::service_levels::quick_jobs;

on_both_backends! {
    async fn what_is_kept_for_a_while_is_purged_once_old_and_not_before(app) {
        let create = async || {
            app.send(app.req(Method::POST, "/api/v1/tickets").header("idempotency-key", "order-7").json(trial_body("behave"))).await
        };
        let first = create().await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(create().await.status, StatusCode::OK, "replayed while remembered");

        let boss = app.services.create_user(app.tenant, "boss", "Boss", Role::Admin, "correct horse battery").await.unwrap();
        let invite = app.services.invite(&caller_of(&boss), boss.id, "newcomer", Role::Agent).await.unwrap();

        let receiver = Receiver::start(0).await;
        let resp = app.send(app.req(Method::POST, "/api/v1/webhooks").json(json!({"url": receiver.url, "events": ["created"]}))).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
        let jobs = Jobs::start(app.services.clone(), quick_jobs());
        app.trial("behave").await;
        let delivered = async || {
            app.send(app.req(Method::GET, "/api/v1/webhooks/deliveries?state=delivered")).await.body.as_array().map_or(0, Vec::len)
        };
        tokio::time::timeout(Duration::from_secs(30), async {
            while delivered().await == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
        .expect("the delivery is made");
        jobs.stop().await;

        let (_, stopped) = tokio::sync::watch::channel(false);
        let now = aftersale::service::now();
        let soon = now.checked_add(SignedDuration::from_hours(1)).unwrap();
        let nothing = retention::purge(&app.services, soon, &stopped).await.unwrap();
        assert_eq!(nothing, Default::default(), "nothing is old enough after an hour");
        assert!(app.services.invitation(&invite).await.is_ok());

        let later = now.checked_add(SignedDuration::from_hours(31 * 24)).unwrap();
        let purged = retention::purge(&app.services, later, &stopped).await.unwrap();
        assert_eq!((purged.idempotency, purged.deliveries, purged.invites), (1, 1, 1), "{purged:?}");
        assert_eq!(delivered().await, 0);
        assert!(app.services.invitation(&invite).await.is_err());
        assert!(app.services.store.idempotent(app.tenant, "order-7").await.unwrap().is_none());
        let again = create().await;
        assert_eq!(again.status, StatusCode::CREATED, "a forgotten key opens a new ticket: {}", again.body);
        assert_ne!(again.body["id"], first.body["id"]);
    }
}
