//! The tenant's people (admin): who has an account with which role, inviting
//! someone new, changing a role, disabling an account, sending a
//! password-reset link, withdrawing a link not used yet.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use uuid::Uuid;

use super::layout::{Nav, failure, html_response, page};
use super::session::{Console, Fields};
use super::{role_label, role_value, service_failure};
use crate::api::AppState;
use crate::domain::Role;
use crate::service::ServiceError;
use crate::store::UserChange;

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

fn role_select(tr: &super::i18n::Catalog, id: &str, current: Option<Role>) -> Markup {
    html! {
        select #(id) name="role" {
            @for r in ROLES {
                option value=(role_value(r)) selected[current == Some(r)] { (role_label(tr, r)) }
            }
        }
    }
}

/// One of a person's buttons: a form posting `action` to `/users/{id}`.
fn row_form(csrf: &str, id: Uuid, action: &str, controls: Markup) -> Markup {
    html! {
        form.inline method="post" action=(format!("/users/{id}")) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="action" value=(action);
            (controls)
        }
    }
}

async fn render(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let (users, invites) = match (
        state.services.users(caller).await,
        state.services.open_invites(caller).await,
    ) {
        (Ok(u), Ok(i)) => (u, i),
        (Err(e), _) | (_, Err(e)) => return service_failure(tr, &e),
    };
    let csrf = console.csrf();
    let body = html! {
        @if let Some(n) = notice { div.notice role="status" { (n) } }
        table {
            thead { tr {
                th scope="col" { (tr.t("account-login")) }
                th scope="col" { (tr.t("users-name")) }
                th scope="col" { (tr.t("account-role")) }
                th scope="col" { (tr.t("users-status")) }
                th scope="col" { (tr.t("users-actions")) }
            } }
            tbody {
                @for u in &users {
                    @let select_id = format!("role-{}", u.id.simple());
                    tr {
                        td { (u.login) }
                        td { (u.name) }
                        td { (role_label(tr, u.role)) }
                        td { (tr.t(if u.disabled_at.is_some() { "users-disabled" } else { "users-enabled" })) }
                        td.actions {
                            (row_form(csrf, u.id, "role", html! {
                                label.visually-hidden for=(select_id) { (tr.t("users-change-role")) " " (u.login) }
                                (role_select(tr, &select_id, Some(u.role)))
                                button type="submit" { (tr.t("users-change-role")) }
                            }))
                            @if u.disabled_at.is_some() {
                                (row_form(csrf, u.id, "enable", html! { button type="submit" { (tr.t("users-enable")) } }))
                            } @else {
                                (row_form(csrf, u.id, "disable", html! { button type="submit" { (tr.t("users-disable")) } }))
                            }
                            (row_form(csrf, u.id, "reset", html! { button type="submit" { (tr.t("users-reset")) } }))
                        }
                    }
                }
            }
        }
        @if !invites.is_empty() {
            section aria-labelledby="open-invites" {
                h2 #open-invites { (tr.t("users-open-invites")) }
                table {
                    thead { tr {
                        th scope="col" { (tr.t("account-login")) }
                        th scope="col" { (tr.t("users-invite-kind")) }
                        th scope="col" { (tr.t("users-expires")) }
                        th scope="col" { (tr.t("users-actions")) }
                    } }
                    tbody {
                        @for i in &invites {
                            tr {
                                td { (i.login) }
                                td { (tr.t(if i.reset { "users-invite-reset" } else { "users-invite-new" })) }
                                td { (console.time(i.expires_at)) }
                                td {
                                    form.inline method="post" action=(format!("/users/invitations/{}/revoke", i.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" { (tr.t("users-revoke")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="invite-title" {
            h2 #invite-title { (tr.t("users-invite")) }
            form method="post" action="/users" {
                input type="hidden" name="csrf" value=(csrf);
                label for="invite-login" { (tr.t("account-login")) }
                input #invite-login name="login" type="text" required autocomplete="off";
                label for="invite-role" { (tr.t("account-role")) }
                (role_select(tr, "invite-role", None))
                button type="submit" { (tr.t("users-invite-submit")) }
            }
        }
    };
    html_response(
        status,
        page(console, Nav::Users, &tr.t("users-title"), body),
    )
}

/// Where people open a link: the public URL, or the host the admin's
/// browser used.
fn absolute(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    match &state.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}{path}")
        }
    }
}

fn parse_role(fields: &Fields) -> Option<Role> {
    fields
        .get("role")
        .and_then(|r| serde_json::from_value(serde_json::Value::String(r.to_string())).ok())
}

/// A refusal shown above the table, or the failure page for anything else.
async fn refused(state: &AppState, console: &Console, e: ServiceError) -> Response {
    match e {
        ServiceError::Invalid(_) | ServiceError::Forbidden(_) => {
            let n = html! { p.error { (e.to_string()) } };
            render(state, console, StatusCode::UNPROCESSABLE_ENTITY, Some(n)).await
        }
        e => service_failure(console.tr, &e),
    }
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
    let Some(role) = parse_role(&fields) else {
        return failure(tr, StatusCode::UNPROCESSABLE_ENTITY, None);
    };
    let login = fields.get("login").unwrap_or("");
    match state
        .services
        .invite(&console.desk.caller, console.desk.user.id, login, role)
        .await
    {
        Ok(token) => {
            let link = absolute(&state, &headers, &format!("/invite/{token}"));
            let n = html! { p { (tr.t("users-invite-link")) } p { code #invite-link { (link) } } };
            render(&state, &console, StatusCode::OK, Some(n)).await
        }
        Err(e) => refused(&state, &console, e).await,
    }
}

/// One of a row's buttons: `role`, `disable`, `enable` or `reset`.
pub async fn change(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let fields = Fields(sent);
    if !console.csrf_ok(&fields) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let caller = &console.desk.caller;
    let change = match fields.get("action") {
        Some("role") => match parse_role(&fields) {
            Some(role) => UserChange {
                role: Some(role),
                ..UserChange::default()
            },
            None => return failure(tr, StatusCode::UNPROCESSABLE_ENTITY, None),
        },
        Some("disable") => UserChange {
            disabled_at: Some(Some(crate::service::now())),
            ..UserChange::default()
        },
        Some("enable") => UserChange {
            disabled_at: Some(None),
            ..UserChange::default()
        },
        Some("reset") => {
            return match state
                .services
                .reset_link(caller, Some(console.desk.user.id), id)
                .await
            {
                Ok(issued) => {
                    let link = absolute(&state, &headers, &issued.link);
                    let n = html! { p { (tr.t("users-reset-link")) } p { code #reset-link { (link) } } };
                    render(&state, &console, StatusCode::OK, Some(n)).await
                }
                Err(e) => refused(&state, &console, e).await,
            };
        }
        _ => return failure(tr, StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    match state.services.change_user(caller, id, change).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(e) => refused(&state, &console, e).await,
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    if !console.csrf_ok(&Fields(sent)) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    match state
        .services
        .revoke_invite(&console.desk.caller, &id)
        .await
    {
        Ok(()) => Redirect::to("/users").into_response(),
        Err(e) => refused(&state, &console, e).await,
    }
}
