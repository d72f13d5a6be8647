//! The audit log of admin actions (admin).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::ApiResult;
use super::extract::Params;
use crate::service::Caller;
use crate::service::audit::AuditView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// Default 50, at most 200.
    pub limit: Option<u32>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

/// Who changed the tenant's keys, bundle, plugin configuration, service
/// levels, survey, people and webhooks, newest first (admin).
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditPage)),
    security(("bearer" = [])))]
async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = query
        .limit
        .unwrap_or(50)
        .clamp(1, crate::service::audit::MAX_PAGE);
    let items = state
        .services
        .audit_log(&caller, query.cursor, limit)
        .await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage { items, next_cursor }))
}
