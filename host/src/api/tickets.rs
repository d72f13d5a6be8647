//! `/api/v1/tickets`: open, read, list, transition, edit, comment, actions,
//! timeline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, Problem, ProblemBody, ProblemType};
use super::extract::{Body, Id, IdempotencyKey, IfMatch, Params, present, wants_csv};
use crate::domain::export::tickets_csv;
use crate::domain::search::Query;
use crate::domain::{
    Actor, Category, Channel, Customer, Event, NewTicket, Priority, Product, Ticket,
};
use crate::service::Caller;
use crate::service::tickets::{EditInput, IdempotencyKey as Key, TransitionInput};
use crate::store::TicketFilter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get, edit))
        .routes(routes!(transition))
        .routes(routes!(comment))
        .routes(routes!(action))
        .routes(routes!(events))
}

/// A new ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// A kind of the tenant's bundle, e.g. `installation`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    #[serde(default)]
    pub product: Option<Product>,
    /// Matches the kind's attribute schema.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// A team of the tenant (`GET /teams`) whose queue it starts in.
    #[serde(default)]
    pub team: Option<String>,
}

/// A ticket as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    pub product: Option<Product>,
    pub priority: Priority,
    pub state: String,
    pub category: Category,
    pub assignee: Option<String>,
    /// The team whose queue the ticket is in.
    pub team: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// Send it back as `If-Match` to change the ticket.
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Ticket> for TicketView {
    fn from(t: Ticket) -> Self {
        TicketView {
            id: t.id,
            kind: t.kind,
            title: t.title,
            description: t.description,
            channel: t.channel,
            customer: t.customer,
            product: t.product,
            priority: t.priority,
            state: t.state,
            category: t.category,
            assignee: t.assignee,
            team: t.team,
            attributes: t.attributes,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// The ticket with its version as the ETag.
fn ticket_response(status: StatusCode, ticket: Ticket) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", ticket.version));
    let location = HeaderValue::from_str(&format!("/api/v1/tickets/{}", ticket.id));
    let mut response = (status, Json(TicketView::from(ticket))).into_response();
    if let Ok(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if status == StatusCode::CREATED
        && let Ok(location) = location
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Open a ticket. The owning plugin's `on-create` may reject it (422) or add
/// effects. A repeated `Idempotency-Key` returns the first result.
#[utoipa::path(post, path = "/tickets", tag = "tickets",
    request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")),
    responses(
        (status = 201, description = "Created", body = TicketView),
        (status = 200, description = "A repeat of an earlier request with the same Idempotency-Key", body = TicketView),
        (status = 422, description = "Invalid, or rejected by the plugin", body = ProblemBody, content_type = "application/problem+json"),
        (status = 502, description = "The plugin failed", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    IdempotencyKey(key): IdempotencyKey,
    body: Body<CreateTicket>,
) -> ApiResult<Response> {
    let key = key.map(|key| Key {
        key,
        request_hash: body.digest(),
    });
    let req = body.value;
    let new = NewTicket {
        kind: req.kind,
        title: req.title,
        description: req.description,
        channel: req.channel,
        customer: req.customer,
        product: req.product,
        attributes: req.attributes,
        team: req.team,
    };
    let opened = state.services.create_ticket(&caller, new, key).await?;
    let status = if opened.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(ticket_response(status, opened.ticket))
}

/// Filters of the ticket list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<Priority>,
    pub assignee: Option<String>,
    /// The name of a team whose queue to list.
    pub team: Option<String>,
    /// Search the title, description and comments, the customer's name,
    /// phone, e-mail and address, the unit's SKU, model and serial
    /// (substring, case-insensitive, up to 100 characters). The page is ranked: serial or phone first, then
    /// title, customer and product, description and comments; newest first
    /// within each. A query that is exactly a serial or a phone number
    /// answers that unit's or that customer's tickets.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `json` (default) or `csv`: every ticket the filters select (at most
    /// 10,000, from `cursor` on, `limit` ignored) as one CSV document;
    /// `Accept: text/csv` also gives CSV.
    pub format: Option<String>,
}

/// A page of tickets, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

/// List tickets, newest first, with filters and cursor paging; or export
/// them as CSV.
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListQuery),
    responses(
        (status = 200, description = "A page; with format=csv (or Accept: text/csv) every selected \
            ticket as CSV, with `x-export-truncated: true` when more than 10,000 were left out",
            content((TicketPage = "application/json"), (String = "text/csv"))),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(query): Params<ListQuery>,
) -> ApiResult<Response> {
    let csv = wants_csv(query.format.as_deref(), &headers)?;
    let limit = page_limit(query.limit)?;
    let filter = TicketFilter {
        state: query.state,
        kind: query.kind,
        priority: query.priority,
        assignee: query.assignee,
        team: query.team,
        q: query.q.as_deref().and_then(Query::parse),
        serial: None,
        cursor: query.cursor,
        limit,
    };
    if csv {
        let (tickets, truncated) = state.services.export(&caller, filter).await?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tickets.csv\"",
                ),
                (
                    HeaderName::from_static("x-export-truncated"),
                    if truncated { "true" } else { "false" },
                ),
            ],
            tickets_csv(&tickets),
        )
            .into_response());
    }
    let items = state.services.tickets(&caller, filter).await?;
    Ok(Json(TicketPage::new(items, limit)).into_response())
}

/// A page's `limit`: 1–200, default 50.
pub(super) fn page_limit(limit: Option<u32>) -> Result<u32, Problem> {
    let limit = limit.unwrap_or(50);
    let max = crate::service::tickets::MAX_PAGE;
    if !(1..=max).contains(&limit) {
        return Err(Problem::new(
            ProblemType::InvalidRequest,
            format!("limit must be between 1 and {max}"),
        ));
    }
    Ok(limit)
}

