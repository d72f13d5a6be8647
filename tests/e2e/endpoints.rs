//! Health, readiness, Prometheus metrics, request ids and the OpenAPI
//! document.

use axum::http::{Method, StatusCode};

use crate::harness::app::{Req, on_both_backends};

on_both_backends! {
    async fn health_and_readiness(app) {
        let health = app.send(Req::new(Method::GET, "/healthz")).await;
        assert_eq!(health.status, StatusCode::OK);
        let ready = app.send(Req::new(Method::GET, "/readyz")).await;
        assert_eq!(ready.status, StatusCode::OK);
        assert!(ready.headers.contains_key("x-request-id"));
    }

    async fn metrics_count_requests_and_plugin_calls(app) {
        app.trial("behave").await;
        let metrics = app.send(Req::new(Method::GET, "/metrics")).await;
        assert_eq!(metrics.status, StatusCode::OK);
        let text = metrics.body.as_str().expect("text");
        assert!(text.contains("http_requests_total"), "{text}");
        assert!(text.contains("route=\"/api/v1/tickets\""), "{text}");
        assert!(text.contains("plugin_calls_total"), "{text}");
        assert!(text.contains("plugin_call_duration_seconds"), "{text}");
    }

    async fn the_openapi_document_describes_the_api(app) {
        let doc = app.send(Req::new(Method::GET, "/api/v1/openapi.json")).await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc.body["paths"].as_object().unwrap();
        for path in [
            "/api/v1/tickets",
            "/api/v1/tickets/{id}",
            "/api/v1/tickets/{id}/transitions",
            "/api/v1/tickets/{id}/actions/{name}",
            "/api/v1/tickets/{id}/events",
            "/api/v1/tenants",
            "/api/v1/bundle",
        ] {
            assert!(paths.contains_key(path), "{path} is documented");
        }
        assert!(doc.body["components"]["schemas"]["TicketView"].is_object());
        assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
    }
}
