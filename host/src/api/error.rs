//! Errors as `application/problem+json` (RFC 9457), each with a stable
//! `type`.
//!
//! Internal causes are logged, never sent: a 500 says only that something
//! broke and under which request id to look for it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::domain::WorkflowError;
use crate::plugins::Failure;
use crate::service::ServiceError;

/// The kinds of problem the API reports. The slug is part of the `type` URI
/// and never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    MalformedJson,
    UnknownField,
    InvalidRequest,
    SchemaViolation,
    UnknownKind,
    TransitionNotAllowed,
    PluginRejected,
    PluginFailed,
    PluginQuarantined,
    PluginBusy,
    PluginBudgetExceeded,
    InvalidPlugin,
    PluginConflict,
    PluginNameTaken,
    PluginNameReserved,
    QuotaExceeded,
    Unauthorized,
    Forbidden,
    NotFound,
    Gone,
    MethodNotAllowed,
    StaleVersion,
    PreconditionRequired,
    IdempotencyKeyReused,
    SlotTaken,
    OutOfStock,
    PayloadTooLarge,
    UnsupportedMediaType,
    BundleBroken,
    TooManyRequests,
    Unavailable,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 32] = [
        ProblemType::MalformedJson,
        ProblemType::UnknownField,
        ProblemType::InvalidRequest,
        ProblemType::SchemaViolation,
        ProblemType::UnknownKind,
        ProblemType::TransitionNotAllowed,
        ProblemType::PluginRejected,
        ProblemType::PluginFailed,
        ProblemType::PluginQuarantined,
        ProblemType::PluginBusy,
        ProblemType::PluginBudgetExceeded,
        ProblemType::InvalidPlugin,
        ProblemType::PluginConflict,
        ProblemType::PluginNameTaken,
        ProblemType::PluginNameReserved,
        ProblemType::QuotaExceeded,
        ProblemType::Unauthorized,
        ProblemType::Forbidden,
        ProblemType::NotFound,
        ProblemType::Gone,
        ProblemType::MethodNotAllowed,
        ProblemType::StaleVersion,
        ProblemType::PreconditionRequired,
        ProblemType::IdempotencyKeyReused,
        ProblemType::SlotTaken,
        ProblemType::OutOfStock,
        ProblemType::PayloadTooLarge,
        ProblemType::UnsupportedMediaType,
        ProblemType::BundleBroken,
        ProblemType::TooManyRequests,
        ProblemType::Unavailable,
        ProblemType::Internal,
    ];

    /// `(slug, status, title)`.
    pub fn describe(self) -> (&'static str, StatusCode, &'static str) {
        use ProblemType::*;
        match self {
            MalformedJson => (
                "malformed-json",
                StatusCode::BAD_REQUEST,
                "The body is not valid JSON",
            ),
            UnknownField => (
                "unknown-field",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The body has a field this endpoint does not know",
            ),
            InvalidRequest => (
                "invalid-request",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request is not valid",
            ),
            SchemaViolation => (
                "schema-violation",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The attributes do not match the plugin's schema",
            ),
            UnknownKind => (
                "unknown-kind",
                StatusCode::UNPROCESSABLE_ENTITY,
                "No plugin of this tenant owns the ticket kind",
            ),
            TransitionNotAllowed => (
                "transition-not-allowed",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The workflow has no such transition from the current state",
            ),
            PluginRejected => (
                "plugin-rejected",
                StatusCode::UNPROCESSABLE_ENTITY,
                "A business rule of the plugin refused the request",
            ),
            PluginFailed => (
                "plugin-failed",
                StatusCode::BAD_GATEWAY,
                "The plugin failed; nothing was changed",
            ),
            PluginQuarantined => (
                "plugin-quarantined",
                StatusCode::SERVICE_UNAVAILABLE,
                "The plugin kept failing and is quarantined for this tenant; nothing was changed",
            ),
            PluginBusy => (
                "plugin-busy",
                StatusCode::SERVICE_UNAVAILABLE,
                "Every plugin call slot of this tenant is busy; try again shortly; nothing was changed",
            ),
            PluginBudgetExceeded => (
                "plugin-budget-exceeded",
                StatusCode::BAD_GATEWAY,
                "The plugins asked more of one change than its budget allows; nothing was changed",
            ),
            InvalidPlugin => (
                "invalid-plugin",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The upload is not a usable plugin component",
            ),
            PluginConflict => (
                "plugin-conflict",
                StatusCode::CONFLICT,
                "Another component is installed under this name and version",
            ),
            PluginNameTaken => (
                "plugin-name-taken",
                StatusCode::CONFLICT,
                "The plugin name belongs to another publisher or to the operator",
            ),
            PluginNameReserved => (
                "plugin-name-reserved",
                StatusCode::CONFLICT,
                "The plugin name is reserved for a first-party plugin",
            ),
            QuotaExceeded => (
                "quota-exceeded",
                StatusCode::FORBIDDEN,
                "The upload would exceed a quota",
            ),
            Unauthorized => (
                "unauthorized",
                StatusCode::UNAUTHORIZED,
                "A valid bearer token is required",
            ),
            Forbidden => (
                "forbidden",
                StatusCode::FORBIDDEN,
                "The caller's role may not do this",
            ),
            NotFound => ("not-found", StatusCode::NOT_FOUND, "No such resource"),
            Gone => (
                "gone",
                StatusCode::GONE,
                "It existed but can no longer be used",
            ),
            MethodNotAllowed => (
                "method-not-allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "The resource does not support this method",
            ),
            StaleVersion => (
                "stale-version",
                StatusCode::CONFLICT,
                "The ticket changed since it was read",
            ),
            PreconditionRequired => (
                "precondition-required",
                StatusCode::PRECONDITION_REQUIRED,
                "This change needs an If-Match header with the ticket's version",
            ),
            IdempotencyKeyReused => (
                "idempotency-key-reused",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The Idempotency-Key was used for a different request",
            ),
            SlotTaken => (
                "slot-taken",
                StatusCode::CONFLICT,
                "The technician's slot was booked by someone else first",
            ),
            OutOfStock => (
                "out-of-stock",
                StatusCode::CONFLICT,
                "The service point has too little of a part available",
            ),
            PayloadTooLarge => (
                "payload-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is too large",
            ),
            UnsupportedMediaType => (
                "unsupported-media-type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The body is not of a media type this endpoint takes",
            ),
            BundleBroken => (
                "bundle-broken",
                StatusCode::INTERNAL_SERVER_ERROR,
                "The tenant's plugin bundle cannot be loaded",
            ),
            TooManyRequests => (
                "too-many-requests",
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed attempts lately; wait for Retry-After",
            ),
            Unavailable => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is not ready",
            ),
            Internal => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
            ),
        }
    }

    /// The `type` URI, relative to the server.
    pub fn uri(self) -> String {
        format!("/problems/{}", self.describe().0)
    }
}

