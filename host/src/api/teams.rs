//! `/api/v1/teams`: the groups that work a queue, their leads, managers,
//! members and support tiers (admin writes, everyone of the tenant reads).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, present};
use crate::domain::team::Team;
use crate::service::Caller;
use crate::service::teams::{NewTeam, TeamChange};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_team, change))
}

/// A new team; people by login or user id (stored as the login).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    /// Lower-case letters, digits and hyphens, e.g. `field-service`.
    pub name: String,
    pub title: String,
    /// The support tier it serves, 1 (first line) to 9; one team per tier.
    #[serde(default)]
    pub tier: Option<u8>,
    /// The `group_lead` a plugin's notice reaches.
    pub lead: String,
    /// The `manager` a plugin's notice reaches.
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

/// What to change of a team; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTeam {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u8>)]
    pub tier: Option<Option<u8>>,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub manager: Option<Option<String>>,
    /// The whole new list of members.
    #[serde(default)]
    pub members: Option<Vec<String>>,
}

/// Add a team (admin).
#[utoipa::path(post, path = "/teams", tag = "teams", request_body = CreateTeam,
    responses((status = 201, body = Team), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreateTeam>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    let b = body.value;
    let new = NewTeam {
        name: b.name,
        title: b.title,
        tier: b.tier,
        lead: b.lead,
        manager: b.manager,
        members: b.members,
    };
    let team = state.services.create_team(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// The tenant's teams, first line first.
#[utoipa::path(get, path = "/teams", tag = "teams",
    responses((status = 200, body = Vec<Team>)),
    security(("bearer" = [])))]
async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(state.services.teams(&caller).await?))
}

/// One team.
#[utoipa::path(get, path = "/teams/{name}", tag = "teams", params(("name" = String, Path)),
    responses((status = 200, body = Team)),
    security(("bearer" = [])))]
async fn get_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<Team>> {
    Ok(Json(state.services.team(&caller, &name).await?))
}

/// Change a team (admin).
#[utoipa::path(patch, path = "/teams/{name}", tag = "teams", params(("name" = String, Path)),
    request_body = ChangeTeam,
    responses((status = 200, body = Team), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: Body<ChangeTeam>,
) -> ApiResult<Json<Team>> {
    let b = body.value;
    let change = TeamChange {
        title: b.title,
        tier: b.tier,
        lead: b.lead,
        manager: b.manager,
        members: b.members,
    };
    Ok(Json(
        state.services.change_team(&caller, &name, change).await?,
    ))
}
