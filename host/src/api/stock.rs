//! `/api/v1/stock`: stock received, transferred or returned, recorded by
//! people in the field. Reservations, consumption and releases are made by
//! tickets' changes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::Body;
use crate::domain::part::{Movement, MovementKind};
use crate::service::Caller;
use crate::service::parts::NewMovement;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record))
}

/// A movement recorded by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordMovement {
    pub sku: String,
    /// `receive`, `transfer` or `return`.
    pub kind: MovementKind,
    /// Where the stock arrives (`receive`, `return`) or leaves (`transfer`).
    pub service_point: Uuid,
    /// Where a transfer goes.
    #[serde(default)]
    pub to_point: Option<Uuid>,
    pub quantity: u32,
    #[serde(default)]
    pub note: Option<String>,
}

/// Record stock received, transferred between points or returned from the
/// field. A transfer takes only what the point has available (409
/// `out-of-stock` otherwise).
#[utoipa::path(post, path = "/stock/movements", tag = "spare parts", request_body = RecordMovement,
    responses((status = 201, body = Movement),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn record(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<RecordMovement>,
) -> ApiResult<(StatusCode, Json<Movement>)> {
    let b = body.value;
    let new = NewMovement {
        sku: b.sku,
        kind: b.kind,
        service_point: b.service_point,
        to_point: b.to_point,
        quantity: b.quantity,
        note: b.note,
    };
    let movement = state.services.record_movement(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(movement)))
}
