//! The tenant's console accounts and the links issued for them (admin).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Body, Id};
use crate::domain::Role;
use crate::service::Caller;
use crate::service::users::{InviteView, IssuedLink, UserView};
use crate::store::UserChange;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(change_user))
        .routes(routes!(reset_password))
        .routes(routes!(list_invitations))
        .routes(routes!(revoke_invitation))
}

/// What to change of an account; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeUser {
    /// agent, technician, partner, viewer or admin.
    pub role: Option<Role>,
    /// `true` disables the account and ends its sessions; `false` enables it.
    pub disabled: Option<bool>,
}

/// The tenant's console accounts (admin).
#[utoipa::path(get, path = "/users", tag = "admin",
    responses((status = 200, body = Vec<UserView>)),
    security(("bearer" = [])))]
async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UserView>>> {
    let users = state.services.users(&caller).await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
}

/// Change an account's role, or disable or enable it (admin). The tenant
/// keeps at least one enabled admin.
#[utoipa::path(patch, path = "/users/{id}", tag = "admin", params(("id" = uuid::Uuid, Path)),
    request_body = ChangeUser,
    responses((status = 200, body = UserView)),
    security(("bearer" = [])))]
async fn change_user(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    body: Body<ChangeUser>,
) -> ApiResult<Json<UserView>> {
    let change = UserChange {
        role: body.value.role,
        disabled_at: body
            .value
            .disabled
            .map(|disabled| disabled.then(crate::service::now)),
    };
    let user = state.services.change_user(&caller, id, change).await?;
    Ok(Json(user.into()))
}

/// A one-time link (24 hours) with which the account's owner sets a new
/// password; using it ends the account's sessions (admin). The token is
/// shown once.
#[utoipa::path(post, path = "/users/{id}/password-reset", tag = "admin", params(("id" = uuid::Uuid, Path)),
    responses((status = 201, body = IssuedLink)),
    security(("bearer" = [])))]
async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<IssuedLink>)> {
    let issued = state.services.reset_link(&caller, None, id).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Invitations and password-reset links not used yet (admin).
#[utoipa::path(get, path = "/invitations", tag = "admin",
    responses((status = 200, body = Vec<InviteView>)),
    security(("bearer" = [])))]
async fn list_invitations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<InviteView>>> {
    Ok(Json(state.services.open_invites(&caller).await?))
}

/// Withdraw an invitation or reset link not used yet (admin).
#[utoipa::path(delete, path = "/invitations/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204)),
    security(("bearer" = [])))]
async fn revoke_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.services.revoke_invite(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
