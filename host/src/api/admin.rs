//! Administration: tenants (operator), API keys, the plugin bundle and plugin
//! configuration (tenant admins).

use aftersale_sdk::Role;
use axum::Json;
use axum::extract::{Path, State};
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
use super::extract::{Body, Id};
use crate::service::Caller;
use crate::store::{ApiKey, Binding};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant, list_tenants))
        .routes(routes!(create_key, list_keys))
        .routes(routes!(revoke_key))
        .routes(routes!(get_bundle, put_bundle))
        .routes(routes!(get_config, put_config))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    pub name: String,
    /// IANA time zone; default `Asia/Shanghai`.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// A new tenant and its first admin key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantCreated {
    pub tenant_id: Uuid,
    pub admin_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// Create a tenant with the first-party plugin bundle (operator key).
#[utoipa::path(post, path = "/tenants", tag = "admin", request_body = CreateTenant,
    responses((status = 201, body = TenantCreated), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create_tenant(
    State(state): State<AppState>,
    _: Operator,
    body: Body<CreateTenant>,
) -> ApiResult<(StatusCode, Json<TenantCreated>)> {
    let created = state
        .services
        .create_tenant(&body.value.name, body.value.time_zone.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TenantCreated {
            tenant_id: created.tenant.id,
            admin_key: created.admin_key,
        }),
    ))
}

/// List tenants (operator key).
#[utoipa::path(get, path = "/tenants", tag = "admin",
    responses((status = 200, body = Vec<TenantView>)),
    security(("bearer" = [])))]
async fn list_tenants(
    State(state): State<AppState>,
    _: Operator,
) -> ApiResult<Json<Vec<TenantView>>> {
    let tenants = state.services.tenants().await?;
    Ok(Json(
        tenants
            .into_iter()
            .map(|t| TenantView {
                id: t.id,
                name: t.name,
                time_zone: t.time_zone,
                locale: t.locale,
                created_at: t.created_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: String,
    /// admin, agent, technician, partner or viewer.
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl From<ApiKey> for KeyView {
    fn from(k: ApiKey) -> Self {
        KeyView {
            id: k.id,
            name: k.name,
            role: k.role,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key; the token is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCreated {
    #[serde(flatten)]
    pub key: KeyView,
    pub token: String,
}

/// Issue an API key for this tenant (admin).
#[utoipa::path(post, path = "/keys", tag = "admin", request_body = CreateKey,
    responses((status = 201, body = KeyCreated)),
    security(("bearer" = [])))]
async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreateKey>,
) -> ApiResult<(StatusCode, Json<KeyCreated>)> {
    let issued = state
        .services
        .create_key(&caller, &body.value.name, body.value.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(KeyCreated {
            key: issued.key.into(),
            token: issued.token,
        }),
    ))
}

/// List this tenant's keys (admin).
#[utoipa::path(get, path = "/keys", tag = "admin",
    responses((status = 200, body = Vec<KeyView>)),
    security(("bearer" = [])))]
async fn list_keys(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<KeyView>>> {
    let keys = state.services.keys(&caller).await?;
    Ok(Json(keys.into_iter().map(KeyView::from).collect()))
}

/// Revoke a key (admin).
#[utoipa::path(delete, path = "/keys/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 204)),
    security(("bearer" = [])))]
async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.services.revoke_key(&caller, id).await?;
    state.auth.forget();
    Ok(StatusCode::NO_CONTENT)
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
