//! Saved views on the queue page: the person's views and their teams',
//! each a link to the queue it selects, and a form to save the queue as it
//! is filtered now.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::failure;
use super::service_failure;
use super::session::{Console, Fields, url_encode};
use crate::api::AppState;
use crate::domain::team::Team;
use crate::domain::view::{SavedView, ViewFilter};

/// Where a view leads: the queue with its filters.
pub fn href(view: &SavedView) -> String {
    let pairs: Vec<String> = view
        .filter
        .pairs()
        .into_iter()
        .map(|(k, v)| format!("{k}={}", url_encode(&v)))
        .collect();
    format!("/?{}", pairs.join("&"))
}

/// The views bar and the form that saves `filter` (the queue's filters
/// now) as a view.
pub fn bar(console: &Console, views: &[SavedView], teams: &[Team], filter: &ViewFilter) -> Markup {
    let tr = console.tr;
    let admin = console.desk.user.role == crate::domain::Role::Admin;
    let field = |name: &str, value: &Option<String>| {
        html! { @if let Some(v) = value { input type="hidden" name=(name) value=(v); } }
    };
    let priority = filter
        .pairs()
        .into_iter()
        .find(|(k, _)| *k == "priority")
        .map(|(_, v)| v);
    html! {
        section.views aria-labelledby="views-title" {
            h2 #views-title { (tr.t("views-title")) }
            @if views.is_empty() {
                p { (tr.t("views-none")) }
            } @else {
                ul #saved-views {
                    @for v in views {
                        li {
                            a href=(href(v)) { (v.name) }
                            @if let Some(team) = &v.team { " · " small { (team) } }
                            @if v.owner == console.desk.caller.actor.id || admin {
                                form.inline method="post" action=(format!("/views/{}/delete", v.id)) {
                                    input type="hidden" name="csrf" value=(console.csrf());
                                    button type="submit" aria-label=(tr.ta("views-delete", &[("name", v.name.clone())])) { "×" }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/views" {
                input type="hidden" name="csrf" value=(console.csrf());
                (field("state", &filter.state))
                (field("kind", &filter.kind))
                (field("priority", &priority))
                (field("assignee", &filter.assignee))
                (field("team", &filter.team))
                (field("q", &filter.q))
                label for="view-name" { (tr.t("views-name")) }
                input #view-name type="text" name="name" required maxlength="60";
                @if !teams.is_empty() {
                    label for="view-share" { (tr.t("views-share")) }
                    select #view-share name="share" {
                        option value="" { (tr.t("views-private")) }
                        @for t in teams { option value=(t.name) { (t.title) } }
                    }
                }
                button type="submit" { (tr.t("views-save")) }
            }
        }
    }
}

/// `POST /views`: save the posted filters, then show the view.
pub async fn save(
    State(state): State<AppState>,
    console: Console,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let fields = Fields(sent);
    if !console.csrf_ok(&fields) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let text = |name: &str| fields.get(name).map(str::to_owned);
    let filter = ViewFilter {
        state: text("state"),
        kind: text("kind"),
        priority: text("priority")
            .and_then(|p| serde_json::from_value(serde_json::Value::String(p)).ok()),
        assignee: text("assignee"),
        team: text("team"),
        q: text("q"),
    };
    let share = text("share").filter(|s| !s.is_empty());
    let name = fields.get("name").unwrap_or("");
    match state
        .services
        .create_view(&console.desk.caller, name, share, filter)
        .await
    {
        Ok(view) => Redirect::to(&href(&view)).into_response(),
        Err(e) => service_failure(tr, &e),
    }
}

/// `POST /views/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    if !console.csrf_ok(&Fields(sent)) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let Ok(id) = id.parse() else {
        return failure(tr, StatusCode::NOT_FOUND, None);
    };
    match state.services.delete_view(&console.desk.caller, id).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => service_failure(tr, &e),
    }
}
