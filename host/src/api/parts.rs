//! `/api/v1/parts`: the spare parts catalogue (admin writes, everyone of
//! the tenant reads), each part's stock per service point and its ledger.

use aftersale_sdk::money::Decimal;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Params};
use crate::domain::part::{Movement, Part};
use crate::service::Caller;
use crate::service::parts::{NewPart, PartChange, PartStock};
use crate::store::PartFilter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_part, change))
        .routes(routes!(stock))
        .routes(routes!(movements))
}

/// A new part of the catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePart {
    /// Letters, digits, `-`, `_`, `.`; unique within the tenant.
    pub sku: String,
    pub name: String,
    pub category: String,
    /// `piece` when absent.
    #[serde(default)]
    pub unit: Option<String>,
    /// Unit price, a decimal amount as a string: `"128.50"`.
    #[schema(value_type = String, example = "128.50")]
    pub price: Decimal,
    /// Product models it fits; any model when empty.
    #[serde(default)]
    pub compatible_models: Vec<String>,
    /// Alert (`stock_low`) when a point's available stock falls to this;
    /// 0 for none.
    #[serde(default)]
    pub reorder_point: u32,
}

/// What to change of a part; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePart {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub price: Option<Decimal>,
    #[serde(default)]
    pub compatible_models: Option<Vec<String>>,
    #[serde(default)]
    pub reorder_point: Option<u32>,
    /// `false` keeps the part's ledger but reserves it no more.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParts {
    pub category: Option<String>,
    /// Parts that fit this product model.
    pub model: Option<String>,
    /// `true` lists inactive parts too.
    pub inactive: Option<bool>,
}

/// How much of the ledger.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerPage {
    /// At most this many lines, newest first (default 100, at most 500).
    pub limit: Option<u32>,
}

/// Add a part to the catalogue (admin).
#[utoipa::path(post, path = "/parts", tag = "spare parts", request_body = CreatePart,
    responses((status = 201, body = Part), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreatePart>,
) -> ApiResult<(StatusCode, Json<Part>)> {
    let b = body.value;
    let new = NewPart {
        sku: b.sku,
        name: b.name,
        category: b.category,
        unit: b.unit.unwrap_or_else(|| "piece".into()),
        price: b.price,
        compatible_models: b.compatible_models,
        reorder_point: b.reorder_point,
    };
    let part = state.services.create_part(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(part)))
}

/// The tenant's active parts by SKU.
#[utoipa::path(get, path = "/parts", tag = "spare parts", params(ListParts),
    responses((status = 200, body = Vec<Part>)),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListParts>,
) -> ApiResult<Json<Vec<Part>>> {
    let filter = PartFilter {
        category: q.category,
        model: q.model,
        inactive: q.inactive.unwrap_or(false),
    };
    Ok(Json(state.services.parts(&caller, &filter).await?))
}

/// One part.
#[utoipa::path(get, path = "/parts/{sku}", tag = "spare parts", params(("sku" = String, Path)),
    responses((status = 200, body = Part)),
    security(("bearer" = [])))]
async fn get_part(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
) -> ApiResult<Json<Part>> {
    Ok(Json(state.services.part(&caller, &sku).await?))
}

/// Change a part (admin).
#[utoipa::path(patch, path = "/parts/{sku}", tag = "spare parts", params(("sku" = String, Path)),
    request_body = ChangePart,
    responses((status = 200, body = Part), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
    body: Body<ChangePart>,
) -> ApiResult<Json<Part>> {
    let b = body.value;
    let change = PartChange {
        name: b.name,
        category: b.category,
        unit: b.unit,
        price: b.price,
        compatible_models: b.compatible_models,
        reorder_point: b.reorder_point,
        active: b.active,
    };
    Ok(Json(
        state.services.change_part(&caller, &sku, change).await?,
    ))
}

/// A part's stock at every service point that has held it, low points
/// first: on hand, reserved for tickets, available.
#[utoipa::path(get, path = "/parts/{sku}/stock", tag = "spare parts", params(("sku" = String, Path)),
    responses((status = 200, body = PartStock)),
    security(("bearer" = [])))]
async fn stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
) -> ApiResult<Json<PartStock>> {
    Ok(Json(state.services.part_stock(&caller, &sku).await?))
}

/// A part's ledger, newest first: every receipt, transfer, reservation,
/// consumption, release and return.
#[utoipa::path(get, path = "/parts/{sku}/movements", tag = "spare parts",
    params(("sku" = String, Path), LedgerPage),
    responses((status = 200, body = Vec<Movement>)),
    security(("bearer" = [])))]
async fn movements(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
    Params(q): Params<LedgerPage>,
) -> ApiResult<Json<Vec<Movement>>> {
    let limit = q.limit.unwrap_or(100);
    Ok(Json(
        state.services.part_movements(&caller, &sku, limit).await?,
    ))
}
