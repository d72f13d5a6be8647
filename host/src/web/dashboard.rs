//! The dashboard: the standard's metrics over a period — response and
//! resolution trend, SLA compliance, first-contact resolution, CSI and NPS
//! — charted with the vendored uPlot, each chart with its table, and the
//! period's report as CSV.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use serde_json::json;

use super::i18n::Catalog;
use super::layout::{Nav, html_response, page};
use super::service_failure;
use super::session::Console;
use crate::api::AppState;
use crate::domain::metrics::{Report, to_csv};
use crate::service::ServiceError;

/// Longest trend drawn, in days; a longer period charts its last days.
const TREND_DAYS: i64 = 62;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    group_by: Option<String>,
}

fn period(console: &Console, q: &PeriodQuery) -> (Date, Date) {
    let today = crate::service::now()
        .to_zoned_datetime(console.tz.clone())
        .date();
    let to =
        q.to.as_deref()
            .and_then(|d| d.parse().ok())
            .unwrap_or(today);
    let from = q
        .from
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to));
    if from > to { (to, to) } else { (from, to) }
}

fn hours(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| (s / 36.0).round() / 100.0)
}

fn percent(rate: Option<f64>) -> Option<f64> {
    rate.map(|r| (r * 1000.0).round() / 10.0)
}

fn number(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v}{unit}"))
}

fn kpi(id: &str, label: String, value: String) -> Markup {
    html! {
        div.kpi {
            span.kpi-label id=(format!("kpi-{id}-label")) { (label) }
            span.kpi-value data-kpi=(id) aria-labelledby=(format!("kpi-{id}-label")) { (value) }
        }
    }
}

