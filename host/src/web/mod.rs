//! The web console at `/`: server-rendered pages (maud) for the people of a
//! tenant — queue, ticket, new ticket, dashboard, plugins, users — and the
//! customer's survey page, in zh-CN and English from Fluent catalogues.
//! Pages call the same [`Services`](crate::service::Services) as the API,
//! as the same [`Caller`](crate::service::Caller) a session resolves to.

mod assets;
mod attachments;
mod board;
mod dashboard;
mod form;
mod history;
pub mod i18n;
mod jobs;
mod layout;
mod new_ticket;
mod parts;
mod plugins;
mod queue;
pub mod session;
pub use session::CookieSecurity;
mod signin;
mod sla;
mod survey;
mod ticket;
mod timeline;
mod users;
mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use self::i18n::Catalog;
use crate::api::AppState;
use crate::domain::Role;
use crate::plugins::Failure;
use crate::service::ServiceError;

/// The console's routes; merged into the application beside the API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(queue::show))
        .route("/queue.csv", get(queue::csv))
        .route("/views", post(views::save))
        .route("/views/{id}/delete", post(views::delete))
        .route("/signin", get(signin::show).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route("/account", get(signin::account))
        .route("/account/locale", post(signin::set_locale))
        .route(
            "/invite/{token}",
            get(signin::show_invite).post(signin::accept_invite),
        )
        .route(
            "/tickets/new",
            get(new_ticket::show).post(new_ticket::submit),
        )
        .route("/tickets/{id}", get(ticket::show).post(ticket::submit))
        .route("/tickets/{id}/comments", post(ticket::comment))
        .route(
            "/tickets/{id}/attachments",
            post(attachments::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/tickets/{id}/attachments/{attachment}",
            get(attachments::download),
        )
        .route(
            "/tickets/{id}/attachments/{attachment}/thumbnail",
            get(attachments::thumbnail),
        )
        .route("/tickets/{id}/actions/{name}", post(ticket::action))
        .route("/dashboard", get(dashboard::show))
        .route("/dashboard.csv", get(dashboard::csv))
        .route("/plugins", get(plugins::show))
        .route("/jobs", get(jobs::show))
        .route("/dispatch", get(board::show))
        .route("/parts", get(parts::list))
        .route("/parts/{sku}", get(parts::show))
        .route("/users", get(users::show).post(users::invite))
        .route("/users/{id}", post(users::change))
        .route("/users/invitations/{id}/revoke", post(users::revoke))
        .route("/survey/{token}", get(survey::show).post(survey::answer))
        .route("/assets/{name}", get(assets::serve))
}

/// A service error as a console page.
pub(crate) fn service_failure(tr: &Catalog, e: &ServiceError) -> Response {
    let status = match e {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_)
        | ServiceError::Workflow(crate::domain::WorkflowError::RoleNotAllowed { .. }) => {
            StatusCode::FORBIDDEN
        }
        ServiceError::Gone(_) => StatusCode::GONE,
        ServiceError::Invalid(_)
        | ServiceError::Ticket(_)
        | ServiceError::SchemaViolation { .. }
        | ServiceError::UnknownKind { .. }
        | ServiceError::Workflow(_)
        | ServiceError::Rejected { .. }
        | ServiceError::StaleVersion { .. }
        | ServiceError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::InvalidPlugin(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::PluginConflict(_)
        | ServiceError::PluginNameTaken { .. }
        | ServiceError::PluginNameReserved { .. }
        | ServiceError::Changed
        | ServiceError::SlotTaken
        | ServiceError::OutOfStock(_) => StatusCode::CONFLICT,
        ServiceError::QuotaExceeded { .. } => StatusCode::FORBIDDEN,
        ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ServiceError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Quarantined { .. } | ServiceError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::PluginFailed(p) if matches!(p.failure, Failure::Busy { .. }) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        ServiceError::PluginFailed(_) => StatusCode::BAD_GATEWAY,
        ServiceError::Bundle(_) | ServiceError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status.is_server_error() {
        tracing::error!("console: {e}");
        layout::failure(tr, status, None)
    } else {
        layout::failure(tr, status, Some(&e.to_string()))
    }
}

/// A role as people read it.
pub(crate) fn role_label(tr: &Catalog, role: Role) -> String {
    tr.t(match role {
        Role::Admin => "role-admin",
        Role::Agent => "role-agent",
        Role::Technician => "role-technician",
        Role::Partner => "role-partner",
        Role::Viewer => "role-viewer",
        Role::Customer => "role-customer",
        Role::System => "role-system",
    })
}

/// A role as the API spells it (`agent`).
pub(crate) fn role_value(role: Role) -> String {
    match serde_json::to_value(role) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
