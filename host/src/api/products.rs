//! A unit's service history: every ticket of one serial number.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::ApiResult;
use super::extract::Params;
use super::tickets::{TicketPage, page_limit};
use crate::service::Caller;
use crate::store::TicketFilter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(history))
}

/// Which page of the history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

/// Every ticket of the unit with this serial number, newest first: its
/// installation, repairs, returns, whatever their kind.
#[utoipa::path(get, path = "/products/{serial}/tickets", tag = "tickets",
    params(("serial" = String, Path), HistoryQuery),
    responses((status = 200, body = TicketPage)),
    security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<String>,
    Params(query): Params<HistoryQuery>,
) -> ApiResult<Json<TicketPage>> {
    let limit = page_limit(query.limit)?;
    let filter = TicketFilter {
        serial: Some(serial.trim().to_owned()),
        cursor: query.cursor,
        limit,
        ..TicketFilter::default()
    };
    let items = state.services.tickets(&caller, filter).await?;
    Ok(Json(TicketPage::new(items, limit)))
}
