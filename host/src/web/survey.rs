//! The customer's survey page, reached by the one-time link: phone-sized,
//! no sign-in (the token is the credential), in the browser's language.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::i18n::{Catalog, catalog, negotiate};
use super::layout::{bare, html_response};
use super::session::Fields;
use crate::api::AppState;
use crate::service::ServiceError;
use crate::service::surveys::{AnswerInput, SurveyView};

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn language(headers: &HeaderMap, q: &LangQuery) -> &'static Catalog {
    match q.lang.as_deref() {
        Some(l) => catalog(l),
        None => negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    }
}

fn message(tr: &Catalog, status: StatusCode, title: String, text: String) -> Response {
    html_response(
        status,
        bare(tr, &title, html! { p.survey-message { (text) } }),
    )
}

fn unusable(tr: &Catalog, e: &ServiceError) -> Response {
    match e {
        ServiceError::NotFound(_) => message(
            tr,
            StatusCode::NOT_FOUND,
            tr.t("survey-page-title"),
            tr.t("survey-unknown"),
        ),
        ServiceError::Gone(_) => message(
            tr,
            StatusCode::GONE,
            tr.t("survey-page-title"),
            tr.t("survey-gone"),
        ),
        other => {
            tracing::error!("survey page: {other}");
            message(
                tr,
                StatusCode::INTERNAL_SERVER_ERROR,
                tr.t("error-internal"),
                tr.t("error-internal-hint"),
            )
        }
    }
}

fn form(
    tr: &Catalog,
    token: &str,
    view: &SurveyView,
    sent: Option<&Fields>,
    error: Option<String>,
) -> Markup {
    let label_of = |labels: &Map<String, Value>, fallback: &str| {
        labels
            .get(tr.locale)
            .or_else(|| labels.get("en"))
            .and_then(Value::as_str)
            .unwrap_or(fallback)
            .to_string()
    };
    let was = |name: &str, value: &str| sent.and_then(|f| f.get(name)) == Some(value);
    html! {
        p.survey-intro { (tr.ta("survey-intro", &[("tenant", view.tenant.clone()), ("ticket", view.ticket_title.clone())])) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form.survey method="post" action=(format!("/survey/{token}?lang={}", tr.locale)) {
            @for a in &view.settings.attributes {
                fieldset.rating {
                    legend { (label_of(&a.label, &a.name)) }
                    div.scale {
                        @for n in 1..=5 {
                            @let id = format!("r-{}-{n}", a.name);
                            input type="radio" id=(id) name=(format!("rating.{}", a.name)) value=(n) required checked[was(&format!("rating.{}", a.name), &n.to_string())];
                            label for=(id) { (n) }
                        }
                    }
                    p.scale-hint { (tr.t("survey-scale")) }
                }
            }
            @if view.settings.nps {
                fieldset.rating.nps {
                    legend { (tr.t("survey-nps")) }
                    div.scale {
                        @for n in 0..=10 {
                            @let id = format!("nps-{n}");
                            input type="radio" id=(id) name="nps" value=(n) required checked[was("nps", &n.to_string())];
                            label for=(id) { (n) }
                        }
                    }
                    p.scale-hint { (tr.t("survey-nps-scale")) }
                }
            }
            label for="comment" { (tr.t("survey-comment")) }
            textarea #comment name="comment" rows="3" maxlength="2000" { (sent.and_then(|f| f.get("comment")).unwrap_or("")) }
            button type="submit" { (tr.t("survey-submit")) }
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let tr = language(&headers, &q);
    match state.services.survey(&token).await {
        Ok(view) if view.answered => message(
            tr,
            StatusCode::GONE,
            tr.t("survey-page-title"),
            tr.t("survey-gone"),
        ),
        Ok(view) if crate::service::now() >= view.expires_at => message(
            tr,
            StatusCode::GONE,
            tr.t("survey-page-title"),
            tr.t("survey-gone"),
        ),
        Ok(view) => html_response(
            StatusCode::OK,
            bare(
                tr,
                &tr.t("survey-page-title"),
                form(tr, &token, &view, None, None),
            ),
        ),
        Err(e) => unusable(tr, &e),
    }
}

pub async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = language(&headers, &q);
    let fields = Fields(sent);
    let mut ratings = Map::new();
    for (name, value) in &fields.0 {
        if let Some(attribute) = name.strip_prefix("rating.")
            && let Ok(n) = value.parse::<u64>()
        {
            ratings.insert(attribute.to_string(), Value::from(n));
        }
    }
    let input = AnswerInput {
        ratings,
        nps: fields.get("nps").and_then(|n| n.parse().ok()),
        comment: fields.text("comment"),
    };
    match state.services.answer_survey(&token, input).await {
        Ok(()) => message(
            tr,
            StatusCode::OK,
            tr.t("survey-thanks-title"),
            tr.t("survey-thanks"),
        ),
        Err(ServiceError::Invalid(_)) => match state.services.survey(&token).await {
            Ok(view) => html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                bare(
                    tr,
                    &tr.t("survey-page-title"),
                    form(
                        tr,
                        &token,
                        &view,
                        Some(&fields),
                        Some(tr.t("survey-incomplete")),
                    ),
                ),
            ),
            Err(e) => unusable(tr, &e),
        },
        Err(e) => unusable(tr, &e),
    }
}
