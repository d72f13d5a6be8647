//! Dispatch as a desk does it: a technician's free slots, the ranking of
//! candidates for a ticket, and booking one — the appointment, the
//! assignment and a `dispatched` event in one commit, which a second
//! booking of the same slot cannot share (see [`crate::domain::dispatch`]).

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use uuid::Uuid;

use super::Bundle;
use super::change::Change;
use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::domain::calendar::Calendar;
use crate::domain::dispatch::{
    self, Appointment, Availability, Candidate, HORIZON_DAYS, Need, Slot, booked_on, day_of,
};
use crate::domain::service_point::{GeoPoint, ServicePoint};
use crate::domain::technician::Technician;
use crate::domain::{Category, EventData, Ticket};
use crate::store::PointFilter;

/// What a dispatcher asks for.
#[derive(Debug, Clone, Default)]
pub struct DispatchInput {
    /// The technician's login; without one the candidates are ranked.
    pub technician: Option<String>,
    /// One of the technician's free slots; its first free one when absent.
    pub slot: Option<Slot>,
}

/// What a dispatch did.
#[derive(Debug, Clone)]
pub enum Dispatched {
    /// Nobody was named: the candidates, best first, nothing booked.
    Ranked(Vec<Candidate>),
    /// The appointment booked, and the ticket after it.
    Booked(Appointment, Box<Ticket>),
}

/// A technician's time as dispatch sees it.
struct Plan {
    calendar: Calendar,
    /// Every slot of its calendar in the period.
    all: Vec<Slot>,
    free: Vec<Slot>,
    /// Starts of its booked slots, from a day before the period.
    booked: Vec<Timestamp>,
    booked_that_day: u32,
    base: Option<GeoPoint>,
}

/// Who is booked, from where, when.
struct Booking {
    technician: String,
    /// The technician's home point.
    service_point: Option<Uuid>,
    slot: Slot,
}

impl Services {
    /// The free slots of technician `login` from `from` for `days` days.
    pub async fn free_slots(
        &self,
        caller: &Caller,
        login: &str,
        from: Timestamp,
        days: i64,
    ) -> Result<Vec<Slot>, ServiceError> {
        let technician = self.technician(caller, login).await?;
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let point = self.home_of(caller, &technician).await?;
        let plan = self
            .plan(
                caller,
                &technician,
                point.as_ref(),
                &bundle.sla.calendar,
                from,
                days,
            )
            .await?;
        Ok(plan.free)
    }

