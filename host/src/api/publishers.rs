//! Publishers over HTTP (operator key): issue a partner the key it uploads
//! plugins with, list publishers with their usage, revoke a key.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::auth::Operator;
use super::error::{ApiResult, ProblemBody};
use super::extract::{Body, Id};
use crate::store::PublisherUsage;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_publisher, list_publishers))
        .routes(routes!(revoke_publisher))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePublisher {
    /// Unique among publishers, e.g. the partner's company.
    pub name: String,
    /// Plugin versions it may store, private and published; default 20.
    #[serde(default)]
    pub max_plugins: Option<u64>,
    /// Bytes of components it may store in all; default 64 MiB.
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// A new publisher; the key is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherCreated {
    pub id: Uuid,
    pub name: String,
    /// The bearer token the publisher uploads with.
    pub key: String,
    pub max_plugins: u64,
    pub max_bytes: u64,
}

/// A publisher with what it stores.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherView {
    pub id: Uuid,
    pub name: String,
    pub max_plugins: u64,
    pub max_bytes: u64,
    /// Plugin versions it stores now.
    pub plugins: u64,
    /// Bytes of its components.
    pub bytes: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl From<PublisherUsage> for PublisherView {
    fn from(p: PublisherUsage) -> Self {
        PublisherView {
            id: p.publisher.id,
            name: p.publisher.name,
            max_plugins: p.publisher.quota.max_plugins,
            max_bytes: p.publisher.quota.max_bytes,
            plugins: p.usage.plugins,
            bytes: p.usage.bytes,
            created_at: p.publisher.created_at,
            revoked_at: p.publisher.revoked_at,
        }
    }
}

/// Issue a publisher key (operator key). Quotas left out are the defaults.
#[utoipa::path(post, path = "/publishers", tag = "admin", request_body = CreatePublisher,
    responses((status = 201, body = PublisherCreated),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn create_publisher(
    State(state): State<AppState>,
    _: Operator,
    body: Body<CreatePublisher>,
) -> ApiResult<(StatusCode, Json<PublisherCreated>)> {
    let CreatePublisher {
        name,
        max_plugins,
        max_bytes,
    } = body.value;
    let issued = state
        .services
        .create_publisher(&name, max_plugins, max_bytes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PublisherCreated {
            id: issued.publisher.id,
            name: issued.publisher.name,
            key: issued.key,
            max_plugins: issued.publisher.quota.max_plugins,
            max_bytes: issued.publisher.quota.max_bytes,
        }),
    ))
}

/// Every publisher with its quota and usage (operator key).
#[utoipa::path(get, path = "/publishers", tag = "admin",
    responses((status = 200, body = Vec<PublisherView>),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn list_publishers(
    State(state): State<AppState>,
    _: Operator,
) -> ApiResult<Json<Vec<PublisherView>>> {
    let publishers = state.services.publishers().await?;
    Ok(Json(
        publishers.into_iter().map(PublisherView::from).collect(),
    ))
}

/// Revoke a publisher's key (operator key). Its plugins stay installed and
/// its names stay its own.
#[utoipa::path(delete, path = "/publishers/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 204),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn revoke_publisher(
    State(state): State<AppState>,
    _: Operator,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.services.revoke_publisher(id).await?;
    state.auth.forget();
    Ok(StatusCode::NO_CONTENT)
}
