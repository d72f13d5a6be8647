//! The HTTP API under `/api/v1`, health and metrics endpoints, and the
//! OpenAPI document generated from the handlers.

pub(crate) mod attachments;
mod audit;
pub mod auth;
mod bulk;
mod dispatch;
pub mod error;
pub mod extract;
mod import;
mod keys;
mod metrics;
mod openapi;
mod parts;
mod plugins;
mod products;
mod prometheus;
mod publishers;
mod service_points;
mod sla;
mod stock;
mod surveys;
mod teams;
mod technicians;
mod tenants;
mod tickets;
mod users;
mod views;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use self::auth::Authenticator;
use self::error::{Problem, ProblemType};
use crate::service::Services;

/// Largest request body, bytes.
pub const BODY_LIMIT: usize = 1 << 20;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub auth: Arc<Authenticator>,
    /// When the console's cookies are `Secure`.
    pub cookies: crate::web::CookieSecurity,
    /// Where people reach the console, for links the host hands out.
    pub public_url: Option<String>,
    openapi: Arc<String>,
}

impl AppState {
    pub fn new(services: Services, operator_key: Option<&str>) -> Self {
        let auth = Arc::new(Authenticator::new(services.clone(), operator_key));
        AppState {
            services,
            auth,
            cookies: crate::web::CookieSecurity::default(),
            public_url: None,
            openapi: Arc::new(openapi().to_pretty_json().unwrap_or_default()),
        }
    }

    /// Where people reach the console; it also decides whether cookies are
    /// `Secure`. A URL that is not http(s) is refused.
    pub fn with_public_url(mut self, url: Option<String>) -> Result<Self, String> {
        self.cookies = crate::web::CookieSecurity::for_public_url(url.as_deref())?;
        self.public_url = url;
        Ok(self)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aftersale",
        description = "After-sales service platform (T/GXDSL259—2025). Errors are \
                       application/problem+json with a stable `type`.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "tickets", description = "Service requests and their workflow"),
        (name = "plugins", description = "The tenant's plugin bundle and configuration"),
        (name = "admin", description = "Tenants, API keys and plugin publishers"),
        (name = "webhooks", description = "Signed event deliveries with retries and dead letters"),
        (name = "surveys", description = "Customer satisfaction surveys"),
        (name = "teams", description = "Teams: queues, leads, managers and support tiers"),
        (name = "service network", description = "Service centres, authorised outlets, contracted providers and their technicians"),
        (name = "spare parts", description = "The parts catalogue, stock per service point and its ledger"),
        (name = "service levels", description = "SLA policies, business calendar, clocks and the standard's metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(
        "/api/v1",
        tickets::router()
            .merge(attachments::router())
            .merge(bulk::router())
            .merge(import::router())
            .merge(tenants::router())
            .merge(keys::router())
            .merge(users::router())
            .merge(audit::router())
            .merge(plugins::router())
            .merge(publishers::router())
            .merge(webhooks::router())
            .merge(surveys::router())
            .merge(teams::router())
            .merge(service_points::router())
            .merge(technicians::router())
            .merge(dispatch::router())
            .merge(parts::router())
            .merge(products::router())
            .merge(stock::router())
            .merge(sla::router())
            .merge(metrics::router())
            .merge(views::router()),
    )
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = v1().split_for_parts().1;
    openapi::finish(&mut api);
    api
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    let (api, _) = v1().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    api.route("/api/v1/openapi.json", get(openapi_json))
        .route("/openapi.json", get(openapi_json))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(prometheus::render))
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(prometheus::track))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let path = loggable_path(request.uri().path());
                tracing::info_span!("request", method = %request.method(), path = %path, request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// A request's path as the log may show it: the credential in a survey or
/// invitation link is replaced by `{token}`, and the query is left out.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    const SECRET_AFTER: [&str; 3] = ["/survey/", "/invite/", "/api/v1/surveys/"];
    for prefix in SECRET_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |at| &rest[at..]);
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            Problem::new(ProblemType::Unavailable, "the database does not answer").into_response()
        }
    }
}

async fn not_found() -> Problem {
    Problem::new(ProblemType::NotFound, "no such resource")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        ProblemType::MethodNotAllowed,
        "this resource does not support the method",
    )
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn survey_and_invitation_tokens_stay_out_of_the_log() {
        assert_eq!(loggable_path("/survey/Zx9-secret"), "/survey/{token}");
        assert_eq!(loggable_path("/invite/abc/extra"), "/invite/{token}/extra");
        assert_eq!(
            loggable_path("/api/v1/surveys/abc"),
            "/api/v1/surveys/{token}"
        );
        assert_eq!(loggable_path("/api/v1/tickets/42"), "/api/v1/tickets/42");
    }
}
