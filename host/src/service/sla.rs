//! SLA clocks of tickets: targets from the tenant's policies over the owning
//! plugin's defaults, clocks derived from the event log, and one timer per
//! clock for its next threshold (warnings, then breach).

use aftersale_sdk::{self as c};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::catalog::{Bound, Bundle};
use super::change::Change;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::{Permission, is_staff};
use crate::domain::calendar::{Calendar, CalendarSpec};
use crate::domain::sla::{Clock, Outcome, Target, Timeline, clock};
use crate::domain::{Actor, Category, Priority, SlaMetric};
use crate::domain::{Event, EventData, Ticket};
use crate::plugins::Hook;
use crate::store::{SlaPolicy, StoreError, Timer, TimerOp};

/// Names of the host's SLA timers start with this; plugins may not use it.
pub const TIMER_PREFIX: &str = "sla:";
/// Settings key of the SLA thresholds.
pub const SETTING: &str = "sla";
/// Settings key of the business calendar.
pub const CALENDAR: &str = "calendar";

const METRICS: [SlaMetric; 3] = [
    SlaMetric::Response,
    SlaMetric::Resolution,
    SlaMetric::OnSite,
];

/// When warnings fire, in percent of a target; the breach is always 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SlaSettings {
    pub warnings: Vec<u32>,
}

impl Default for SlaSettings {
    fn default() -> Self {
        SlaSettings {
            warnings: vec![50, 75],
        }
    }
}

impl SlaSettings {
    pub fn check(&self) -> Result<(), ServiceError> {
        if self.warnings.iter().any(|w| *w == 0 || *w >= 100) {
            return Err(ServiceError::Invalid(
                "warning thresholds lie between 1 and 99 percent".into(),
            ));
        }
        Ok(())
    }

    /// Warnings then the breach, ascending, without repeats.
    fn thresholds(&self) -> Vec<u32> {
        let mut all = self.warnings.clone();
        all.push(100);
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// A tenant's calendar until it loads its own: Monday to Friday, 09:00–12:00
/// and 13:00–18:00 in its time zone, no holidays.
pub fn default_calendar(time_zone: &str) -> Result<Calendar, ServiceError> {
    let spec: CalendarSpec = serde_json::from_value(json!({
        "time_zone": time_zone,
        "week": {
            "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
            "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
            "wed": [["09:00", "12:00"], ["13:00", "18:00"]],
            "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
            "fri": [["09:00", "12:00"], ["13:00", "18:00"]]
        }
    }))
    .map_err(|e| ServiceError::Invalid(format!("default calendar: {e}")))?;
    Calendar::new(&spec).map_err(|e| ServiceError::Invalid(e.to_string()))
}

/// What the clocks of a tenant's tickets run on.
pub struct SlaContext {
    pub calendar: Calendar,
    pub policies: Vec<SlaPolicy>,
    pub settings: SlaSettings,
}

/// The targets of a ticket: for each metric the most specific tenant policy
/// (kind and priority, then kind, then priority, then any), else the owning
/// plugin's default for the priority, else its default for any priority.
pub fn targets(
    bound: &Bound,
    policies: &[SlaPolicy],
    kind: &str,
    priority: Priority,
) -> Vec<Target> {
    METRICS
        .into_iter()
        .filter_map(|metric| {
            let policy = policies
                .iter()
                .filter(|p| p.metric == metric)
                .filter(|p| p.kind.as_deref().is_none_or(|k| k == kind))
                .filter(|p| p.priority.is_none_or(|q| q == priority))
                .max_by_key(|p| (p.kind.is_some(), p.priority.is_some()));
            if let Some(p) = policy {
                return Some(Target {
                    metric,
                    minutes: p.minutes,
                    business_time: p.business_time,
                });
            }
            let defaults = &bound.kind().sla;
            defaults
                .iter()
                .filter(|t| metric == t.metric.into())
                .find(|t| t.priority.map(Priority::from) == Some(priority))
                .or_else(|| {
                    defaults
                        .iter()
                        .find(|t| metric == t.metric.into() && t.priority.is_none())
                })
                .map(|t| Target {
                    metric,
                    minutes: t.minutes,
                    business_time: t.business_time,
                })
        })
        .collect()
}

/// What the clocks read from a ticket's log.
///
/// The start of handling is the first public comment by staff or the first
/// transition out of a `new` state, whichever comes first. The technician's
/// arrival is the first entry into a state named `on_site`, or the first
/// `on_site_at` attribute, whichever comes first.
pub fn timeline(events: &[Event]) -> Option<Timeline> {
    let created = events.first().and_then(|e| match &e.data {
        EventData::Created(c) => Some((e.at, c.category)),
        _ => None,
    })?;
    let mut timeline = Timeline {
        created_at: created.0,
        phases: vec![created],
        handling_started_at: None,
        resolved_at: None,
        on_site_at: None,
    };
    let mut current = created.1;
    for event in &events[1..] {
        match &event.data {
            EventData::Transitioned { to, category, .. } => {
                if current == Category::New && *category != Category::New {
                    timeline.handling_started_at.get_or_insert(event.at);
                }
                if *category == Category::Resolved {
                    timeline.resolved_at.get_or_insert(event.at);
                }
                if to == "on_site" {
                    timeline.on_site_at.get_or_insert(event.at);
                }
                timeline.phases.push((event.at, *category));
                current = *category;
            }
            EventData::Commented {
                internal: false, ..
            } if is_staff(event.actor.role) => {
                timeline.handling_started_at.get_or_insert(event.at);
            }
            EventData::AttributeSet { name, after, .. }
                if name == "on_site_at" && !after.is_null() =>
            {
                timeline.on_site_at.get_or_insert(event.at);
            }
            _ => {}
        }
    }
    Some(timeline)
}

/// The thresholds already recorded for a metric.
fn recorded(events: &[Event], metric: SlaMetric) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::SlaWarning {
                metric: m, percent, ..
            } if *m == metric => Some(u32::from(*percent)),
            EventData::SlaBreached { metric: m, .. } if *m == metric => Some(100),
            _ => None,
        })
        .collect()
}

