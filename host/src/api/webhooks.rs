//! `/api/v1/webhooks`: subscriptions, the delivery log with its dead letters,
//! and retries.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id, Params};
use crate::service::Caller;
use crate::store::{Delivery, DeliveryState, Webhook};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(delete))
        .routes(routes!(deliveries))
        .routes(routes!(retry))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// `http(s)://` URL that receives a POST per event.
    pub url: String,
    /// Event types (`created`, `transitioned`, `sla_breached`, …) or `*`.
    pub events: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url,
            events: w.events,
            created_at: w.created_at,
        }
    }
}

/// A new webhook with the secret that signs its deliveries, shown once.
/// Each delivery carries `X-Aftersale-Signature: t=<unix s>,v1=<hex>` where
/// `v1` is HMAC-SHA256 of `"<t>.<body>"` with the secret, and
/// `X-Aftersale-Event-Id` to de-duplicate (delivery is at least once).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: WebhookView,
    pub secret: String,
}

/// Subscribe a URL to event types (admin).
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses((status = 201, body = WebhookCreated), (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CreateWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookCreated>)> {
    let webhook = state
        .services
        .create_webhook(&caller, &body.value.url, body.value.events)
        .await?;
    let secret = webhook.secret.clone();
    Ok((
        StatusCode::CREATED,
        Json(WebhookCreated {
            webhook: webhook.into(),
            secret,
        }),
    ))
}

/// The tenant's webhooks (admin).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookView>)),
    security(("bearer" = [])))]
async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<WebhookView>>> {
    let hooks = state.services.webhooks(&caller).await?;
    Ok(Json(hooks.into_iter().map(WebhookView::from).collect()))
}

/// Stop a webhook (admin); pending deliveries to it are dropped.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)),
    responses((status = 204)),
    security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.services.delete_webhook(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `dead`.
    #[param(value_type = Option<String>)]
    pub state: Option<DeliveryState>,
    /// Default 100, at most 500.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    #[schema(value_type = String)]
    pub state: DeliveryState,
    pub attempts: u32,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<Timestamp>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            webhook_id: d.webhook_id,
            event_id: d.event_id,
            event_type: d.event_type,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: d.payload,
        }
    }
}

/// The delivery log, newest first; `state=dead` lists the dead letters
/// (admin).
#[utoipa::path(get, path = "/webhooks/deliveries", tag = "webhooks", params(DeliveryQuery),
    responses((status = 200, body = Vec<DeliveryView>)),
    security(("bearer" = [])))]
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<DeliveryQuery>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let list = state
        .services
        .deliveries(&caller, query.state, query.limit.unwrap_or(100))
        .await?;
    Ok(Json(list.into_iter().map(DeliveryView::from).collect()))
}

/// Queue a dead delivery again (admin).
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/retry", tag = "webhooks", params(("id" = Uuid, Path)),
    responses((status = 202)),
    security(("bearer" = [])))]
async fn retry(State(state): State<AppState>, caller: Caller, Id(id): Id) -> ApiResult<StatusCode> {
    state.services.retry_delivery(&caller, id).await?;
    Ok(StatusCode::ACCEPTED)
}
