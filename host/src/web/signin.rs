//! Signing in and out, a person's language, and accepting an invitation.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::{Catalog, catalog, negotiate};
use super::layout::{Nav, bare, failure, html_response, page};
use super::service_failure;
use super::session::{
    ClientAddr, Console, CookieSecurity, Fields, SESSION_COOKIE, SIGNIN_CSRF_COOKIE, cookie,
    safe_next, same_secret,
};
use crate::api::AppState;
use crate::service::ServiceError;
use crate::service::accounts::{LOCALES, SESSION_LIFETIME, random_token};
use crate::store::Invite;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn language(headers: &HeaderMap) -> &'static Catalog {
    negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn signin_form(tr: &Catalog, csrf: &str, next: &str, login: &str, error: Option<String>) -> Markup {
    html! {
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form.signin method="post" action="/signin" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="login" { (tr.t("signin-login")) }
            input #login name="login" type="text" autocomplete="username" required autofocus value=(login);
            label for="password" { (tr.t("signin-password")) }
            input #password name="password" type="password" autocomplete="current-password" required;
            button type="submit" { (tr.t("signin-submit")) }
        }
        p.hint { (tr.t("signin-hint")) }
    }
}

fn with_signin_csrf(
    cookies: CookieSecurity,
    headers: &HeaderMap,
    status: StatusCode,
    csrf: &str,
    markup: Markup,
) -> Response {
    let mut response = html_response(status, markup);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies.set_cookie(headers, SIGNIN_CSRF_COOKIE, csrf, 3600),
    );
    response
}

/// The sign-in form again, with what went wrong.
fn signin_again(
    cookies: CookieSecurity,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    login: &str,
    error: String,
) -> Response {
    let tr = language(headers);
    let Ok(csrf) = random_token(24) else {
        return failure(tr, StatusCode::INTERNAL_SERVER_ERROR, None);
    };
    let body = signin_form(tr, &csrf, next, login, Some(error));
    with_signin_csrf(
        cookies,
        headers,
        status,
        &csrf,
        bare(tr, &tr.t("signin-title"), body),
    )
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let tr = language(&headers);
    let Ok(csrf) = random_token(24) else {
        return failure(tr, StatusCode::INTERNAL_SERVER_ERROR, None);
    };
    let next = safe_next(q.next.as_deref());
    let body = signin_form(tr, &csrf, &next, "", None);
    with_signin_csrf(
        state.cookies,
        &headers,
        StatusCode::OK,
        &csrf,
        bare(tr, &tr.t("signin-title"), body),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(form);
    let tr = language(&headers);
    let expected = cookie(&headers, SIGNIN_CSRF_COOKIE).unwrap_or("");
    let sent = fields.get("csrf").unwrap_or("");
    if expected.is_empty() || !same_secret(expected, sent) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let login = fields.get("login").unwrap_or("").trim().to_string();
    let password = fields.get("password").unwrap_or("");
    let next = safe_next(fields.get("next"));
    let cookies = state.cookies;
    match state
        .services
        .sign_in(&login, password, client, crate::service::now())
        .await
    {
        Ok(Some(signed_in)) => {
            let mut response = Redirect::to(&next).into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookies.set_cookie(
                    &headers,
                    SESSION_COOKIE,
                    &signed_in.token,
                    SESSION_LIFETIME.as_secs(),
                ),
            );
            h.append(
                header::SET_COOKIE,
                cookies.set_cookie(&headers, SIGNIN_CSRF_COOKIE, "", 0),
            );
            response
        }
        Ok(None) => signin_again(
            cookies,
            &headers,
            StatusCode::UNAUTHORIZED,
            &next,
            &login,
            tr.t("signin-wrong"),
        ),
        Err(ServiceError::Throttled { retry_after }) => {
            let minutes = retry_after.as_secs().div_ceil(60).max(1);
            let error = tr.ta("signin-throttled", &[("minutes", minutes.to_string())]);
            let mut response = signin_again(
                cookies,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                &login,
                error,
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.as_secs().max(1)),
            );
            response
        }
        Err(e) => service_failure(tr, &e),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !console.csrf_ok(&Fields(form)) {
        return failure(
            console.tr,
            StatusCode::FORBIDDEN,
            Some(&console.tr.t("error-csrf")),
        );
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.services.sign_out(token).await
    {
        return service_failure(console.tr, &e);
    }
    let mut response = Redirect::to("/signin").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        state.cookies.set_cookie(&headers, SESSION_COOKIE, "", 0),
    );
    response
}