impl TicketPage {
    /// A page of at most `limit` tickets; a full one has a next page.
    pub(super) fn new(items: Vec<Ticket>, limit: u32) -> Self {
        let next_cursor = (items.len() == limit as usize)
            .then(|| items.last().map(|t| t.id))
            .flatten();
        TicketPage {
            items: items.into_iter().map(TicketView::from).collect(),
            next_cursor,
        }
    }
}

/// Read a ticket; its version is also the ETag.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn get(State(state): State<AppState>, caller: Caller, Id(id): Id) -> ApiResult<Response> {
    let ticket = state.services.ticket(&caller, id).await?;
    Ok(ticket_response(StatusCode::OK, ticket))
}

/// A requested transition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Transition name from the kind's workflow.
    pub transition: String,
    /// Attributes to set with the transition (the guard sees them).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Take a workflow transition at the version in `If-Match`.
#[utoipa::path(post, path = "/tickets/{id}/transitions", tag = "tickets",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ticket version you read")),
    request_body = TransitionBody,
    responses(
        (status = 200, body = TicketView),
        (status = 403, description = "The role may not take the transition", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No such transition from this state, or the guard rejected it", body = ProblemBody, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    IfMatch(version): IfMatch,
    body: Body<TransitionBody>,
) -> ApiResult<Response> {
    let body = body.value;
    let input = TransitionInput {
        name: body.transition,
        attributes: body.attributes,
        note: body.note,
    };
    let ticket = state
        .services
        .transition(&caller, id, input, version)
        .await?;
    Ok(ticket_response(StatusCode::OK, ticket))
}

/// An edit that moves no state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// Attributes to set; `null` removes one.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// An active account of the tenant, by login or user id (stored as the
    /// login), or `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    /// A team of the tenant (`GET /teams`) to put the ticket in the queue
    /// of, or `null` to take it out of any.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    /// A work note; some plugins require one for certain edits.
    #[serde(default)]
    pub note: Option<String>,
}

/// Edit attributes, priority or assignee at the version in `If-Match`.
#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets",
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = EditBody,
    responses((status = 200, body = TicketView), (status = 409, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json"), (status = 428, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    IfMatch(version): IfMatch,
    body: Body<EditBody>,
) -> ApiResult<Response> {
    let body = body.value;
    let input = EditInput {
        attributes: body.attributes,
        priority: body.priority,
        assignee: body.assignee,
        team: body.team,
        note: body.note,
    };
    let ticket = state.services.edit(&caller, id, input, version).await?;
    Ok(ticket_response(StatusCode::OK, ticket))
}

/// A comment, or an internal note hidden from the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub body: String,
    #[serde(default)]
    pub internal: bool,
}

/// Add a comment to the timeline.
#[utoipa::path(post, path = "/tickets/{id}/comments", tag = "tickets",
    params(("id" = Uuid, Path)), request_body = CommentBody,
    responses((status = 201, body = TicketView)),
    security(("bearer" = [])))]
async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    body: Body<CommentBody>,
) -> ApiResult<Response> {
    let body = body.value;
    let ticket = state
        .services
        .comment(&caller, id, body.body, body.internal)
        .await?;
    Ok(ticket_response(StatusCode::CREATED, ticket))
}

/// Input of a named action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub input: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// A plugin's answer to a named action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResponse {
    #[schema(value_type = Object)]
    pub output: Value,
    /// The ticket after the action's effects.
    pub ticket: TicketView,
}

/// Run a named action of the owning plugin (e.g. retail-returns `assess`).
#[utoipa::path(post, path = "/tickets/{id}/actions/{name}", tag = "tickets",
    params(("id" = Uuid, Path), ("name" = String, Path)), request_body = ActionBody,
    responses((status = 200, body = ActionResponse), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn action(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Path((_, name)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<ActionResponse>> {
    // The body is optional: no input is an empty object.
    let input = if body.iter().all(u8::is_ascii_whitespace) {
        empty_object()
    } else {
        super::extract::parse::<ActionBody>(&body)?.input
    };
    let answer = state.services.action(&caller, id, &name, input).await?;
    Ok(Json(ActionResponse {
        output: answer.output,
        ticket: answer.ticket.into(),
    }))
}

/// One entry of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    /// The ticket's version after this event.
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    #[schema(value_type = Object)]
    pub actor: Actor,
    pub kind: String,
    #[schema(value_type = Object)]
    pub data: Value,
    /// `name@version` of the plugin that decided, if one did.
    pub plugin: Option<String>,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        EventView {
            id: e.id,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            kind: e.data.kind().to_string(),
            data: e.data.to_json(),
            plugin: e.plugin,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// `next_cursor` of the previous page: the last sequence number seen.
    #[param(minimum = 0)]
    pub cursor: Option<i64>,
    /// 1–1000, default 100.
    pub limit: Option<u32>,
}

/// A page of a ticket's timeline, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// The ticket's timeline, oldest first, a page at a time.
#[utoipa::path(get, path = "/tickets/{id}/events", tag = "tickets",
    params(("id" = Uuid, Path), EventsQuery),
    responses((status = 200, body = EventPage)),
    security(("bearer" = [])))]
async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Params(query): Params<EventsQuery>,
) -> ApiResult<Json<EventPage>> {
    let (events, next_cursor) = state
        .services
        .events_page(
            &caller,
            id,
            query.cursor.unwrap_or(0),
            query.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(EventPage {
        items: events.into_iter().map(EventView::from).collect(),
        next_cursor,
    }))
}
