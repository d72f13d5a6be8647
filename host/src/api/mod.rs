//! The HTTP API under `/api/v1`, health and metrics endpoints, and the
//! OpenAPI document generated from the handlers.

mod admin;
pub mod auth;
pub mod error;
pub mod extract;
mod levels;
mod metrics;
mod plugins;
mod publishers;
mod surveys;
mod tickets;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
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
use crate::config::Config;
use crate::plugins::Runtime;
use crate::service::Services;

/// Largest request body, bytes.
pub const BODY_LIMIT: usize = 1 << 20;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub auth: Arc<Authenticator>,
    openapi: Arc<String>,
}

impl AppState {
    pub fn new(services: Services, operator_key: Option<&str>) -> Self {
        let auth = Arc::new(Authenticator::new(services.store.clone(), operator_key));
        AppState {
            services,
            auth,
            openapi: Arc::new(openapi().to_pretty_json().unwrap_or_default()),
        }
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
            .merge(admin::router())
            .merge(plugins::router())
            .merge(publishers::router())
            .merge(webhooks::router())
            .merge(surveys::router())
            .merge(levels::router()),
    )
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    v1().split_for_parts().1
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    let (api, _) = v1().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    api.route("/api/v1/openapi.json", get(openapi_json))
        .route("/openapi.json", get(openapi_json))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.store.ping().await {
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

/// Open the database, load the plugins, and build the application.
pub async fn build(config: &Config) -> anyhow::Result<(Router, Services)> {
    let store = crate::store::open(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", config.database_url))?;
    let mut plugins = config.plugins.clone();
    if plugins.cache_dir.is_some() && plugins.cache_key.is_none() {
        plugins.cache_key = Some(cache_key(&*store).await?);
    }
    let runtime = Arc::new(Runtime::new(plugins)?);
    let mut services = Services::new(store, runtime);
    services.supervision = config.supervision;
    services
        .catalog
        .install_embedded()
        .await
        .context("cannot install the first-party plugins")?;
    let state = AppState::new(services.clone(), config.operator_key.as_deref());
    Ok((app(state), services))
}

/// The key that signs the precompiled plugin cache: in the database, beside
/// nothing it protects, and the same for every replica.
async fn cache_key(store: &dyn crate::store::Backend) -> anyhow::Result<[u8; 32]> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    let key = store
        .secret("plugin-cache-key", &fresh, crate::service::now())
        .await
        .context("cannot read the plugin cache key")?;
    key.try_into()
        .map_err(|_| anyhow::anyhow!("the stored plugin cache key is not 32 bytes"))
}

/// Serve until Ctrl-C or SIGTERM, with the background jobs running.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let (app, services) = build(&config).await?;
    let first = services
        .bootstrap()
        .await
        .context("cannot create the first tenant and admin")?;
    let jobs = crate::jobs::Jobs::start(services, config.jobs.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    if let Some(first) = first {
        // One line on stdout, so a person sees it and a script can read it.
        println!(
            "sign in at http://{}/ with login {} and password {} (tenant {}, shown once)",
            listener.local_addr().unwrap_or(config.listen),
            first.user.login,
            first.password,
            first.tenant.id
        );
    }
    tracing::info!(
        "listening on http://{} (database {})",
        listener.local_addr().unwrap_or(config.listen),
        config.database_url
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("the server stopped");
    jobs.stop().await;
    served
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
    // Give in-flight requests a moment; axum waits for them.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
