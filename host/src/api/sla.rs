//! Service levels: SLA policies and thresholds, the business calendar and a
//! ticket's clocks.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, Problem, ProblemBody, ProblemType};
use super::extract::{self, Body, Id};
use crate::domain::calendar::CalendarSpec;
use crate::domain::sla::{ClockState, Outcome};
use crate::domain::{Priority, SlaMetric};
use crate::service::Caller;
use crate::service::sla::SlaSettings;
use crate::store::SlaPolicy;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_policies, put_policies))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(get_calendar, put_calendar))
        .routes(routes!(ticket_sla))
}

/// A tenant's SLA target; `kind` and `priority` absent match any.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyView {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// `response`, `resolution` or `on_site`.
    #[schema(value_type = String)]
    pub metric: SlaMetric,
    pub minutes: u32,
    /// Count the business calendar's working hours only.
    #[serde(default)]
    pub business_time: bool,
}

impl From<SlaPolicy> for PolicyView {
    fn from(p: SlaPolicy) -> Self {
        PolicyView {
            kind: p.kind,
            priority: p.priority,
            metric: p.metric,
            minutes: p.minutes,
            business_time: p.business_time,
        }
    }
}

impl From<PolicyView> for SlaPolicy {
    fn from(p: PolicyView) -> Self {
        SlaPolicy {
            kind: p.kind,
            priority: p.priority,
            metric: p.metric,
            minutes: p.minutes,
            business_time: p.business_time,
        }
    }
}

/// The tenant's SLA policies; targets not covered come from the plugins'
/// defaults.
#[utoipa::path(get, path = "/sla/policies", tag = "service levels",
    responses((status = 200, body = Vec<PolicyView>)),
    security(("bearer" = [])))]
async fn get_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PolicyView>>> {
    let list = state.services.sla_policies(&caller).await?;
    Ok(Json(list.into_iter().map(PolicyView::from).collect()))
}

/// Replace the tenant's SLA policies (admin). The most specific policy for a
/// ticket's kind and priority wins; running clocks are re-targeted at the
/// ticket's next change, keeping the time already elapsed.
#[utoipa::path(put, path = "/sla/policies", tag = "service levels", request_body = Vec<PolicyView>,
    responses((status = 200, body = Vec<PolicyView>), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn put_policies(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<Vec<PolicyView>>,
) -> ApiResult<Json<Vec<PolicyView>>> {
    let policies = body.value.into_iter().map(SlaPolicy::from).collect();
    let list = state.services.set_sla_policies(&caller, policies).await?;
    Ok(Json(list.into_iter().map(PolicyView::from).collect()))
}

/// Warning thresholds in percent of a target (default 50 and 75); the breach
/// is at 100.
#[utoipa::path(get, path = "/sla/settings", tag = "service levels",
    responses((status = 200, body = SlaSettings)),
    security(("bearer" = [])))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<SlaSettings>> {
    Ok(Json(state.services.sla_settings(&caller).await?))
}

/// Change the warning thresholds (admin).
#[utoipa::path(put, path = "/sla/settings", tag = "service levels", request_body = SlaSettings,
    responses((status = 200, body = SlaSettings)),
    security(("bearer" = [])))]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<SlaSettings>,
) -> ApiResult<Json<SlaSettings>> {
    Ok(Json(
        state.services.set_sla_settings(&caller, body.value).await?,
    ))
}

/// The business calendar: time zone, weekly hours with breaks, holidays and
/// make-up working days.
#[utoipa::path(get, path = "/calendar", tag = "service levels",
    responses((status = 200, body = Object)),
    security(("bearer" = [])))]
async fn get_calendar(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(state.services.calendar(&caller).await?))
}

/// Replace the business calendar with a JSON spec, or — with
/// `Content-Type: text/calendar` — add the holidays and make-up working days
/// of an iCalendar file to it (admin).
#[utoipa::path(put, path = "/calendar", tag = "service levels",
    request_body(content = Object, description = "A calendar spec (application/json) or an iCalendar file (text/calendar)"),
    responses((status = 200, body = Object), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn put_calendar(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("text/calendar") {
        return Ok(Json(state.services.import_calendar(&caller, &body).await?));
    }
    if !content_type.starts_with("application/json") {
        return Err(Problem::new(
            ProblemType::UnsupportedMediaType,
            "send a calendar spec as application/json or an iCalendar file as text/calendar",
        ));
    }
    let spec: CalendarSpec = extract::parse(&body)?;
    Ok(Json(state.services.set_calendar(&caller, spec).await?))
}

/// One SLA clock of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    #[schema(value_type = String)]
    pub metric: SlaMetric,
    pub target_minutes: u32,
    pub business_time: bool,
    /// `not_started`, `running`, `paused` or `stopped`.
    #[schema(value_type = String)]
    pub state: ClockState,
    /// `pending`, `met`, `breached` or `abandoned`.
    #[schema(value_type = String)]
    pub outcome: Outcome,
    pub elapsed_seconds: i64,
    pub percent: f64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<Timestamp>,
    /// When 100 % is reached if it keeps running.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
}

/// The ticket's SLA clocks now.
#[utoipa::path(get, path = "/tickets/{id}/sla", tag = "service levels", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<ClockView>)),
    security(("bearer" = [])))]
async fn ticket_sla(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<ClockView>>> {
    let clocks = state.services.ticket_clocks(&caller, id).await?;
    Ok(Json(
        clocks
            .into_iter()
            .map(|(target, clock)| ClockView {
                metric: target.metric,
                target_minutes: target.minutes,
                business_time: target.business_time,
                state: clock.state(),
                outcome: clock.outcome(),
                elapsed_seconds: clock.elapsed().as_secs(),
                percent: (clock.percent() * 100.0).round() / 100.0,
                started_at: clock.started_at(),
                stopped_at: clock.stopped_at(),
                due_at: clock.due_at(),
            })
            .collect(),
    ))
}
