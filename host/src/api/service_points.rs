//! `/api/v1/service-points`: the service network — service centres,
//! authorised outlets and contracted providers (admin writes, everyone of
//! the tenant reads).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id, Params, present};
use crate::domain::calendar::CalendarSpec;
use crate::domain::service_point::{GeoPoint, PointKind, Region, ServicePoint};
use crate::service::Caller;
use crate::service::service_points::{NewPoint, PointChange};
use crate::store::PointFilter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_point, change))
}

/// A new service point.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePoint {
    pub name: String,
    pub kind: PointKind,
    pub region: Region,
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// Opening hours, in the form of `PUT /calendar`; the tenant's
    /// calendar when absent.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub hours: Option<CalendarSpec>,
    /// Ticket kinds it serves; every kind when empty.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Product categories it serves; every category when empty.
    #[serde(default)]
    pub categories: Vec<String>,
}

/// What to change of a service point; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePoint {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<PointKind>,
    #[serde(default)]
    pub region: Option<Region>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub hours: Option<Option<CalendarSpec>>,
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// `false` keeps the point for history but gives it no new work.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListPoints {
    /// A GB/T 2260 province, city or county code, e.g. `450100`.
    pub region: Option<String>,
    pub kind: Option<PointKind>,
    /// `true` lists inactive points too.
    pub inactive: Option<bool>,
}

/// Add a service point (admin).
#[utoipa::path(post, path = "/service-points", tag = "service network", request_body = CreatePoint,
    responses((status = 201, body = ServicePoint), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreatePoint>,
) -> ApiResult<(StatusCode, Json<ServicePoint>)> {
    let b = body.value;
    let new = NewPoint {
        name: b.name,
        kind: b.kind,
        region: b.region,
        address: b.address,
        phone: b.phone,
        location: b.location,
        hours: b.hours,
        kinds: b.kinds,
        categories: b.categories,
    };
    let point = state.services.create_service_point(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(point)))
}

/// The tenant's active service points by region, then name.
#[utoipa::path(get, path = "/service-points", tag = "service network", params(ListPoints),
    responses((status = 200, body = Vec<ServicePoint>)),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListPoints>,
) -> ApiResult<Json<Vec<ServicePoint>>> {
    let filter = PointFilter {
        region: q.region,
        kind: q.kind,
        inactive: q.inactive.unwrap_or(false),
    };
    Ok(Json(state.services.service_points(&caller, &filter).await?))
}

/// One service point.
#[utoipa::path(get, path = "/service-points/{id}", tag = "service network", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ServicePoint)),
    security(("bearer" = [])))]
async fn get_point(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<ServicePoint>> {
    Ok(Json(state.services.service_point(&caller, id).await?))
}

/// Change a service point (admin).
#[utoipa::path(patch, path = "/service-points/{id}", tag = "service network", params(("id" = uuid::Uuid, Path)),
    request_body = ChangePoint,
    responses((status = 200, body = ServicePoint), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    body: Body<ChangePoint>,
) -> ApiResult<Json<ServicePoint>> {
    let b = body.value;
    let change = PointChange {
        name: b.name,
        kind: b.kind,
        region: b.region,
        address: b.address,
        phone: b.phone,
        location: b.location,
        hours: b.hours,
        kinds: b.kinds,
        categories: b.categories,
        active: b.active,
    };
    Ok(Json(
        state
            .services
            .change_service_point(&caller, id, change)
            .await?,
    ))
}
