//! The tenant's people (admin): who has an account with which role, and
//! inviting someone new.

use aftersale_sdk::Role;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};

use super::layout::{Nav, failure, html_response, page};
use super::session::{Console, Fields};
use super::{role_label, service_failure};
use crate::api::AppState;
use crate::service::ServiceError;

const ROLES: [Role; 5] = [
    Role::Agent,
    Role::Technician,
    Role::Partner,
    Role::Viewer,
    Role::Admin,
];

pub async fn show(State(state): State<AppState>, console: Console) -> Response {
    render(&state, &console, StatusCode::OK, None).await
}

async fn render(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let tr = console.tr;
    let users = match state.services.users(&console.desk.caller).await {
        Ok(u) => u,
        Err(e) => return service_failure(tr, &e),
    };
    let body = html! {
        table {
            thead { tr {
                th scope="col" { (tr.t("account-login")) }
                th scope="col" { (tr.t("users-name")) }
                th scope="col" { (tr.t("account-role")) }
                th scope="col" { (tr.t("account-language")) }
            } }
            tbody {
                @for u in &users {
                    tr { td { (u.login) } td { (u.name) } td { (role_label(tr, u.role)) } td { (super::i18n::catalog(&u.locale).t("language-name")) } }
                }
            }
        }
        section aria-labelledby="invite-title" {
            h2 #invite-title { (tr.t("users-invite")) }
            @if let Some(n) = notice { div.notice role="status" { (n) } }
            form method="post" action="/users" {
                input type="hidden" name="csrf" value=(console.csrf());
                label for="invite-login" { (tr.t("account-login")) }
                input #invite-login name="login" type="text" required autocomplete="off";
                label for="invite-role" { (tr.t("account-role")) }
                select #invite-role name="role" {
                    @for r in ROLES { option value=(super::role_value(r)) { (role_label(tr, r)) } }
                }
                button type="submit" { (tr.t("users-invite-submit")) }
            }
        }
    };
    html_response(
        status,
        page(console, Nav::Users, &tr.t("users-title"), body),
    )
}

pub async fn invite(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let fields = Fields(sent);
    if !console.csrf_ok(&fields) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let role: Option<Role> = fields
        .get("role")
        .and_then(|r| serde_json::from_value(serde_json::Value::String(r.to_string())).ok());
    let Some(role) = role else {
        return failure(tr, StatusCode::UNPROCESSABLE_ENTITY, None);
    };
    let login = fields.get("login").unwrap_or("");
    match state
        .services
        .invite(&console.desk.caller, console.desk.user.id, login, role)
        .await
    {
        Ok(token) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let link = format!("http://{host}/invite/{token}");
            let n = html! { p { (tr.t("users-invite-link")) } p { code #invite-link { (link) } } };
            render(&state, &console, StatusCode::OK, Some(n)).await
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            let n = html! { p.error { (e.to_string()) } };
            render(&state, &console, StatusCode::UNPROCESSABLE_ENTITY, Some(n)).await
        }
        Err(e) => service_failure(tr, &e),
    }
}