fn kpis(tr: &Catalog, r: &Report) -> Markup {
    let h = tr.t("unit-hours");
    html! {
        div.kpis {
            (kpi("tickets", tr.t("kpi-tickets"), r.tickets.to_string()))
            (kpi("resolved", tr.t("kpi-resolved"), r.resolved.to_string()))
            (kpi("response", tr.t("kpi-response"), number(hours(r.response.mean_seconds), &h)))
            (kpi("resolution", tr.t("kpi-resolution"), number(hours(r.resolution.mean_seconds), &h)))
            (kpi("sla-response", tr.t("kpi-sla-response"), number(percent(r.sla_compliance.response), "%")))
            (kpi("sla-resolution", tr.t("kpi-sla-resolution"), number(percent(r.sla_compliance.resolution), "%")))
            (kpi("sla-on-site", tr.t("kpi-sla-on-site"), number(percent(r.sla_compliance.on_site), "%")))
            (kpi("fcr", tr.t("kpi-fcr"), number(percent(r.first_contact_resolution_rate), "%")))
            (kpi("ftf", tr.t("kpi-ftf"), number(percent(r.first_time_fix_rate), "%")))
            (kpi("fill", tr.t("kpi-fill"), number(percent(r.parts_fill_rate), "%")))
            (kpi("surveys", tr.t("kpi-surveys"), r.surveys.to_string()))
            (kpi("csi", tr.t("kpi-csi"), number(r.csi, "")))
            (kpi("satisfaction", tr.t("kpi-satisfaction"), number(percent(r.satisfaction_rate), "%")))
            (kpi("nps", tr.t("kpi-nps"), number(r.nps, "")))
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<PeriodQuery>,
) -> Response {
    match render(&state, &console, &q).await {
        Ok(r) => r,
        Err(e) => service_failure(console.tr, &e),
    }
}

async fn render(
    state: &AppState,
    console: &Console,
    q: &PeriodQuery,
) -> Result<Response, ServiceError> {
    let tr = console.tr;
    let caller = &console.desk.caller;
    let (from, to) = period(console, q);
    let total = state
        .services
        .service_metrics(caller, from, to, "all")
        .await?;
    let report = total.groups.into_iter().next().map(|g| g.report);

    let mut day = to
        .checked_sub(jiff::Span::new().days(TREND_DAYS - 1))
        .unwrap_or(from)
        .max(from);
    let mut days = Vec::new();
    let mut series: [Vec<Option<f64>>; 7] = Default::default();
    while day <= to {
        let r = state
            .services
            .service_metrics(caller, day, day, "all")
            .await?;
        if let Some(g) = r.groups.first() {
            let r = &g.report;
            days.push(day.to_string());
            let values = [
                hours(r.response.mean_seconds),
                hours(r.resolution.mean_seconds),
                percent(r.sla_compliance.response),
                percent(r.sla_compliance.resolution),
                percent(r.first_contact_resolution_rate),
                r.csi,
                r.nps,
            ];
            for (s, v) in series.iter_mut().zip(values) {
                s.push(v);
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    let data = json!({
        "days": days,
        "series": series,
        "labels": [
            tr.t("kpi-response"), tr.t("kpi-resolution"), tr.t("kpi-sla-response"),
            tr.t("kpi-sla-resolution"), tr.t("kpi-fcr"), tr.t("kpi-csi"), tr.t("kpi-nps"),
        ],
        "charts": [
            {"id": "chart-times", "series": [0, 1]},
            {"id": "chart-rates", "series": [2, 3, 4]},
            {"id": "chart-scores", "series": [5, 6]},
        ],
    });
    // `</` cannot occur in JSON strings we produce except inside labels;
    // escape it so the data block cannot end the script element.
    let data = data.to_string().replace("</", "<\\/");
    let csv = format!("/dashboard.csv?from={from}&to={to}");
    let table = |title: String, cols: &[usize]| {
        html! {
            details {
                summary { (tr.ta("chart-as-table", &[("chart", title)])) }
                table {
                    thead { tr {
                        th scope="col" { (tr.t("day")) }
                        @for c in cols { th scope="col" { (data_label(tr, *c)) } }
                    } }
                    tbody {
                        @for (i, d) in days.iter().enumerate() {
                            tr { th scope="row" { (d) } @for c in cols { td { (number(series[*c][i], "")) } } }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        form.filters method="get" action="/dashboard" aria-label=(tr.t("dashboard-period")) {
            div { label for="from" { (tr.t("period-from")) } input #from type="date" name="from" value=(from.to_string()); }
            div { label for="to" { (tr.t("period-to")) } input #to type="date" name="to" value=(to.to_string()); }
            div.actions {
                button type="submit" { (tr.t("show")) }
                a href=(csv) download { (tr.t("export-csv")) }
            }
        }
        @if let Some(r) = &report { (kpis(tr, r)) }
        link rel="stylesheet" href=(super::assets::path("uplot.min.css"));
        figure.chart {
            figcaption #chart-times-title { (tr.t("chart-times")) }
            div #chart-times role="img" aria-labelledby="chart-times-title" {}
            (table(tr.t("chart-times"), &[0, 1]))
        }
        figure.chart {
            figcaption #chart-rates-title { (tr.t("chart-rates")) }
            div #chart-rates role="img" aria-labelledby="chart-rates-title" {}
            (table(tr.t("chart-rates"), &[2, 3, 4]))
        }
        figure.chart {
            figcaption #chart-scores-title { (tr.t("chart-scores")) }
            div #chart-scores role="img" aria-labelledby="chart-scores-title" {}
            (table(tr.t("chart-scores"), &[5, 6]))
        }
        p.hint { (tr.t("dashboard-hint")) }
        script #trend-data type="application/json" { (PreEscaped(data)) }
        script src=(super::assets::path("uplot.min.js")) defer {}
        script src=(super::assets::path("dashboard.js")) defer {}
    };
    Ok(html_response(
        StatusCode::OK,
        page(console, Nav::Dashboard, &tr.t("dashboard-title"), body),
    ))
}

fn data_label(tr: &Catalog, series: usize) -> String {
    let key = [
        "kpi-response",
        "kpi-resolution",
        "kpi-sla-response",
        "kpi-sla-resolution",
        "kpi-fcr",
        "kpi-csi",
        "kpi-nps",
    ];
    tr.t(key.get(series).copied().unwrap_or("kpi-tickets"))
}

pub async fn csv(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (from, to) = period(&console, &q);
    let group_by = q.group_by.as_deref().unwrap_or("all");
    match state
        .services
        .service_metrics(&console.desk.caller, from, to, group_by)
        .await
    {
        Ok(report) => {
            let rows: Vec<(String, Report)> = report
                .groups
                .into_iter()
                .map(|g| (g.group, g.report))
                .collect();
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"service-metrics-{from}-{to}.csv\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                to_csv(&rows),
            )
                .into_response()
        }
        Err(e) => service_failure(console.tr, &e),
    }
}