    /// The appointments of ticket `id`, cancelled ones too, oldest first.
    pub async fn appointments(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<Vec<Appointment>, ServiceError> {
        self.ticket(caller, id).await?;
        Ok(self.store.appointments_of(caller.tenant_id, id).await?)
    }

    /// The jobs booked for technician `login` on `day` in the tenant's time
    /// zone, earliest first, each with its ticket. People see their own
    /// jobs; the desk sees anyone's.
    pub async fn jobs(
        &self,
        caller: &Caller,
        login: &str,
        day: Date,
    ) -> Result<Vec<(Appointment, Ticket)>, ServiceError> {
        if caller.actor.id != format!("user:{login}") {
            caller.may(Permission::WriteTickets)?;
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let calendar = &bundle.sla.calendar;
        let (start, end) = (
            start_of(day, calendar)?,
            start_of(next_day(day)?, calendar)?,
        );
        let booked = self
            .store
            .booked(caller.tenant_id, login, start, end)
            .await?;
        let mut jobs = Vec::with_capacity(booked.len());
        for appointment in booked {
            if let Some(ticket) = self
                .store
                .ticket(caller.tenant_id, appointment.ticket_id)
                .await?
            {
                jobs.push((appointment, ticket));
            }
        }
        Ok(jobs)
    }

    /// Each technician's load from the start of day `from` to the end of
    /// day `to` (the tenant's days): jobs booked against what their
    /// working hours and daily capacity allow.
    pub async fn utilisation(
        &self,
        caller: &Caller,
        from: Date,
        to: Date,
    ) -> Result<Vec<TechnicianLoad>, ServiceError> {
        if to < from {
            return Err(ServiceError::Invalid("`to` is before `from`".into()));
        }
        let days = from.until(to).map_or(i64::MAX, |s| i64::from(s.get_days()));
        if days >= MAX_LOAD_DAYS {
            return Err(ServiceError::Invalid(format!(
                "a load covers at most {MAX_LOAD_DAYS} days"
            )));
        }
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let tenant_calendar = &bundle.sla.calendar;
        let (start, end) = (
            start_of(from, tenant_calendar)?,
            start_of(next_day(to)?, tenant_calendar)?,
        );
        let mut loads = Vec::new();
        for (t, calendar, booked) in self
            .schedules(caller.tenant_id, tenant_calendar, start, end)
            .await?
        {
            let all = dispatch::slots(&calendar, start, end);
            let starts: Vec<Timestamp> = booked.iter().map(|a| a.slot.starts_at).collect();
            loads.push(TechnicianLoad {
                load: dispatch::load(&all, &starts, t.daily_capacity, calendar.time_zone()),
                technician: t.login,
                home_point: t.home_point,
            });
        }
        Ok(loads)
    }

    /// Every technician of the tenant with the calendar it works by and the
    /// appointments booked for it from `start` to `end`.
    pub(super) async fn schedules(
        &self,
        tenant: Uuid,
        tenant_calendar: &Calendar,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<(Technician, Calendar, Vec<Appointment>)>, ServiceError> {
        let every = PointFilter {
            inactive: true,
            ..PointFilter::default()
        };
        let points = self.store.points(tenant, &every).await?;
        let mut schedules = Vec::new();
        for t in self.store.technicians(tenant, None).await? {
            let point = points.iter().find(|p| Some(p.id) == t.home_point);
            let calendar = calendar_of(&t, point, tenant_calendar)?;
            let booked = self.store.booked(tenant, &t.login, start, end).await?;
            schedules.push((t, calendar, booked));
        }
        Ok(schedules)
    }

    /// Rank the candidates for ticket `id`, or book the named technician.
    pub async fn dispatch(
        &self,
        caller: &Caller,
        id: Uuid,
        input: DispatchInput,
    ) -> Result<Dispatched, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let ticket = self.ticket(caller, id).await?;
        if matches!(
            ticket.category,
            Category::Resolved | Category::Closed | Category::Cancelled
        ) {
            return Err(ServiceError::Invalid(format!(
                "the ticket is {} ({:?}): only an open ticket is dispatched",
                ticket.state, ticket.category
            )));
        }
        let now = super::now();
        let Some(login) = input.technician else {
            if input.slot.is_some() {
                return Err(ServiceError::Invalid(
                    "a slot is a technician's: name the technician too".into(),
                ));
            }
            return self
                .rank(caller, &ticket, now)
                .await
                .map(Dispatched::Ranked);
        };
        let technician = self.technician(caller, &login).await.map_err(|_| {
            ServiceError::Invalid(format!(
                "`{login}` is not a technician of the tenant; name one from GET /technicians"
            ))
        })?;
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let point = self.home_of(caller, &technician).await?;
        let calendar = &bundle.sla.calendar;
        let plan = self
            .plan(
                caller,
                &technician,
                point.as_ref(),
                calendar,
                now,
                HORIZON_DAYS,
            )
            .await?;
        let slot = match input.slot {
            Some(slot) if plan.free.contains(&slot) => slot,
            Some(slot) if plan.booked.contains(&slot.starts_at) => {
                return Err(ServiceError::SlotTaken);
            }
            Some(slot) if plan.all.contains(&slot) => {
                let zone = plan.calendar.time_zone();
                return Err(ServiceError::Invalid(format!(
                    "{login} takes {} jobs a day and has them all on {}",
                    technician.daily_capacity,
                    day_of(slot.starts_at, zone)
                )));
            }
            Some(slot) => {
                return Err(ServiceError::Invalid(format!(
                    "{} is not a slot of {login} in the next {HORIZON_DAYS} days; \
                     see GET /technicians/{login}/slots",
                    slot.starts_at
                )));
            }
            None => *plan.free.first().ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "{login} has no free slot in the next {HORIZON_DAYS} days"
                ))
            })?,
        };
        let booking = Booking {
            technician: technician.login,
            service_point: technician.home_point,
            slot,
        };
        self.book(caller, &bundle, ticket, booking, now).await
    }

    async fn book(
        &self,
        caller: &Caller,
        bundle: &Bundle,
        ticket: Ticket,
        booking: Booking,
        now: Timestamp,
    ) -> Result<Dispatched, ServiceError> {
        let Booking {
            technician,
            service_point,
            slot,
        } = booking;
        let history = self.store.events(caller.tenant_id, ticket.id).await?;
        let mut change = Change::new(self, bundle, now);
        let at = change.open(ticket.clone(), history);
        let appointment = Appointment {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            ticket_id: ticket.id,
            technician: technician.clone(),
            slot,
            created_at: now,
            cancelled_at: None,
        };
        let dispatched = EventData::Dispatched {
            appointment: appointment.id,
            technician: technician.clone(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            service_point,
        };
        change.record(at, &caller.actor, None, dispatched);
        if ticket.assignee.as_deref() != Some(technician.as_str()) {
            let assigned = EventData::Assigned {
                before: ticket.assignee.clone(),
                after: Some(technician),
            };
            change.record(at, &caller.actor, None, assigned);
        }
        change.book(appointment.clone());
        for index in 0..change.recorded(at) {
            change.after(at, index, caller).await?;
        }
        let ticket = self.commit(caller, change, at).await?;
        Ok(Dispatched::Booked(appointment, Box::new(ticket)))
    }

    /// Every technician of the tenant ranked for `ticket`.
    async fn rank(
        &self,
        caller: &Caller,
        ticket: &Ticket,
        now: Timestamp,
    ) -> Result<Vec<Candidate>, ServiceError> {
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let technicians = self.store.technicians(caller.tenant_id, None).await?;
        // Every service point once, closed ones too: a technician may still
        // be based at one.
        let every = PointFilter {
            inactive: true,
            ..PointFilter::default()
        };
        let points = self.store.points(caller.tenant_id, &every).await?;
        let mut plans = Vec::with_capacity(technicians.len());
        for t in &technicians {
            let point = points.iter().find(|p| Some(p.id) == t.home_point);
            let calendar = &bundle.sla.calendar;
            plans.push(
                self.plan(caller, t, point, calendar, now, HORIZON_DAYS)
                    .await?,
            );
        }
        let available: Vec<Availability> = technicians
            .iter()
            .zip(plans)
            .map(|(technician, plan)| Availability {
                technician,
                zone: plan.calendar.time_zone().clone(),
                free: plan.free,
                booked_that_day: plan.booked_that_day,
                base: plan.base,
            })
            .collect();
        let today = day_of(now, bundle.sla.calendar.time_zone());
        Ok(dispatch::rank(&need(ticket), &available, today))
    }

    /// The service point a technician is based at, if any.
    async fn home_of(
        &self,
        caller: &Caller,
        t: &Technician,
    ) -> Result<Option<ServicePoint>, ServiceError> {
        Ok(match t.home_point {
            Some(id) => self.store.point(caller.tenant_id, id).await?,
            None => None,
        })
    }

    /// A technician's calendar — its own hours, else those of its service
    /// `point`, else the tenant's `calendar` — and its slots from `from`
    /// for `days` days.
    async fn plan(
        &self,
        caller: &Caller,
        t: &Technician,
        point: Option<&ServicePoint>,
        calendar: &Calendar,
        from: Timestamp,
        days: i64,
    ) -> Result<Plan, ServiceError> {
        let calendar = calendar_of(t, point, calendar)?;
        let out_of_range = || ServiceError::Invalid(format!("{from} is too far out"));
        let to = from
            .checked_add(SignedDuration::from_hours(24 * days.clamp(1, HORIZON_DAYS)))
            .map_err(|_| out_of_range())?;
        let all = dispatch::slots(&calendar, from, to);
        // From a day back, so the first day's bookings count against it.
        let earlier = from
            .checked_sub(SignedDuration::from_hours(24))
            .map_err(|_| out_of_range())?;
        let booked: Vec<Timestamp> = self
            .store
            .booked(caller.tenant_id, &t.login, earlier, to)
            .await?
            .iter()
            .map(|a| a.slot.starts_at)
            .collect();
        let zone = calendar.time_zone().clone();
        let free = dispatch::free_slots(&all, &booked, t.daily_capacity, &zone);
        let booked_that_day = free
            .first()
            .map_or(0, |s| booked_on(&booked, day_of(s.starts_at, &zone), &zone));
        Ok(Plan {
            calendar,
            all,
            free,
            booked,
            booked_that_day,
            base: point.and_then(|p| p.location),
        })
    }
}

