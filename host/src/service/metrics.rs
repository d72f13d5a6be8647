//! The standard's service metrics: per-ticket facts written with every
//! change, daily rollups per dimension kept current in the background, and
//! the report over a period merged from them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use uuid::Uuid;

use super::catalog::Bundle;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::calendar::Calendar;
use crate::domain::metrics::{
    Assignment, Clock, Complaint, CsiWeights, Dimension, Dimensions, Elapsed, FieldWork,
    MetricsPolicy, Phase, Repair, Report, SlaOutcome, SlaOutcomes, Summary, SummaryMerger,
    SurveyAnswer, TicketFacts, TicketHistory,
};
use crate::domain::part::MovementKind;
use crate::domain::sla::Outcome;
use crate::domain::{Event, EventData, Ticket};
use crate::store::{DirtyFacts, FactsRow, Rollup, StoreError};

/// Dimensions a report can be grouped by; `all` is the whole tenant.
pub const DIMENSIONS: [(&str, Option<Dimension>); 10] = [
    ("all", None),
    ("kind", Some(Dimension::Kind)),
    ("channel", Some(Dimension::Channel)),
    ("priority", Some(Dimension::Priority)),
    ("assignee", Some(Dimension::Assignee)),
    ("region", Some(Dimension::Region)),
    ("plugin", Some(Dimension::Plugin)),
    ("team", Some(Dimension::Team)),
    ("technician", Some(Dimension::Technician)),
    ("service_point", Some(Dimension::ServicePoint)),
];

/// Facts rows rebuilt per round of the rollup job.
const ROLLUP_BATCH: u32 = 5_000;

/// Business hours through the tenant's calendar, wall time otherwise.
struct TenantTime<'a>(&'a Calendar);

impl Elapsed for TenantTime<'_> {
    fn between(&self, from: Timestamp, to: Timestamp, business: bool) -> SignedDuration {
        if business {
            self.0.elapsed(from, to)
        } else if to > from {
            to.duration_since(from)
        } else {
            SignedDuration::ZERO
        }
    }
}

