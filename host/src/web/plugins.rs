//! The tenant's plugin bundle: which plugin version owns each kind, since
//! when, what each declares, and its quarantine state.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::Console;
use crate::api::AppState;
use crate::service::ServiceError;
use crate::store::Health;

pub async fn show(State(state): State<AppState>, console: Console) -> Response {
    match render(&state, &console).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn render(state: &AppState, console: &Console) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let bindings = state.services.bundle(caller).await?;
    let bundle = state.services.catalog.bundle(caller.tenant_id).await?;
    let health: HashMap<String, Health> = state
        .services
        .tenant_health(caller)
        .await?
        .into_iter()
        .map(|h| (h.plugin_hash.clone(), h))
        .collect();
    let threshold = state.services.supervision.quarantine_after;
    let mut plugins = BTreeMap::new();
    for (_, bound) in bundle.kinds() {
        plugins
            .entry(bound.installed.label())
            .or_insert_with(|| bound.installed.clone());
    }
    let body = html! {
        section aria-labelledby="bindings-title" {
            h2 #bindings-title { (tr.t("plugins-bindings")) }
            table {
                thead { tr {
                    th scope="col" { (tr.t("field-kind")) }
                    th scope="col" { (tr.t("plugins-version")) }
                    th scope="col" { (tr.t("plugins-bound-at")) }
                    th scope="col" { (tr.t("plugins-quarantine")) }
                } }
                tbody {
                    @for b in &bindings {
                        tr {
                            td { (bundle.kind(&b.kind).map_or_else(|_| b.kind.clone(), |k| k.kind().label.clone())) " " code { (b.kind) } }
                            td { code { (b.plugin_name) "@" (b.plugin_version) } }
                            td { (console.time(b.bound_at)) }
                            td { (state_cell(console, bundle.kind(&b.kind).ok().and_then(|k| health.get(&k.installed.plugin.hash().to_string())))) }
                        }
                    }
                }
            }
            p.hint { (tr.ta("plugins-quarantine-hint", &[("threshold", threshold.to_string())])) }
        }
        section aria-labelledby="installed-title" {
            h2 #installed-title { (tr.t("plugins-installed")) }
            @for (label, installed) in &plugins {
                @let m = installed.manifest();
                article.plugin {
                    h3 { code { (label) } }
                    p { (m.description) }
                    dl.facts {
                        dt { (tr.t("plugins-contract")) } dd { "aftersale:plugin@" (installed.plugin.contract()) }
                        dt { (tr.t("plugins-kinds")) } dd { (m.kinds.iter().map(|k| k.label.clone()).collect::<Vec<_>>().join(", ")) }
                        dt { (tr.t("plugins-actions")) } dd {
                            @if m.actions.is_empty() { "—" } @else { (m.actions.iter().map(|a| a.label.clone()).collect::<Vec<_>>().join(", ")) }
                        }
                        dt { (tr.t("plugins-hash")) } dd { code.hash { (installed.plugin.hash()) } }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Plugins, &tr.t("plugins-title"), body),
    ))
}

/// A plugin version's health for the tenant: quarantined (since when, and
/// why), failing (how many calls in a row), or active.
fn state_cell(console: &Console, health: Option<&Health>) -> Markup {
    let tr = console.tr;
    match health {
        Some(Health {
            quarantined_at: Some(at),
            last_failure,
            ..
        }) => html! {
            span.badge.sla-breached data-health="quarantined" { (tr.t("plugins-quarantined")) }
            br;
            small { (tr.ta("plugins-quarantined-since", &[
                ("at", console.time(*at)),
                ("cause", last_failure.clone().unwrap_or_default()),
            ])) }
        },
        Some(Health {
            failures,
            last_failure,
            ..
        }) if *failures > 0 => html! {
            span.badge.sla-warning data-health="failing" { (tr.ta("plugins-failing", &[("failures", failures.to_string())])) }
            @if let Some(cause) = last_failure {
                br;
                small { code { (cause) } }
            }
        },
        _ => html! { span.badge.sla-met data-health="active" { (tr.t("plugins-active")) } },
    }
}
