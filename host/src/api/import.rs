//! `POST /tickets/import`: open tickets from a CSV document, all or none.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, Problem, ProblemBody, ProblemType};
use super::tickets::TicketView;
use crate::service::Caller;
use crate::service::import::Imported;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import))
}

/// What an import opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    pub imported: usize,
    /// The new tickets, in the document's order.
    pub tickets: Vec<TicketView>,
}

/// Open up to 1,000 tickets from a CSV document (`Content-Type: text/csv`,
/// UTF-8): a header row naming the columns `GET /tickets?format=csv`
/// writes (`kind`, `title` and `customer_name` required; `id`, `state`,
/// `priority`, `assignee` and the times read past), then one ticket a row.
/// Every row is checked and let in by its plugin like a single `POST
/// /tickets`; then all are written in one transaction. If any row is
/// refused, nothing is written and the 422 lists each refused row's
/// `line` (the header is line 1) and `problem`.
#[utoipa::path(post, path = "/tickets/import", tag = "tickets",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportAnswer),
        (status = 415, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportAnswer>)> {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/csv"));
    if !csv {
        return Err(Problem::new(
            ProblemType::UnsupportedMediaType,
            "send the tickets as text/csv",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::new(ProblemType::InvalidRequest, "the document is not UTF-8"))?;
    match state.services.import_tickets(&caller, text).await? {
        Imported::All(tickets) => Ok((
            StatusCode::CREATED,
            Json(ImportAnswer {
                imported: tickets.len(),
                tickets: tickets.into_iter().map(TicketView::from).collect(),
            }),
        )),
        Imported::Refused(rows) => {
            let count = rows.len();
            let rows: Vec<serde_json::Value> = rows
                .into_iter()
                .map(|(line, e)| serde_json::json!({"line": line, "problem": Problem::from(e).body()}))
                .collect();
            Err(Problem::new(
                ProblemType::InvalidRequest,
                format!("{count} rows were refused; nothing was imported"),
            )
            .with("rows", rows))
        }
    }
}