fn metric_name(metric: SlaMetric) -> &'static str {
    match metric {
        SlaMetric::Response => "response",
        SlaMetric::Resolution => "resolution",
        SlaMetric::OnSite => "on_site",
    }
}

fn timer_name(metric: SlaMetric) -> String {
    format!("{TIMER_PREFIX}{}", metric_name(metric))
}

/// The clocks of a ticket now, with their targets.
pub fn clocks(
    bundle: &Bundle,
    ticket: &Ticket,
    events: &[Event],
    now: Timestamp,
) -> Result<Vec<(Target, Clock)>, ServiceError> {
    let bound = bundle.kind(&ticket.kind)?;
    let Some(timeline) = timeline(events) else {
        return Ok(Vec::new());
    };
    Ok(
        targets(bound, &bundle.sla.policies, &ticket.kind, ticket.priority)
            .into_iter()
            .map(|t| {
                let clock = clock(&t, &timeline, &bundle.sla.calendar, now);
                (t, clock)
            })
            .collect(),
    )
}

/// The timer each clock of a ticket needs now: the next threshold not yet
/// recorded — due at once when it passed unnoticed — or none.
pub fn timers(
    bundle: &Bundle,
    ticket: &Ticket,
    events: &[Event],
    now: Timestamp,
) -> Result<Vec<TimerOp>, ServiceError> {
    let bound = bundle.kind(&ticket.kind)?;
    let Some(timeline) = timeline(events) else {
        return Ok(Vec::new());
    };
    let targets = targets(bound, &bundle.sla.policies, &ticket.kind, ticket.priority);
    let thresholds = bundle.sla.settings.thresholds();
    let mut ops = Vec::new();
    for metric in METRICS {
        let name = timer_name(metric);
        let next = targets
            .iter()
            .find(|t| t.metric == metric)
            .and_then(|target| {
                let clock = clock(target, &timeline, &bundle.sla.calendar, now);
                let done = recorded(events, metric);
                thresholds
                    .iter()
                    .copied()
                    .filter(|p| !done.contains(p))
                    .find_map(|p| {
                        let at = clock.at_percent(p)?;
                        // A threshold is only worth recording while the clock
                        // is open or if it was crossed before the clock stopped.
                        let relevant = matches!(clock.outcome(), Outcome::Pending)
                            || clock.stopped_at().is_none_or(|stop| at <= stop);
                        relevant.then_some((p, at.max(now)))
                    })
            });
        ops.push(match next {
            Some((percent, at)) => TimerOp::Schedule(Timer {
                id: Uuid::now_v7(),
                tenant_id: ticket.tenant_id,
                ticket_id: ticket.id,
                name,
                due_at: at,
                payload: json!({"metric": metric, "percent": percent}),
                plugin: None,
                created_at: now,
            }),
            None => TimerOp::Cancel {
                ticket_id: ticket.id,
                name,
            },
        });
    }
    Ok(ops)
}

