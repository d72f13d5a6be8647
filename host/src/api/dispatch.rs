//! Dispatch: `POST /tickets/{id}/dispatch` ranks the technicians for a
//! ticket or books one, `GET /tickets/{id}/appointments` lists what it
//! booked; `GET /technicians/{login}/slots` lists a technician's free
//! slots.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id, Params};
use super::tickets::TicketView;
use crate::domain::dispatch::{Appointment, Candidate, HORIZON_DAYS, Slot};
use crate::service::Caller;
use crate::service::dispatch::{DispatchInput, Dispatched};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dispatch))
        .routes(routes!(appointments))
        .routes(routes!(slots))
}

/// Whom to send, and when.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// A technician's login; without one the host ranks the candidates and
    /// books nothing.
    #[serde(default)]
    pub technician: Option<String>,
    /// One of the technician's free slots (`GET /technicians/{login}/slots`);
    /// its first free slot when absent.
    #[serde(default)]
    pub slot: Option<Slot>,
}

/// The answer of a dispatch: the ranking, or the booking.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DispatchView {
    /// Every technician, best first, with the reason of each score.
    Ranked { candidates: Vec<Candidate> },
    /// The appointment booked and the ticket, now assigned to the
    /// technician.
    Booked {
        appointment: Appointment,
        ticket: Box<TicketView>,
    },
}

/// Rank the technicians for a ticket (no `technician`), or book one: the
/// appointment, the assignment and a `dispatched` event in one commit.
/// Two dispatches of one slot: one books it, the other is 409 `slot-taken`.
#[utoipa::path(post, path = "/tickets/{id}/dispatch", tag = "service network",
    params(("id" = uuid::Uuid, Path)), request_body = DispatchBody,
    responses((status = 200, body = DispatchView), (status = 201, body = DispatchView),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    body: Body<DispatchBody>,
) -> ApiResult<(StatusCode, Json<DispatchView>)> {
    let input = DispatchInput {
        technician: body.value.technician,
        slot: body.value.slot,
    };
    Ok(match state.services.dispatch(&caller, id, input).await? {
        Dispatched::Ranked(candidates) => {
            (StatusCode::OK, Json(DispatchView::Ranked { candidates }))
        }
        Dispatched::Booked(appointment, ticket) => (
            StatusCode::CREATED,
            Json(DispatchView::Booked {
                appointment,
                ticket: Box::new(TicketView::from(*ticket)),
            }),
        ),
    })
}

/// The ticket's appointments, cancelled ones too (a dispatch again cancels
/// the earlier one), oldest first.
#[utoipa::path(get, path = "/tickets/{id}/appointments", tag = "service network",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<Appointment>)),
    security(("bearer" = [])))]
async fn appointments(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<Appointment>>> {
    Ok(Json(state.services.appointments(&caller, id).await?))
}

/// Which slots to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotsQuery {
    /// From when; now when absent.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// How many days, 1–14; 7 when absent.
    pub days: Option<i64>,
}

/// A technician's free slots: its working hours cut into two-hour slots,
/// less those booked and those on days its capacity is used up.
#[utoipa::path(get, path = "/technicians/{login}/slots", tag = "service network",
    params(("login" = String, Path), SlotsQuery),
    responses((status = 200, body = Vec<Slot>)),
    security(("bearer" = [])))]
async fn slots(
    State(state): State<AppState>,
    caller: Caller,
    Path(login): Path<String>,
    Params(q): Params<SlotsQuery>,
) -> ApiResult<Json<Vec<Slot>>> {
    let days = q.days.unwrap_or(7);
    if !(1..=HORIZON_DAYS).contains(&days) {
        return Err(super::error::Problem::new(
            super::error::ProblemType::InvalidRequest,
            format!("days must be between 1 and {HORIZON_DAYS}"),
        ));
    }
    let from = q.from.unwrap_or_else(crate::service::now);
    Ok(Json(
        state
            .services
            .free_slots(&caller, &login, from, days)
            .await?,
    ))
}
