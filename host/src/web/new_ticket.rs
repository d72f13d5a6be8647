//! A new ticket: choose a kind of the tenant's bundle, then fill in the
//! customer, the product and the kind's attributes.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::form;
use super::layout::{Nav, failure, html_response, page};
use super::service_failure;
use super::session::{Console, Fields};
use crate::api::AppState;
use crate::domain::NewTicket;
use crate::domain::{Channel, Customer, Product};
use crate::service::ServiceError;

const CHANNELS: [(&str, &str); 6] = [
    ("phone", "channel-phone"),
    ("online", "channel-online"),
    ("walk_in", "channel-walk-in"),
    ("onsite", "channel-onsite"),
    ("email", "channel-email"),
    ("api", "channel-api"),
];

#[derive(Debug, Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<KindQuery>,
) -> Response {
    match q.kind.filter(|k| !k.is_empty()) {
        None => chooser(&state, &console).await,
        Some(kind) => form_page(&state, &console, &kind, None, None).await,
    }
}

async fn chooser(state: &AppState, console: &Console) -> Response {
    let tr = console.tr;
    let bundle = match state
        .services
        .catalog
        .bundle(console.desk.caller.tenant_id)
        .await
    {
        Ok(b) => b,
        Err(e) => return service_failure(tr, &e),
    };
    let body = html! {
        form method="get" action="/tickets/new" {
            fieldset {
                legend { (tr.t("new-choose-kind")) }
                @for (i, (name, bound)) in bundle.kinds().enumerate() {
                    div.inline {
                        input type="radio" name="kind" id=(format!("kind-{name}")) value=(name) required checked[i == 0];
                        label for=(format!("kind-{name}")) {
                            (bound.kind().label) " " small { "(" (bound.installed.label()) ")" }
                        }
                    }
                }
            }
            button type="submit" { (tr.t("continue")) }
        }
    };
    html_response(
        StatusCode::OK,
        page(console, Nav::NewTicket, &tr.t("new-title"), body),
    )
}

fn text_input(
    id: &str,
    label: String,
    sent: Option<&Fields>,
    required: bool,
    kind: &str,
) -> Markup {
    let value = sent.and_then(|f| f.get(id)).unwrap_or("");
    html! {
        div.field {
            label for=(id) { (label) @if required { " *" } }
            input id=(id) name=(id) type=(kind) value=(value) required[required];
        }
    }
}