impl Services {
    /// An SLA timer came due: record the threshold if the clock really
    /// crossed it, and tell the owning plugin (`sla:<metric>:<percent>`).
    pub(super) async fn sla_threshold(
        &self,
        change: &mut Change<'_>,
        slot: usize,
        timer: &Timer,
    ) -> Result<(), ServiceError> {
        let metric: SlaMetric =
            serde_json::from_value(timer.payload["metric"].clone()).map_err(|e| {
                ServiceError::Store(StoreError::Corrupt(format!("SLA timer payload: {e}")))
            })?;
        let percent = timer.payload["percent"].as_u64().unwrap_or(100).min(100) as u32;
        let ticket = change.ticket(slot).clone();
        let events = change.history(slot);
        let now = change.now();
        let bundle = change.bundle();
        let Some((_, clock)) = clocks(bundle, &ticket, &events, now)?
            .into_iter()
            .find(|(t, _)| t.metric == metric)
        else {
            return Ok(());
        };
        let Some(reached) = clock.at_percent(percent).filter(|at| *at <= now) else {
            // Re-targeted or paused since it was scheduled; the commit
            // schedules the right instant.
            return Ok(());
        };
        if recorded(&events, metric).contains(&percent) {
            return Ok(());
        }
        let due_at = clock.at_percent(100).unwrap_or(reached);
        let data = if percent >= 100 {
            if clock.outcome() != Outcome::Breached {
                return Ok(());
            }
            EventData::SlaBreached { metric, due_at }
        } else {
            EventData::SlaWarning {
                metric,
                percent: percent as u8,
                due_at,
            }
        };
        let system = Actor::system();
        change.record(slot, &system, None, data);
        let installed = bundle.kind(&ticket.kind)?.installed.clone();
        let fired = c::FiredTimer {
            name: format!("{}:{percent}", timer_name(metric)),
            due: reached,
            payload: c::Json::from(json!({"metric": metric, "percent": percent, "due_at": due_at})),
        };
        let snapshot = change.snapshot(slot, &system).await?;
        let ticket_id = Some(change.ticket(slot).id);
        match change
            .call(
                &installed,
                Hook::OnTimer,
                ticket_id,
                self.runtime.on_timer(&installed.plugin, &snapshot, &fired),
            )
            .await
        {
            Ok(called) => {
                change
                    .apply(slot, called.value, &installed, Hook::OnTimer, 0)
                    .await
            }
            Err(error) if error.is_plugin_failure() => {
                // The threshold stands even if the plugin cannot react to it.
                tracing::warn!("SLA notice to {}: {error}", installed.label());
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// A ticket's SLA clocks now.
    pub async fn ticket_clocks(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<Vec<(Target, Clock)>, ServiceError> {
        let ticket = self.ticket(caller, id).await?;
        let events = self.store.events(caller.tenant_id, id).await?;
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        clocks(&bundle, &ticket, &events, super::now())
    }

    pub async fn sla_policies(&self, caller: &Caller) -> Result<Vec<SlaPolicy>, ServiceError> {
        Ok(self.store.sla_policies(caller.tenant_id).await?)
    }

    /// Replace the tenant's SLA policies (admin). Running clocks follow at
    /// the ticket's next change or timer.
    pub async fn set_sla_policies(
        &self,
        caller: &Caller,
        policies: Vec<SlaPolicy>,
    ) -> Result<Vec<SlaPolicy>, ServiceError> {
        caller.may(Permission::ManageServiceLevels)?;
        for p in &policies {
            crate::domain::sla::check_target_minutes(p.minutes)
                .map_err(|e| ServiceError::Invalid(format!("{:?}: {e}", p.metric)))?;
        }
        for (i, p) in policies.iter().enumerate() {
            if policies[..i]
                .iter()
                .any(|q| q.kind == p.kind && q.priority == p.priority && q.metric == p.metric)
            {
                return Err(ServiceError::Invalid(format!(
                    "two policies for {:?} of kind {} and priority {}",
                    p.metric,
                    p.kind.as_deref().unwrap_or("*"),
                    p.priority.map_or("*".to_string(), |q| format!("{q:?}"))
                )));
            }
        }
        self.store
            .set_sla_policies(caller.tenant_id, &policies, super::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id).await;
        self.record(
            caller,
            "sla.policies",
            "sla",
            json!({"policies": policies.len()}),
        )
        .await;
        self.sla_policies(caller).await
    }

    /// The tenant's business calendar as configured, or the default one.
    pub async fn calendar(&self, caller: &Caller) -> Result<Value, ServiceError> {
        match self.store.setting(caller.tenant_id, CALENDAR).await? {
            Some(spec) => Ok(spec),
            None => {
                let bundle = self.catalog.bundle(caller.tenant_id).await?;
                Ok(json!({
                    "time_zone": bundle.tenant.time_zone,
                    "week": {
                        "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
                        "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
                        "wed": [["09:00", "12:00"], ["13:00", "18:00"]],
                        "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
                        "fri": [["09:00", "12:00"], ["13:00", "18:00"]]
                    },
                    "holidays": [],
                    "workdays": []
                }))
            }
        }
    }

    /// Replace the business calendar (admin).
    pub async fn set_calendar(
        &self,
        caller: &Caller,
        spec: CalendarSpec,
    ) -> Result<Value, ServiceError> {
        caller.may(Permission::ManageServiceLevels)?;
        Calendar::new(&spec).map_err(|e| ServiceError::Invalid(format!("calendar: {e}")))?;
        let value = serde_json::to_value(&spec).unwrap_or(Value::Null);
        self.store
            .set_setting(caller.tenant_id, CALENDAR, &value, super::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id).await;
        let summary = json!({
            "time_zone": spec.time_zone,
            "holidays": spec.holidays.len(),
            "workdays": spec.workdays.len(),
        });
        self.record(caller, "sla.calendar", "calendar", summary)
            .await;
        Ok(value)
    }

    /// Add the holidays and make-up working days of an iCalendar file to the
    /// business calendar (admin).
    pub async fn import_calendar(
        &self,
        caller: &Caller,
        ics: &[u8],
    ) -> Result<Value, ServiceError> {
        caller.may(Permission::ManageServiceLevels)?;
        let base: CalendarSpec = serde_json::from_value(self.calendar(caller).await?)
            .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("calendar: {e}"))))?;
        let spec = Calendar::from_ical(ics, base)
            .map_err(|e| ServiceError::Invalid(format!("calendar: {e}")))?;
        self.set_calendar(caller, spec).await
    }

    pub async fn sla_settings(&self, caller: &Caller) -> Result<SlaSettings, ServiceError> {
        Ok(self
            .catalog
            .bundle(caller.tenant_id)
            .await?
            .sla
            .settings
            .clone())
    }

    pub async fn set_sla_settings(
        &self,
        caller: &Caller,
        settings: SlaSettings,
    ) -> Result<SlaSettings, ServiceError> {
        caller.may(Permission::ManageServiceLevels)?;
        settings.check()?;
        let value = serde_json::to_value(&settings).unwrap_or(Value::Null);
        self.store
            .set_setting(caller.tenant_id, SETTING, &value, super::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id).await;
        self.record(caller, "sla.settings", "sla", value).await;
        Ok(settings)
    }
}

/// Load what a tenant's clocks run on.
pub(super) async fn context(
    store: &crate::store::SharedStore,
    tenant: &crate::store::Tenant,
) -> Result<SlaContext, ServiceError> {
    let calendar = match store.setting(tenant.id, CALENDAR).await? {
        Some(spec) => {
            let spec: CalendarSpec = serde_json::from_value(spec)
                .map_err(|e| ServiceError::Bundle(format!("calendar: {e}")))?;
            Calendar::new(&spec).map_err(|e| ServiceError::Bundle(format!("calendar: {e}")))?
        }
        None => default_calendar(&tenant.time_zone)?,
    };
    let settings = match store.setting(tenant.id, SETTING).await? {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| ServiceError::Bundle(format!("SLA settings: {e}")))?,
        None => SlaSettings::default(),
    };
    Ok(SlaContext {
        calendar,
        policies: store.sla_policies(tenant.id).await?,
        settings,
    })
}
