//! The plugins concern over HTTP: upload a component (a publisher or the
//! operator), list and inspect the versions the caller may see, publish a
//! version, grant limits and release a quarantine (operator); the tenant's
//! bundle (`/bundle`, which version owns each kind) and its configuration of
//! each plugin (`/plugins/{name}/config`).

use aftersale_sdk::Manifest;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::auth::Operator;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, bytes_problem};
use crate::plugins::Limits;
use crate::service::{Caller, Grant, PluginDetails, Viewer};
use crate::store::{Binding, Health, PluginRecord};

/// Largest component an upload may carry, bytes.
pub const COMPONENT_LIMIT: usize = 32 << 20;

pub fn router() -> OpenApiRouter<AppState> {
    let upload = OpenApiRouter::new()
        .routes(routes!(upload, list))
        .layer(DefaultBodyLimit::max(COMPONENT_LIMIT));
    OpenApiRouter::new()
        .merge(upload)
        .routes(routes!(show))
        .routes(routes!(publish))
        .routes(routes!(grant))
        .routes(routes!(release))
        .routes(routes!(get_bundle, put_bundle))
        .routes(routes!(get_config, put_config))
}

/// An installed plugin version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginSummary {
    /// The component's SHA-256, hex: the plugin version's id.
    pub id: String,
    pub name: String,
    pub version: String,
    /// The contract version it was built against.
    pub contract: String,
    pub size_bytes: i64,
    #[schema(value_type = String, format = DateTime)]
    pub installed_at: Timestamp,
    /// The publisher that uploaded it; `null` for the operator's and the
    /// first-party plugins.
    pub publisher_id: Option<Uuid>,
    /// When tenants could first bind it; `null` while private to its
    /// publisher.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<Timestamp>,
}

impl From<&PluginRecord> for PluginSummary {
    fn from(r: &PluginRecord) -> Self {
        PluginSummary {
            id: r.hash.clone(),
            name: r.name.clone(),
            version: r.version.clone(),
            contract: r.contract.clone(),
            size_bytes: r.size,
            installed_at: r.installed_at,
            publisher_id: r.publisher_id,
            published_at: r.published_at,
        }
    }
}

/// Per-call limits, as a plugin runs on them.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitsView {
    pub fuel: u64,
    pub memory_bytes: u64,
    pub deadline_ms: u32,
}

impl From<&Limits> for LimitsView {
    fn from(l: &Limits) -> Self {
        LimitsView {
            fuel: l.fuel,
            memory_bytes: l.memory_bytes,
            deadline_ms: l.deadline_ms,
        }
    }
}

/// A tenant's health record of a plugin version.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    pub tenant_id: Uuid,
    /// Failures in a row.
    pub failures: u32,
    pub last_failure: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub quarantined_at: Option<Timestamp>,
}

impl From<&Health> for HealthView {
    fn from(h: &Health) -> Self {
        HealthView {
            tenant_id: h.tenant_id,
            failures: h.failures,
            last_failure: h.last_failure.clone(),
            quarantined_at: h.quarantined_at,
        }
    }
}

/// A plugin version in full: what it declares, what it asked for, what the
/// operator granted, and how it is doing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginView {
    #[serde(flatten)]
    pub summary: PluginSummary,
    pub description: String,
    /// The ticket kinds it declares.
    pub kinds: Vec<String>,
    pub actions: Vec<String>,
    /// What its manifest asks for beyond the defaults.
    pub requested: Grant,
    /// What the operator granted; `null` runs it on the defaults.
    pub granted: Option<Grant>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub granted_at: Option<Timestamp>,
    /// The limits its calls run on now.
    pub limits: LimitsView,
    /// The most the operator may grant.
    pub caps: LimitsView,
    /// Tenants for which it is failing or quarantined (a tenant key sees
    /// only its own).
    pub health: Vec<HealthView>,
    /// The manifest as the plugin returned it.
    #[schema(value_type = Object)]
    pub manifest: Value,
}

impl From<PluginDetails> for PluginView {
    fn from(d: PluginDetails) -> Self {
        let Manifest {
            description,
            kinds,
            actions,
            resources,
            ..
        } = d.manifest.clone();
        PluginView {
            summary: PluginSummary::from(&d.record),
            description,
            kinds: kinds.into_iter().map(|k| k.name).collect(),
            actions: actions.into_iter().map(|a| a.name).collect(),
            requested: Grant {
                fuel: resources.fuel,
                memory_bytes: resources.memory_bytes,
                deadline_ms: resources.deadline_ms,
            },
            granted: d.grant,
            granted_at: d.record.granted_at,
            limits: LimitsView::from(&d.limits),
            caps: LimitsView::from(&d.caps),
            health: d.health.iter().map(HealthView::from).collect(),
            manifest: serde_json::to_value(&d.manifest).unwrap_or(Value::Null),
        }
    }
}

