//! The standard's service metrics over HTTP (JSON or CSV). The process's own
//! Prometheus metrics are in `prometheus.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Params, wants_csv};
use crate::domain::metrics::to_csv;
use crate::service::Caller;
use crate::service::dispatch::TechnicianLoad;
use crate::service::metrics::ServiceReport;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(service_metrics))
        .routes(routes!(utilisation))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MetricsQuery {
    /// First day (YYYY-MM-DD, tenant time zone); default 29 days before `to`.
    #[param(value_type = Option<String>)]
    pub from: Option<Date>,
    /// Last day, inclusive; default today.
    #[param(value_type = Option<String>)]
    pub to: Option<Date>,
    /// `all` (default), `kind`, `channel`, `priority`, `assignee`, `region`, `plugin`, `team`, `technician`, `service_point`.
    pub group_by: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also gives CSV.
    pub format: Option<String>,
}

/// The period a query names: `to` today and `from` 29 days before it,
/// in the tenant's time zone, unless given.
async fn period(
    state: &AppState,
    caller: &Caller,
    from: Option<Date>,
    to: Option<Date>,
) -> ApiResult<(Date, Date)> {
    let zone = state
        .services
        .catalog
        .bundle(caller.tenant_id)
        .await?
        .sla
        .calendar
        .time_zone()
        .clone();
    let today = Timestamp::now().to_zoned_datetime(zone).date();
    let to = to.unwrap_or(today);
    let from = match from {
        Some(from) => from,
        None => to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to),
    };
    Ok((from, to))
}

/// The period of a technicians' load report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LoadQuery {
    /// First day (YYYY-MM-DD, tenant time zone); default 29 days before `to`.
    #[param(value_type = Option<String>)]
    pub from: Option<Date>,
    /// Last day, inclusive; default today; at most 92 days after `from`.
    #[param(value_type = Option<String>)]
    pub to: Option<Date>,
}

/// Technician utilisation (技师利用率) over a period: per technician, the
/// jobs booked against what their working hours and daily capacity allow.
#[utoipa::path(get, path = "/metrics/utilisation", tag = "service levels", params(LoadQuery),
    responses(
        (status = 200, body = Vec<TechnicianLoad>),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn utilisation(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<LoadQuery>,
) -> ApiResult<Json<Vec<TechnicianLoad>>> {
    let (from, to) = period(&state, &caller, query.from, query.to).await?;
    Ok(Json(state.services.utilisation(&caller, from, to).await?))
}

/// The standard's service metrics for tickets created in a period: counts;
/// response, resolution and lead time (mean, p50, p90, seconds); SLA
/// compliance per target; first-contact resolution, reopen, re-repair and
/// complaint rates; service recoveries; CSI, satisfaction rate and NPS.
#[utoipa::path(get, path = "/metrics/service", tag = "service levels", params(MetricsQuery),
    responses(
        (status = 200, description = "The report; with format=csv (or Accept: text/csv) as CSV",
            content((ServiceReport = "application/json"), (String = "text/csv"))),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn service_metrics(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(query): Params<MetricsQuery>,
) -> ApiResult<Response> {
    let wants_csv = wants_csv(query.format.as_deref(), &headers)?;
    let (from, to) = period(&state, &caller, query.from, query.to).await?;
    let group_by = query.group_by.as_deref().unwrap_or("all");
    let report = state
        .services
        .service_metrics(&caller, from, to, group_by)
        .await?;
    if wants_csv {
        let rows: Vec<(String, crate::domain::metrics::Report)> = report
            .groups
            .into_iter()
            .map(|g| (g.group, g.report))
            .collect();
        let filename = format!("attachment; filename=\"service-metrics-{from}-{to}.csv\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, filename),
            ],
            to_csv(&rows),
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}
