//! The HTTP API.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::routing::get;

use crate::config::Config;
use crate::plugins::{DEFAULT_BUNDLE, Runtime};

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    pub plugins: Arc<Runtime>,
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ready" }))
        .with_state(state)
}

/// Load the first-party plugins, then serve until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let plugins = Arc::new(Runtime::new(config.plugins.clone())?);
    for (package, bytes) in DEFAULT_BUNDLE {
        let plugin = plugins
            .load(bytes)
            .await
            .with_context(|| format!("loading the embedded plugin {package}"))?;
        tracing::info!(
            plugin = plugin.name(),
            version = plugin.version(),
            "plugin loaded"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!("listening on http://{}", config.listen);
    axum::serve(listener, app(AppState { plugins }))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
}
