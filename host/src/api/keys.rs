//! The tenant's API keys (tenant admins).

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
use super::error::ApiResult;
use super::extract::{Body, Id};
use crate::domain::Role;
use crate::service::Caller;
use crate::store::ApiKey;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_key, list_keys))
        .routes(routes!(revoke_key))
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