/// The metric facts of a ticket from its whole log.
pub(super) fn facts(
    bundle: &Bundle,
    ticket: &Ticket,
    events: &[Event],
    now: Timestamp,
) -> Result<FactsRow, ServiceError> {
    let bound = bundle.kind(&ticket.kind)?;
    let timeline = super::sla::timeline(events).ok_or_else(|| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "ticket {} has no created event",
            ticket.id
        )))
    })?;
    let clocks = super::sla::clocks(bundle, ticket, events, now)?;
    let clock_kind = |metric| {
        clocks
            .iter()
            .find(|(t, _)| t.metric == metric)
            .map_or(Clock::Calendar, |(t, _)| {
                if t.business_time {
                    Clock::Business
                } else {
                    Clock::Calendar
                }
            })
    };
    let mut sla = SlaOutcomes::default();
    for (target, clock) in &clocks {
        let outcome = match clock.outcome() {
            Outcome::Met => Some(SlaOutcome::Met),
            Outcome::Breached => Some(SlaOutcome::Breached),
            Outcome::Pending | Outcome::Abandoned => None,
        };
        match target.metric {
            crate::domain::SlaMetric::Response => sla.response = outcome,
            crate::domain::SlaMetric::Resolution => sla.resolution = outcome,
            crate::domain::SlaMetric::OnSite => sla.on_site = outcome,
        }
    }
    let survey = events.iter().rev().find_map(|e| match &e.data {
        EventData::SurveyAnswered { ratings, nps, .. } => {
            serde_json::from_value::<SurveyAnswer>(serde_json::json!({
                "ratings": ratings,
                "recommendation": nps,
            }))
            .ok()
        }
        _ => None,
    });
    let dispatched = events.iter().rev().find_map(|e| match &e.data {
        EventData::Dispatched {
            technician,
            service_point,
            ..
        } => Some((technician.clone(), service_point.map(|p| p.to_string()))),
        _ => None,
    });
    let (technician, service_point) = dispatched.unzip();
    let history = TicketHistory {
        created_at: ticket.created_at,
        dimensions: Dimensions {
            kind: ticket.kind.clone(),
            channel: ticket.channel,
            priority: ticket.priority,
            assignee: ticket.assignee.clone(),
            region: ticket
                .attributes
                .get("region")
                .and_then(Value::as_str)
                .map(str::to_string),
            plugin: Some(bound.installed.plugin.name().to_string()),
            team: ticket.team.clone(),
            technician,
            service_point: service_point.flatten(),
        },
        phases: timeline
            .phases
            .iter()
            .map(|(at, category)| Phase {
                at: *at,
                category: *category,
            })
            .collect(),
        handling_started_at: timeline.handling_started_at,
        assignments: events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::Assigned { after, .. } => Some(Assignment {
                    at: e.at,
                    assignee: after.clone(),
                }),
                _ => None,
            })
            .collect(),
        escalations: events
            .iter()
            // Escalations recorded before teams existed are plugin effects.
            .filter(|e| match &e.data {
                EventData::Escalated { .. } => true,
                EventData::PluginEffect { effect } => effect["effect"] == "escalate",
                _ => false,
            })
            .map(|e| e.at)
            .collect(),
        on_site_dispatches: timeline.on_site_at.into_iter().collect(),
        complaint: (ticket.kind == "complaint").then(|| Complaint {
            service_recovery: ticket
                .attributes
                .get("service_recovery")
                .is_some_and(|v| !v.is_null()),
        }),
        repair: (ticket.kind == "repair").then(|| Repair {
            re_repair: ticket
                .attributes
                .get("re_repair")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }),
        survey,
        sla,
        field: field_work(events),
    };
    let policy = MetricsPolicy {
        response: clock_kind(crate::domain::SlaMetric::Response),
        resolution: clock_kind(crate::domain::SlaMetric::Resolution),
        reopen_window_days: 7,
        time_zone: bundle.tenant.time_zone.clone(),
    };
    let facts =
        TicketFacts::from(&history, &policy, &TenantTime(&bundle.sla.calendar)).map_err(|e| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "facts of ticket {}: {e}",
                ticket.id
            )))
        })?;
    Ok(FactsRow {
        ticket_id: ticket.id,
        tenant_id: ticket.tenant_id,
        day: day_of(ticket.created_at, bundle.sla.calendar.time_zone()),
        facts: serde_json::to_value(&facts).unwrap_or(Value::Null),
    })
}

/// Visits (entries into `on_site`) and part lines, from the log.
fn field_work(events: &[Event]) -> FieldWork {
    let mut field = FieldWork::default();
    for e in events {
        match &e.data {
            EventData::Transitioned { to, .. } if to == "on_site" => field.visits += 1,
            EventData::PartMoved {
                kind: MovementKind::Reserve,
                ..
            } => {
                field.part_lines += 1;
                field.parts_filled += 1;
            }
            EventData::PartBackOrdered { .. } => field.part_lines += 1,
            _ => {}
        }
    }
    field
}

fn day_of(at: Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).date().to_string()
}

/// One group of a report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GroupReport {
    /// The dimension's value (`""` for none, e.g. unassigned), or `all`.
    pub group: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub report: Report,
}

/// The answer of the metrics endpoint.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceReport {
    /// First day, in the tenant's time zone.
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// `all`, `kind`, `channel`, `priority`, `assignee`, `region`, `plugin` or `team`.
    pub group_by: String,
    pub groups: Vec<GroupReport>,
}

impl Services {
    /// Bring the rollups of every tenant up to date.
    pub async fn refresh_rollups(&self) -> Result<(), ServiceError> {
        for tenant in self.store.dirty_tenants().await? {
            self.refresh_tenant_rollups(tenant).await?;
        }
        Ok(())
    }

    /// Rebuild the rollups of every day of a tenant with changed facts. A
    /// rebuild of more than one batch (after an import, a migration, a
    /// change of the calendar) says in the log how far it has got.
    pub async fn refresh_tenant_rollups(&self, tenant: Uuid) -> Result<(), ServiceError> {
        let mut total = self.store.dirty_count(tenant).await?;
        let long = total > u64::from(ROLLUP_BATCH);
        let started = std::time::Instant::now();
        let mut done = 0u64;
        loop {
            let dirty = self.store.dirty_facts(tenant, ROLLUP_BATCH).await?;
            if dirty.is_empty() {
                break;
            }
            self.rebuild_days(tenant, &dirty).await?;
            done += dirty.len() as u64;
            // Tickets changed during the rebuild join it.
            total = total.max(done);
            if long {
                tracing::info!(
                    %tenant,
                    "metric rollups: {done} of {total} changed tickets rebuilt ({} s)",
                    started.elapsed().as_secs()
                );
            }
            if dirty.len() < ROLLUP_BATCH as usize {
                break;
            }
        }
        Ok(())
    }

