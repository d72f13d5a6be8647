//! Surveys: the public answer endpoint behind a customer's one-time link, and
//! the tenant's survey settings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id};
use crate::service::Caller;
use crate::service::surveys::{AnswerInput, SurveySettings, SurveyView, TicketSurvey};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, answer))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(ticket_survey))
}

/// The survey issued when the ticket was first resolved: the link to send
/// the customer, and the answer once given.
#[utoipa::path(get, path = "/tickets/{id}/survey", tag = "surveys", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = TicketSurvey), (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn ticket_survey(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<TicketSurvey>> {
    Ok(Json(state.services.ticket_survey(&caller, id).await?))
}

/// What a survey asks (no credentials: the token is the credential).
#[utoipa::path(get, path = "/surveys/{token}", tag = "surveys", params(("token" = String, Path)),
    responses((status = 200, body = SurveyView), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<SurveyView>> {
    Ok(Json(state.services.survey(&token).await?))
}

/// Answer a survey, once: ratings 1–5 for every attribute and, when asked,
/// a 0–10 recommendation score. An answered or expired link is 410.
#[utoipa::path(post, path = "/surveys/{token}", tag = "surveys", params(("token" = String, Path)),
    request_body = AnswerInput,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such survey", body = ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "Answered already or expired", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Missing or out-of-range ratings", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Body<AnswerInput>,
) -> ApiResult<StatusCode> {
    state.services.answer_survey(&token, body.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant's survey: attributes, CSI weights, NPS, expiry.
#[utoipa::path(get, path = "/settings/survey", tag = "surveys",
    responses((status = 200, body = SurveySettings)),
    security(("bearer" = [])))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<SurveySettings>> {
    Ok(Json(
        state.services.survey_settings(caller.tenant_id).await?,
    ))
}

/// Change the tenant's survey (admin); surveys issued later use it.
#[utoipa::path(put, path = "/settings/survey", tag = "surveys", request_body = SurveySettings,
    responses((status = 200, body = SurveySettings), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<SurveySettings>,
) -> ApiResult<Json<SurveySettings>> {
    Ok(Json(
        state
            .services
            .set_survey_settings(&caller, body.value)
            .await?,
    ))
}