/// A problem response.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemType,
    pub detail: String,
    pub extensions: Map<String, Value>,
    /// Seconds after which the request may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
}

/// The JSON body of a problem, for the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// Stable URI of the problem type, e.g. `/problems/stale-version`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            detail: detail.into(),
            extensions: Map::new(),
            retry_after: None,
        }
    }

    /// Say when to try again.
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Add a member beside the standard ones.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        self.extensions.insert(
            key.to_string(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }
}

impl Problem {
    /// The problem as its JSON body says it.
    pub fn body(&self) -> Value {
        let (_, status, title) = self.kind.describe();
        let mut body = json!({
            "type": self.kind.uri(),
            "title": title,
            "status": status.as_u16(),
            "detail": self.detail,
        });
        if let Value::Object(map) = &mut body {
            map.extend(self.extensions.clone());
        }
        body
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (_, status, _) = self.kind.describe();
        let mut response = (status, axum::Json(self.body())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        use ProblemType as P;
        match error {
            ServiceError::NotFound(what) => Problem::new(P::NotFound, format!("no such {what}")),
            ServiceError::Invalid(detail) => Problem::new(P::InvalidRequest, detail),
            ServiceError::TooLarge(detail) => Problem::new(P::PayloadTooLarge, detail),
            ServiceError::UnsupportedMedia(detail) => Problem::new(P::UnsupportedMediaType, detail),
            ServiceError::Ticket(e) => Problem::new(P::InvalidRequest, e.to_string()),
            ServiceError::SchemaViolation { kind, errors } => Problem::new(
                P::SchemaViolation,
                format!("the attributes do not match the schema of `{kind}`"),
            )
            .with("errors", errors),
            ServiceError::UnknownKind { kind, known } => Problem::new(
                P::UnknownKind,
                format!("no plugin of this tenant owns the kind `{kind}`"),
            )
            .with("known_kinds", known),
            ServiceError::Workflow(e) => match &e {
                WorkflowError::NotAllowed { state, allowed, .. } => {
                    Problem::new(P::TransitionNotAllowed, e.to_string())
                        .with("state", state)
                        .with("allowed", allowed)
                }
                WorkflowError::RoleNotAllowed { roles, .. } => {
                    Problem::new(P::Forbidden, e.to_string()).with("allowed_roles", roles)
                }
            },
            ServiceError::Forbidden(detail) => Problem::new(P::Forbidden, detail),
            ServiceError::Gone(detail) => Problem::new(P::Gone, detail),
            ServiceError::Rejected { plugin, rejection } => {
                Problem::new(P::PluginRejected, rejection.to_string())
                    .with("plugin", plugin)
                    .with("code", &rejection.code)
                    .with("rule", &rejection.rule)
                    .with("details", &rejection.details)
            }
            ServiceError::PluginFailed(e) if matches!(e.failure, Failure::Busy { .. }) => {
                tracing::debug!(plugin = %e.plugin, "plugin busy: {}", e.failure);
                Problem::new(P::PluginBusy, e.to_string())
                    .with("plugin", &e.plugin)
                    .with("version", &e.version)
                    .with("hook", e.hook)
                    .with("cause", &e.failure)
                    .retry_after(1)
            }
            ServiceError::PluginFailed(e)
                if matches!(e.failure, Failure::BudgetExceeded { .. }) =>
            {
                tracing::warn!(plugin = %e.plugin, version = %e.version, hook = %e.hook, "plugin over budget: {}", e.failure);
                Problem::new(P::PluginBudgetExceeded, e.to_string())
                    .with("plugin", &e.plugin)
                    .with("version", &e.version)
                    .with("hook", e.hook)
                    .with("cause", &e.failure)
            }
            ServiceError::Busy(detail) => Problem::new(P::Unavailable, detail).retry_after(5),
            ServiceError::Throttled { retry_after } => {
                let seconds = u32::try_from(retry_after.as_secs())
                    .unwrap_or(u32::MAX)
                    .max(1);
                Problem::new(
                    P::TooManyRequests,
                    format!("too many failed attempts; try again in {seconds} s"),
                )
                .retry_after(seconds)
            }
            ServiceError::PluginFailed(e) => {
                tracing::warn!(plugin = %e.plugin, version = %e.version, hook = %e.hook, "plugin failed: {}", e.failure);
                Problem::new(P::PluginFailed, e.to_string())
                    .with("plugin", &e.plugin)
                    .with("version", &e.version)
                    .with("hook", e.hook)
                    .with("cause", e.failure.code())
            }
            ServiceError::InvalidPlugin(detail) => Problem::new(P::InvalidPlugin, detail),
            ServiceError::PluginConflict(detail) => Problem::new(P::PluginConflict, detail),
            ServiceError::PluginNameTaken { name } => Problem::new(
                P::PluginNameTaken,
                format!(
                    "the plugin name `{name}` belongs to whoever installed it first; \
                     upload under a name of your own"
                ),
            )
            .with("name", name),
            ServiceError::PluginNameReserved { name } => Problem::new(
                P::PluginNameReserved,
                format!("the plugin name `{name}` is reserved for a first-party plugin"),
            )
            .with("name", name),
            ServiceError::QuotaExceeded {
                quota,
                usage,
                limit,
            } => Problem::new(
                P::QuotaExceeded,
                match quota {
                    "plugins" => format!(
                        "the publisher stores {usage} plugin versions of the {limit} it may; \
                         one more is over the quota"
                    ),
                    "attachment_bytes" => format!(
                        "the tenant keeps {usage} bytes of attachments of the {limit} it may; \
                         this file would go over the quota"
                    ),
                    "ticket_attachments" => {
                        format!("the ticket has {usage} attachments of the {limit} it may have")
                    }
                    _ => format!(
                        "the publisher stores {usage} bytes of components of the {limit} it \
                         may; this upload would go over the quota"
                    ),
                },
            )
            .with("quota", quota)
            .with("usage", usage)
            .with("limit", limit),
            ServiceError::Quarantined {
                plugin,
                version,
                hash,
                since,
                cause,
            } => Problem::new(
                P::PluginQuarantined,
                format!(
                    "{plugin}@{version} failed too often in a row and is quarantined for this \
                     tenant; an operator can release it (POST /api/v1/plugins/{hash}/release)"
                ),
            )
            .with("plugin", plugin)
            .with("version", version)
            .with("plugin_id", hash)
            .with("quarantined_at", since)
            .with("cause", cause),
            ServiceError::StaleVersion { current } => Problem::new(
                P::StaleVersion,
                format!("the ticket is at version {current}; reload it and try again"),
            )
            .with("current_version", current),
            ServiceError::IdempotencyMismatch => Problem::new(
                P::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different body",
            ),
            ServiceError::Bundle(detail) => {
                tracing::error!("plugin bundle broken: {detail}");
                Problem::new(P::BundleBroken, detail)
            }
            ServiceError::SlotTaken => Problem::new(
                P::SlotTaken,
                "another dispatch booked this technician's slot first; pick another slot",
            ),
            ServiceError::OutOfStock(detail) => Problem::new(P::OutOfStock, detail),
            ServiceError::Changed => {
                Problem::new(P::StaleVersion, "the ticket changed while the request ran")
            }
            ServiceError::Store(e) => {
                tracing::error!("store error: {e}");
                Problem::new(
                    P::Internal,
                    "the request failed; the server log has the details",
                )
            }
        }
    }
}

/// Handlers return `Result<T, Problem>`.
pub type ApiResult<T> = Result<T, Problem>;
