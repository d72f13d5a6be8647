//! The dispatch board: for a week, each technician's booked visits day by
//! day, and how much of the day's capacity they take — what a dispatcher
//! looks at before booking the next job.

use jiff::civil::Date;

use super::dispatch::{next_day, start_of};
use super::{Caller, ServiceError, Services};
use crate::domain::Ticket;
use crate::domain::access::Permission;
use crate::domain::dispatch::{self, Appointment, Load};

/// Days the board shows.
pub const BOARD_DAYS: usize = 7;

/// One technician's week.
#[derive(Debug, Clone)]
pub struct BoardRow {
    pub technician: String,
    pub days: Vec<BoardDay>,
}

/// One technician's day.
#[derive(Debug, Clone)]
pub struct BoardDay {
    pub day: Date,
    /// Visits booked against what the day allows.
    pub load: Load,
    /// The visits, earliest first, each with its ticket.
    pub visits: Vec<(Appointment, Ticket)>,
}

impl Services {
    /// The board of the [`BOARD_DAYS`] days from `from` (the tenant's days),
    /// a row per technician.
    pub async fn board(&self, caller: &Caller, from: Date) -> Result<Vec<BoardRow>, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let tenant = caller.tenant_id;
        let bundle = self.catalog.bundle(tenant).await?;
        let tenant_calendar = &bundle.sla.calendar;
        let mut days = vec![from];
        while days.len() < BOARD_DAYS {
            days.push(next_day(days[days.len() - 1])?);
        }
        let mut bounds = Vec::with_capacity(BOARD_DAYS);
        for day in &days {
            bounds.push((
                start_of(*day, tenant_calendar)?,
                start_of(next_day(*day)?, tenant_calendar)?,
            ));
        }
        let (start, end) = (bounds[0].0, bounds[BOARD_DAYS - 1].1);
        let mut rows = Vec::new();
        for (t, calendar, booked) in self.schedules(tenant, tenant_calendar, start, end).await? {
            let mut row = BoardRow {
                technician: t.login.clone(),
                days: Vec::with_capacity(BOARD_DAYS),
            };
            for (day, (from, to)) in days.iter().zip(&bounds) {
                let slots = dispatch::slots(&calendar, *from, *to);
                let mut visits = Vec::new();
                for a in booked
                    .iter()
                    .filter(|a| a.slot.starts_at >= *from && a.slot.starts_at < *to)
                {
                    if let Some(ticket) = self.store.ticket(tenant, a.ticket_id).await? {
                        visits.push((a.clone(), ticket));
                    }
                }
                let starts: Vec<_> = visits.iter().map(|(a, _)| a.slot.starts_at).collect();
                row.days.push(BoardDay {
                    day: *day,
                    load: dispatch::load(&slots, &starts, t.daily_capacity, calendar.time_zone()),
                    visits,
                });
            }
            rows.push(row);
        }
        Ok(rows)
    }
}