    async fn rebuild_days(&self, tenant: Uuid, dirty: &[DirtyFacts]) -> Result<(), ServiceError> {
        let days: Vec<String> = dirty
            .iter()
            .map(|d| d.day.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let zone = self
            .catalog
            .bundle(tenant)
            .await?
            .sla
            .calendar
            .time_zone()
            .clone();
        let mut by_day: BTreeMap<String, Vec<TicketFacts>> = BTreeMap::new();
        for text in self.store.facts_of_days(tenant, &days).await? {
            let facts: TicketFacts = serde_json::from_str(&text).map_err(|e| {
                ServiceError::Store(StoreError::Corrupt(format!("ticket facts: {e}")))
            })?;
            by_day
                .entry(day_of(facts.created_at, &zone))
                .or_default()
                .push(facts);
        }
        let mut rollups = Vec::new();
        for (day, facts) in &by_day {
            for (dimension, grouping) in DIMENSIONS {
                let groups = crate::domain::metrics::summarize(facts, grouping);
                for (value, summary) in groups {
                    rollups.push(Rollup {
                        dimension: dimension.to_string(),
                        day: day.clone(),
                        value: if grouping.is_none() {
                            String::new()
                        } else {
                            value
                        },
                        summary: serde_json::to_string(&summary).map_err(|e| {
                            ServiceError::Store(StoreError::Corrupt(format!("rollup: {e}")))
                        })?,
                    });
                }
            }
        }
        self.store
            .replace_rollups(tenant, &days, &rollups, dirty)
            .await?;
        Ok(())
    }

    /// The standard's metrics over `[from, to]` (days in the tenant's time
    /// zone), grouped by a dimension. Counts tickets created in the period.
    pub async fn service_metrics(
        &self,
        caller: &Caller,
        from: Date,
        to: Date,
        group_by: &str,
    ) -> Result<ServiceReport, ServiceError> {
        if to < from {
            return Err(ServiceError::Invalid("`to` is before `from`".into()));
        }
        if !DIMENSIONS.iter().any(|(name, _)| *name == group_by) {
            let names: Vec<&str> = DIMENSIONS.iter().map(|(n, _)| *n).collect();
            return Err(ServiceError::Invalid(format!(
                "cannot group by `{group_by}`; use one of {}",
                names.join(", ")
            )));
        }
        // Answer with everything committed so far.
        self.refresh_tenant_rollups(caller.tenant_id).await?;
        let rollups = self
            .store
            .rollups(
                caller.tenant_id,
                group_by,
                &from.to_string(),
                &to.to_string(),
            )
            .await?;
        let mut merged: BTreeMap<String, SummaryMerger> = BTreeMap::new();
        for rollup in rollups {
            let summary: Summary = serde_json::from_str(&rollup.summary)
                .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("rollup: {e}"))))?;
            merged.entry(rollup.value).or_default().add(&summary);
        }
        if group_by == "all" && merged.is_empty() {
            merged.insert(String::new(), SummaryMerger::new());
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let weights = CsiWeights::new(bundle.survey.attributes.iter().filter_map(|a| {
            crate::domain::metrics::Attribute::new(a.name.clone())
                .ok()
                .map(|name| (name, a.weight))
        }))
        .unwrap_or_default();
        Ok(ServiceReport {
            from: from.to_string(),
            to: to.to_string(),
            group_by: group_by.to_string(),
            groups: merged
                .into_iter()
                .map(|(group, merger)| GroupReport {
                    group: if group_by == "all" {
                        "all".into()
                    } else {
                        group
                    },
                    report: Report::with_weights(&merger.finish(), &weights),
                })
                .collect(),
        })
    }
}
