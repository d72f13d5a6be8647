//! Tenants (operator key).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::auth::Operator;
use super::error::{ApiResult, ProblemBody};
use super::extract::Body;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_tenant, list_tenants))
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
