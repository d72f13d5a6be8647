//! `POST /tickets/bulk`: one transition, assignment or queue for many
//! tickets, with an outcome per ticket.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, Problem, ProblemBody, ProblemType};
use super::extract::{Body, present};
use crate::service::Caller;
use crate::service::bulk::BulkChange;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk))
}

/// A transition to take.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTransition {
    pub name: String,
    pub note: Option<String>,
}

/// Tickets and the one change for all of them: exactly one of
/// `transition`, `assignee`, `team`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// 1–100 ticket ids, each once.
    pub tickets: Vec<Uuid>,
    #[serde(default)]
    pub transition: Option<BulkTransition>,
    /// An active account of the tenant, or `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    /// A team of the tenant, or `null` to take the tickets out of any queue.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
}

/// What became of one ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkOutcome {
    pub ticket: Uuid,
    /// `true` when the change was made.
    pub ok: bool,
    /// The ticket's version after the change.
    pub version: Option<i64>,
    /// Its state after the change.
    pub state: Option<String>,
    /// Why it was not changed, as the single request would have answered.
    #[schema(value_type = Option<ProblemBody>)]
    pub problem: Option<Value>,
}

/// Every ticket's outcome, in the order of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAnswer {
    pub results: Vec<BulkOutcome>,
    /// How many were changed.
    pub changed: usize,
}

/// Take one transition, assign or queue up to 100 tickets. Each ticket is
/// its own change at its current version (no `If-Match`): a refusal
/// leaves that ticket as it was and the others go on. 200 with every
/// outcome; 422 when the request itself is wrong.
#[utoipa::path(post, path = "/tickets/bulk", tag = "tickets", request_body = BulkBody,
    responses((status = 200, body = BulkAnswer),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn bulk(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<BulkBody>,
) -> ApiResult<Json<BulkAnswer>> {
    let b = body.value;
    let change = match (b.transition, b.assignee, b.team) {
        (Some(t), None, None) => BulkChange::Transition {
            name: t.name,
            note: t.note,
        },
        (None, Some(assignee), None) => BulkChange::Assign(assignee),
        (None, None, Some(team)) => BulkChange::Team(team),
        _ => {
            return Err(Problem::new(
                ProblemType::InvalidRequest,
                "give exactly one of `transition`, `assignee`, `team`",
            ));
        }
    };
    let outcomes = state.services.bulk(&caller, &b.tickets, &change).await?;
    let results: Vec<BulkOutcome> = outcomes
        .into_iter()
        .map(|(ticket, outcome)| match outcome {
            Ok(t) => BulkOutcome {
                ticket,
                ok: true,
                version: Some(t.version),
                state: Some(t.state),
                problem: None,
            },
            Err(e) => BulkOutcome {
                ticket,
                ok: false,
                version: None,
                state: None,
                problem: Some(Problem::from(e).body()),
            },
        })
        .collect();
    let changed = results.iter().filter(|r| r.ok).count();
    Ok(Json(BulkAnswer { results, changed }))
}
