//! `/api/v1/technicians`: the accounts that go on site, with their skills,
//! certifications, base, regions, hours and daily capacity (admin writes,
//! everyone of the tenant reads).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Params, present};
use crate::domain::calendar::CalendarSpec;
use crate::domain::technician::{Certification, Technician};
use crate::service::Caller;
use crate::service::technicians::TechnicianChange;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_technician, change))
}

/// Make an account a technician.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTechnician {
    /// An active `technician` or `partner` account, by login or user id.
    pub user: String,
    /// The service point it is based at (`GET /service-points`).
    #[serde(default)]
    pub home_point: Option<Uuid>,
    /// Product categories it is skilled for.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub certifications: Vec<Certification>,
    /// GB/T 2260 codes it works in; a province or city covers what lies in it.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Working hours in the form of `PUT /calendar`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub hours: Option<CalendarSpec>,
    /// Jobs a day, 1 to 50; 6 when absent.
    #[serde(default)]
    pub daily_capacity: Option<u32>,
}

/// What to change of a technician; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTechnician {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub home_point: Option<Option<Uuid>>,
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    #[serde(default)]
    pub certifications: Option<Vec<Certification>>,
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub hours: Option<Option<CalendarSpec>>,
    #[serde(default)]
    pub daily_capacity: Option<u32>,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTechnicians {
    /// Only those based at this service point.
    pub home_point: Option<Uuid>,
}

/// Make an account a technician (admin).
#[utoipa::path(post, path = "/technicians", tag = "service network", request_body = CreateTechnician,
    responses((status = 201, body = Technician), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreateTechnician>,
) -> ApiResult<(StatusCode, Json<Technician>)> {
    let b = body.value;
    let details = TechnicianChange {
        home_point: Some(b.home_point),
        categories: Some(b.categories),
        certifications: Some(b.certifications),
        regions: Some(b.regions),
        hours: Some(b.hours),
        daily_capacity: b.daily_capacity,
    };
    let technician = state
        .services
        .create_technician(&caller, &b.user, details)
        .await?;
    Ok((StatusCode::CREATED, Json(technician)))
}

/// The tenant's technicians, by login.
#[utoipa::path(get, path = "/technicians", tag = "service network", params(ListTechnicians),
    responses((status = 200, body = Vec<Technician>)),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListTechnicians>,
) -> ApiResult<Json<Vec<Technician>>> {
    Ok(Json(
        state.services.technicians(&caller, q.home_point).await?,
    ))
}

/// One technician, by login.
#[utoipa::path(get, path = "/technicians/{login}", tag = "service network", params(("login" = String, Path)),
    responses((status = 200, body = Technician)),
    security(("bearer" = [])))]
async fn get_technician(
    State(state): State<AppState>,
    caller: Caller,
    Path(login): Path<String>,
) -> ApiResult<Json<Technician>> {
    Ok(Json(state.services.technician(&caller, &login).await?))
}

/// Change a technician (admin).
#[utoipa::path(patch, path = "/technicians/{login}", tag = "service network", params(("login" = String, Path)),
    request_body = ChangeTechnician,
    responses((status = 200, body = Technician), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(login): Path<String>,
    body: Body<ChangeTechnician>,
) -> ApiResult<Json<Technician>> {
    let b = body.value;
    let change = TechnicianChange {
        home_point: b.home_point,
        categories: b.categories,
        certifications: b.certifications,
        regions: b.regions,
        hours: b.hours,
        daily_capacity: b.daily_capacity,
    };
    Ok(Json(
        state
            .services
            .change_technician(&caller, &login, change)
            .await?,
    ))
}