/// Install a plugin component (a publisher key or the operator key; body:
/// the `.wasm` file). A publisher's upload is private to it until the
/// operator publishes it. 201 when new, 200 when these bytes were installed
/// before; 403 for a tenant key or over a publisher's quota; 409 when the
/// name belongs to someone else or is reserved, or its name and version
/// belong to other bytes.
#[utoipa::path(post, path = "/plugins", tag = "plugins",
    request_body(content = Vec<u8>, content_type = "application/wasm",
        description = "The component's bytes"),
    responses(
        (status = 201, body = PluginView), (status = 200, body = PluginView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn upload(
    State(state): State<AppState>,
    installer: Viewer,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<PluginView>)> {
    // Refused before the body is looked at, so a tenant key gets 403 even
    // for an oversized one.
    installer.may_install()?;
    let bytes = body.map_err(bytes_problem)?;
    let (details, created) = state.services.install_plugin(&installer, &bytes).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(details.into())))
}

/// The installed plugin versions the caller may see: all of them for the
/// operator, its own for a publisher, the published ones for a tenant.
#[utoipa::path(get, path = "/plugins", tag = "plugins",
    responses((status = 200, body = Vec<PluginSummary>)),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<PluginSummary>>> {
    let records = state.services.plugin_records(&viewer).await?;
    Ok(Json(records.iter().map(PluginSummary::from).collect()))
}

/// One plugin version by id (its SHA-256) or `name@version`; 404 for one
/// the caller may not see.
#[utoipa::path(get, path = "/plugins/{id}", tag = "plugins", params(("id" = String, Path)),
    responses((status = 200, body = PluginView), (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        state.services.plugin_details(&viewer, &id).await?.into(),
    ))
}

/// Publish a plugin version to every tenant, so they may see and bind it
/// (operator key). Publishing a published version changes nothing.
#[utoipa::path(post, path = "/plugins/{id}/publish", tag = "plugins", params(("id" = String, Path)),
    responses((status = 200, body = PluginView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn publish(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<String>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(state.services.publish_plugin(&id).await?.into()))
}

/// Grant a plugin version limits beyond the defaults (operator key). An
/// empty body grants what its manifest asks for; nothing over the caps.
#[utoipa::path(put, path = "/plugins/{id}/grant", tag = "plugins", params(("id" = String, Path)),
    request_body = Grant,
    responses((status = 200, body = PluginView), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn grant(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<String>,
    body: Body<Grant>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        state.services.grant(&id, Some(body.value)).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub tenant_id: Uuid,
}

/// Lift a tenant's quarantine of a plugin version (operator key).
#[utoipa::path(post, path = "/plugins/{id}/release", tag = "plugins", params(("id" = String, Path)),
    request_body = Release,
    responses((status = 200, body = PluginView), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn release(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<String>,
    body: Body<Release>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        state
            .services
            .release_plugin(&id, body.value.tenant_id)
            .await?
            .into(),
    ))
}

/// Which plugin version owns a ticket kind.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingView {
    pub kind: String,
    pub plugin: String,
    pub version: String,
}

impl From<Binding> for BindingView {
    fn from(b: Binding) -> Self {
        BindingView {
            kind: b.kind,
            plugin: b.plugin_name,
            version: b.plugin_version,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleView {
    pub bindings: Vec<BindingView>,
}

/// The tenant's plugin bundle.
#[utoipa::path(get, path = "/bundle", tag = "plugins",
    responses((status = 200, body = BundleView)),
    security(("bearer" = [])))]
async fn get_bundle(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<BundleView>> {
    let bindings = state.services.bundle(&caller).await?;
    Ok(Json(BundleView {
        bindings: bindings.into_iter().map(BindingView::from).collect(),
    }))
}

/// Bind kinds to plugin versions (admin). Kinds not listed keep their
/// binding; the next call uses the new one.
#[utoipa::path(put, path = "/bundle", tag = "plugins", request_body = BundleView,
    responses((status = 200, body = BundleView), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn put_bundle(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<BundleView>,
) -> ApiResult<Json<BundleView>> {
    let bindings = body
        .value
        .bindings
        .into_iter()
        .map(|b| (b.kind, b.plugin, b.version))
        .collect();
    let bound = state.services.bind(&caller, bindings).await?;
    Ok(Json(BundleView {
        bindings: bound.into_iter().map(BindingView::from).collect(),
    }))
}

/// The tenant's effective configuration of a plugin: defaults with the
/// tenant's overrides.
#[utoipa::path(get, path = "/plugins/{name}/config", tag = "plugins", params(("name" = String, Path)),
    responses((status = 200, body = Object)),
    security(("bearer" = [])))]
async fn get_config(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.services.plugin_config(&caller, &name).await?))
}

/// Replace the tenant's overrides of a plugin's configuration (admin); the
/// answer is the effective configuration.
#[utoipa::path(put, path = "/plugins/{name}/config", tag = "plugins", params(("name" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn put_config(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: Body<Value>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .services
            .set_plugin_config(&caller, &name, body.value)
            .await?,
    ))
}