async fn form_page(
    state: &AppState,
    console: &Console,
    kind: &str,
    sent: Option<&Fields>,
    notice: Option<(StatusCode, Markup)>,
) -> Response {
    let tr = console.tr;
    let bundle = match state
        .services
        .catalog
        .bundle(console.desk.caller.tenant_id)
        .await
    {
        Ok(b) => b,
        Err(e) => return service_failure(tr, &e),
    };
    let bound = match bundle.kind(kind) {
        Ok(b) => b,
        Err(e) => return service_failure(tr, &e),
    };
    let fields = form::fields(&bound.kind().attributes_schema);
    let empty = serde_json::Map::new();
    let channel = sent.and_then(|f| f.get("channel")).unwrap_or("phone");
    let (status, notice) = match notice {
        Some((s, n)) => (s, Some(n)),
        None => (StatusCode::OK, None),
    };
    let body = html! {
        div.work {
            form.work-form method="post" action="/tickets/new" {
                input type="hidden" name="csrf" value=(console.csrf());
                input type="hidden" name="kind" value=(kind);
                p { (tr.ta("new-kind", &[("kind", bound.kind().label.clone())])) " " a href="/tickets/new" { (tr.t("new-change-kind")) } }
                fieldset {
                    legend { (tr.t("new-request")) }
                    (text_input("title", tr.t("field-title"), sent, true, "text"))
                    div.field {
                        label for="description" { (tr.t("field-description")) }
                        textarea #description name="description" rows="3" { (sent.and_then(|f| f.get("description")).unwrap_or("")) }
                    }
                    div.field {
                        label for="channel" { (tr.t("field-channel")) }
                        select #channel name="channel" {
                            @for (value, key) in CHANNELS { option value=(value) selected[value == channel] { (tr.t(key)) } }
                        }
                    }
                }
                fieldset {
                    legend { (tr.t("field-customer")) }
                    (text_input("customer_name", tr.t("customer-name"), sent, true, "text"))
                    (text_input("customer_phone", tr.t("customer-phone"), sent, false, "tel"))
                    (text_input("customer_email", tr.t("customer-email"), sent, false, "email"))
                    (text_input("customer_address", tr.t("customer-address"), sent, false, "text"))
                }
                fieldset {
                    legend { (tr.t("field-product")) }
                    (text_input("product_category", tr.t("product-category"), sent, false, "text"))
                    (text_input("product_model", tr.t("product-model"), sent, false, "text"))
                    (text_input("product_serial", tr.t("product-serial"), sent, false, "text"))
                    (text_input("product_price", tr.t("product-price"), sent, false, "text"))
                    (text_input("product_invoice_date", tr.t("product-invoice-date"), sent, false, "date"))
                }
                fieldset.attributes {
                    legend { (tr.t("attributes-title")) }
                    (form::controls(tr, &console.tz, &fields, &empty, sent))
                }
                button type="submit" { (tr.t("new-submit")) }
            }
            @if let Some(n) = notice { aside.rejection #rejection role="alert" { (n) } }
        }
    };
    html_response(
        status,
        page(console, Nav::NewTicket, &tr.t("new-title"), body),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    console: Console,
    Form(sent): Form<Vec<(String, String)>>,
) -> Response {
    let tr = console.tr;
    let fields = Fields(sent);
    if !console.csrf_ok(&fields) {
        return failure(tr, StatusCode::FORBIDDEN, Some(&tr.t("error-csrf")));
    }
    let kind = fields.get("kind").unwrap_or("").to_string();
    let bundle = match state
        .services
        .catalog
        .bundle(console.desk.caller.tenant_id)
        .await
    {
        Ok(b) => b,
        Err(e) => return service_failure(tr, &e),
    };
    let schema = match bundle.kind(&kind) {
        Ok(b) => b.kind().attributes_schema.clone(),
        Err(e) => return service_failure(tr, &e),
    };
    let attributes = match form::collect(
        &form::fields(&schema),
        &fields,
        &serde_json::Map::new(),
        &console.tz,
    ) {
        Ok(a) => a,
        Err(field) => {
            let n = html! { h2 { (tr.t("refused-title")) } p { (tr.ta("form-unreadable", &[("field", field)])) } };
            return form_page(
                &state,
                &console,
                &kind,
                Some(&fields),
                Some((StatusCode::UNPROCESSABLE_ENTITY, n)),
            )
            .await;
        }
    };
    let channel: Channel = serde_json::from_value(serde_json::Value::String(
        fields.get("channel").unwrap_or("phone").to_string(),
    ))
    .unwrap_or(Channel::Phone);
    let product = Product {
        category: fields.text("product_category"),
        model: fields.text("product_model"),
        serial: fields.text("product_serial"),
        price: fields.text("product_price"),
        invoice_date: fields.text("product_invoice_date"),
        ..Product::default()
    };
    let new = NewTicket {
        kind: kind.clone(),
        title: fields.get("title").unwrap_or("").to_string(),
        description: fields.get("description").unwrap_or("").to_string(),
        channel,
        customer: Customer {
            name: fields.get("customer_name").unwrap_or("").trim().to_string(),
            phone: fields.text("customer_phone"),
            email: fields.text("customer_email"),
            address: fields.text("customer_address"),
        },
        product: (product != Product::default()).then_some(product),
        attributes,
        team: None,
    };
    match state
        .services
        .create_ticket(&console.desk.caller, new, None)
        .await
    {
        Ok(opened) => Redirect::to(&format!("/tickets/{}", opened.ticket.id)).into_response(),
        Err(e @ (ServiceError::NotFound(_) | ServiceError::Store(_) | ServiceError::Bundle(_))) => {
            service_failure(tr, &e)
        }
        Err(e) => {
            let n = html! { h2 { (tr.t("refused-title")) } p { (e.to_string()) }
            @if let ServiceError::Rejected { rejection, .. } = &e { ul { @for d in &rejection.details { li { (d) } } } } };
            let status = if matches!(e, ServiceError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            form_page(&state, &console, &kind, Some(&fields), Some((status, n))).await
        }
    }
}