/// The most days one load report covers.
pub const MAX_LOAD_DAYS: i64 = 92;

/// One technician's load over a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TechnicianLoad {
    pub technician: String,
    pub home_point: Option<Uuid>,
    #[serde(flatten)]
    pub load: dispatch::Load,
}

/// A technician's calendar: its own hours, else those of its service
/// `point`, else the tenant's.
fn calendar_of(
    t: &Technician,
    point: Option<&ServicePoint>,
    tenant: &Calendar,
) -> Result<Calendar, ServiceError> {
    let hours = t
        .hours
        .as_ref()
        .or_else(|| point.and_then(|p| p.hours.as_ref()));
    match hours {
        Some(spec) => Calendar::new(spec)
            .map_err(|e| ServiceError::Invalid(format!("the working hours of {}: {e}", t.login))),
        None => Ok(tenant.clone()),
    }
}

/// The first instant of `day` in `calendar`'s time zone.
pub(super) fn start_of(day: Date, calendar: &Calendar) -> Result<Timestamp, ServiceError> {
    calendar
        .time_zone()
        .to_ambiguous_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map_err(|e| ServiceError::Invalid(format!("the start of {day}: {e}")))
}

pub(super) fn next_day(day: Date) -> Result<Date, ServiceError> {
    day.tomorrow()
        .map_err(|_| ServiceError::Invalid(format!("{day} has no next day")))
}

/// What the ticket asks of a technician: its product's category, the
/// certifications its `certifications` attribute lists, its `region_code`
/// attribute (a GB/T 2260 code; `region` is the plugins' own, e.g. the
/// appliance plugin's `city`/`county`/`rural`) and its `location`
/// attribute (`{lat, lon}`).
fn need(ticket: &Ticket) -> Need<'_> {
    let attributes = &ticket.attributes;
    Need {
        category: ticket.product.as_ref().and_then(|p| p.category.as_deref()),
        certifications: attributes
            .get("certifications")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
        region: attributes.get("region_code").and_then(Value::as_str),
        location: attributes
            .get("location")
            .and_then(|l| serde_json::from_value(l.clone()).ok()),
    }
}
