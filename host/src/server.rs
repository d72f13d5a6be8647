//! Putting the application together: open the database, load the plugins,
//! build the router, and serve it with the background jobs until a signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;

use crate::api::{AppState, app};
use crate::config::Config;
use crate::plugins::Runtime;
use crate::service::{Files, Services};
use crate::store::objects::{self, Objects};

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
    services.files = files(config)?;
    services
        .catalog
        .install_embedded()
        .await
        .context("cannot install the first-party plugins")?;
    services
        .hash_legacy_survey_tokens()
        .await
        .context("cannot hash the survey tokens kept in clear")?;
    let state = AppState::new(services.clone(), config.operator_key.as_deref())
        .with_public_url(config.public_url.clone())
        .map_err(anyhow::Error::msg)?;
    Ok((app(state), services))
}

/// Where attachments go: the store named, else a directory beside the
/// SQLite file.
fn files(config: &Config) -> anyhow::Result<Files> {
    let objects = match &config.object_store {
        Some(location) => Objects::open(location)?,
        None => Objects::directory(&objects::default_dir(&config.database_url))?,
    };
    tracing::info!("attachments kept in {objects:?}");
    Ok(Files::new(objects, config.attachments))
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
    let local = listener.local_addr().unwrap_or(config.listen);
    if let Some(first) = first {
        let public = match &config.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{local}"),
        };
        // One line on stdout, so a person sees it and a script can read it.
        println!(
            "sign in at {public}/ with login {} and password {} (tenant {}, shown once)",
            first.user.login, first.password, first.tenant.id
        );
    }
    tracing::info!(
        "listening on http://{local} (database {})",
        config.database_url
    );
    // The peer address counts failed sign-ins per client.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
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
