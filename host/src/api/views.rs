//! Saved views of the queue: `/views`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id};
use crate::domain::view::{SavedView, ViewFilter};
use crate::service::Caller;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(delete))
}

/// A view to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateView {
    /// 1–60 characters, unique among the caller's views.
    pub name: String,
    /// A team the caller works in (an admin: any team), whose members see
    /// the view too.
    #[serde(default)]
    pub team: Option<String>,
    /// The queue's filters: `state`, `kind`, `priority`, `assignee`,
    /// `team`, `q`.
    #[serde(default)]
    pub filter: ViewFilter,
}

/// Save a named filter of the queue (at most 50 per caller).
#[utoipa::path(post, path = "/views", tag = "tickets", request_body = CreateView,
    responses((status = 201, body = SavedView),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreateView>,
) -> ApiResult<(StatusCode, Json<SavedView>)> {
    let b = body.value;
    let view = state
        .services
        .create_view(&caller, &b.name, b.team, b.filter)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The caller's views and those shared with the teams they work in, by
/// name. List tickets with a view's `filter` as `GET /tickets` parameters.
#[utoipa::path(get, path = "/views", tag = "tickets",
    responses((status = 200, body = [SavedView])),
    security(("bearer" = [])))]
async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<SavedView>>> {
    Ok(Json(state.services.views(&caller).await?))
}

/// Delete a view: its owner, or an admin.
#[utoipa::path(delete, path = "/views/{id}", tag = "tickets",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.services.delete_view(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
