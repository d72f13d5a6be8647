//! The page shell every console page shares: language, skip link,
//! navigation, the signed-in person, and the failure page.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::i18n::Catalog;
use super::session::Console;

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Queue,
    Jobs,
    Board,
    NewTicket,
    Dashboard,
    Plugins,
    Parts,
    Users,
    Account,
}

/// Security headers of every console page: no framing, only the binary's
/// own scripts and styles, nothing cached for pages with people's data.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// A page for a signed-in person.
pub fn page(console: &Console, nav: Nav, title: &str, body: Markup) -> Markup {
    let tr = console.tr;
    let item = |target: Nav, href: &str, label: String| {
        html! {
            li { a href=(href) aria-current=[(nav == target).then_some("page")] { (label) } }
        }
    };
    let admin = console.desk.user.role == crate::domain::Role::Admin;
    let writer = crate::domain::access::Permission::WriteTickets.granted_to(console.desk.user.role);
    let header = html! {
        header.top {
            a.brand href="/" { (tr.t("brand")) }
            nav aria-label=(tr.t("nav-label")) {
                ul {
                    (item(Nav::Queue, "/", tr.t("nav-queue")))
                    (item(Nav::Jobs, "/jobs", tr.t("nav-jobs")))
                    @if writer { (item(Nav::Board, "/dispatch", tr.t("nav-board"))) }
                    (item(Nav::NewTicket, "/tickets/new", tr.t("nav-new-ticket")))
                    (item(Nav::Dashboard, "/dashboard", tr.t("nav-dashboard")))
                    (item(Nav::Plugins, "/plugins", tr.t("nav-plugins")))
                    (item(Nav::Parts, "/parts", tr.t("nav-parts")))
                    @if admin { (item(Nav::Users, "/users", tr.t("nav-users"))) }
                }
            }
            form.search method="get" action="/" role="search" {
                input type="search" name="q" aria-label=(tr.t("search-label"))
                    placeholder=(tr.t("search-placeholder")) maxlength="100";
            }
            div.who {
                a href="/account" aria-current=[(nav == Nav::Account).then_some("page")] {
                    (console.desk.user.name) " · " (console.desk.tenant.name)
                }
                form method="post" action="/signout" {
                    input type="hidden" name="csrf" value=(console.csrf());
                    button type="submit" { (tr.t("sign-out")) }
                }
            }
        }
    };
    shell(tr, title, Some(header), body)
}

/// A page without navigation: signing in, invitations, the survey.
pub fn bare(tr: &Catalog, title: &str, body: Markup) -> Markup {
    shell(tr, title, None, body)
}

fn shell(tr: &Catalog, title: &str, header: Option<Markup>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(tr.locale) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (tr.t("brand")) }
                link rel="stylesheet" href=(super::assets::path("console.css"));
            }
            body {
                a.skip href="#main" { (tr.t("skip-to-content")) }
                @if let Some(header) = header { (header) }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A failure page: what went wrong, in the person's language, with the
/// detail when there is one.
pub fn failure(tr: &Catalog, status: StatusCode, detail: Option<&str>) -> Response {
    let (title, hint) = match status {
        StatusCode::NOT_FOUND => (tr.t("error-not-found"), tr.t("error-not-found-hint")),
        StatusCode::FORBIDDEN => (tr.t("error-forbidden"), tr.t("error-forbidden-hint")),
        StatusCode::GONE => (tr.t("error-gone"), String::new()),
        s if s.is_client_error() => (tr.t("error-invalid"), String::new()),
        _ => (tr.t("error-internal"), tr.t("error-internal-hint")),
    };
    html_response(
        status,
        bare(
            tr,
            &title,
            html! {
                @if !hint.is_empty() { p { (hint) } }
                @if let Some(detail) = detail { p.detail role="alert" { (detail) } }
                p { a href="/" { (tr.t("back-to-queue")) } }
            },
        ),
    )
}