/// The person's account: name, role, language.
pub async fn account(console: Console) -> Response {
    let tr = console.tr;
    let user = &console.desk.user;
    let body = html! {
        dl.facts {
            dt { (tr.t("account-login")) } dd { (user.login) }
            dt { (tr.t("account-role")) } dd { (super::role_label(tr, user.role)) }
            dt { (tr.t("account-tenant")) } dd { (console.desk.tenant.name) }
            dt { (tr.t("account-time-zone")) } dd { (console.desk.tenant.time_zone) }
        }
        form method="post" action="/account/locale" {
            input type="hidden" name="csrf" value=(console.csrf());
            label for="locale" { (tr.t("account-language")) }
            select #locale name="locale" {
                @for locale in LOCALES {
                    option value=(locale) selected[locale == user.locale] { (catalog(locale).t("language-name")) }
                }
            }
            button type="submit" { (tr.t("save")) }
        }
    };
    html_response(
        StatusCode::OK,
        page(&console, Nav::Account, &tr.t("account-title"), body),
    )
}

pub async fn set_locale(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(form);
    if !console.csrf_ok(&fields) {
        return failure(
            console.tr,
            StatusCode::FORBIDDEN,
            Some(&console.tr.t("error-csrf")),
        );
    }
    match state
        .services
        .set_locale(&console.desk.user, fields.get("locale").unwrap_or(""))
        .await
    {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => service_failure(console.tr, &e),
    }
}

fn invite_form(tr: &Catalog, token: &str, invite: &Invite, error: Option<String>) -> Markup {
    let login = invite.login.clone();
    let reset = invite.user_id.is_some();
    html! {
        @if reset {
            p { (tr.ta("reset-intro", &[("login", login)])) }
        } @else {
            p { (tr.ta("invite-intro", &[("login", login)])) }
        }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form method="post" action=(format!("/invite/{token}")) {
            @if !reset {
                label for="name" { (tr.t("invite-name")) }
                input #name name="name" type="text" autocomplete="name" required;
            }
            label for="password" { (tr.t("invite-password")) }
            input #password name="password" type="password" autocomplete="new-password" minlength="10" required;
            button type="submit" { (tr.t(if reset { "reset-submit" } else { "invite-submit" })) }
        }
    }
}

fn invite_page(tr: &Catalog, token: &str, invite: &Invite, error: Option<String>) -> Markup {
    let title = tr.t(if invite.user_id.is_some() {
        "reset-title"
    } else {
        "invite-title"
    });
    bare(tr, &title, invite_form(tr, token, invite, error))
}

pub async fn show_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let tr = language(&headers);
    match state.services.invitation(&token).await {
        Ok(invite) => html_response(StatusCode::OK, invite_page(tr, &token, &invite, None)),
        Err(e) => service_failure(tr, &e),
    }
}

/// The invitation token in the path is the credential (like the survey's),
/// so this form needs no CSRF token: a forged post could only create the
/// invited account with the forger's password, which requires the token.
pub async fn accept_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let tr = language(&headers);
    let fields = Fields(form);
    let name = fields.get("name").unwrap_or("");
    let password = fields.get("password").unwrap_or("");
    match state.services.accept_invite(&token, name, password).await {
        Ok(_) => Redirect::to("/signin").into_response(),
        Err(crate::service::ServiceError::Invalid(reason)) => {
            match state.services.invitation(&token).await {
                Ok(invite) => html_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    invite_page(tr, &token, &invite, Some(reason)),
                ),
                Err(e) => service_failure(tr, &e),
            }
        }
        Err(e) => service_failure(tr, &e),
    }
}
