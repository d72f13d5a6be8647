//! Appointments: technicians booked for tickets (see
//! [`crate::domain::dispatch`]). They are booked and cancelled in the
//! commit of the change that dispatches the ticket; here they are read.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;
use crate::domain::dispatch::{Appointment, Slot};

/// Reading the tenant's appointments.
#[async_trait]
pub trait Appointments: Send + Sync {
    /// A technician's booked appointments starting in `[from, to)`, earliest
    /// first.
    async fn booked(
        &self,
        tenant: Uuid,
        technician: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// A ticket's appointments, cancelled ones too, oldest first.
    async fn appointments_of(
        &self,
        tenant: Uuid,
        ticket: Uuid,
    ) -> Result<Vec<Appointment>, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct AppointmentRow {
    tenant_id: Uuid,
    id: Uuid,
    ticket_id: Uuid,
    technician: String,
    starts_at: i64,
    ends_at: i64,
    created_at: i64,
    cancelled_at: Option<i64>,
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(r: AppointmentRow) -> Result<Self, StoreError> {
        Ok(Appointment {
            id: r.id,
            tenant_id: r.tenant_id,
            ticket_id: r.ticket_id,
            technician: r.technician,
            slot: Slot {
                starts_at: instant(r.starts_at)?,
                ends_at: instant(r.ends_at)?,
            },
            created_at: instant(r.created_at)?,
            cancelled_at: r.cancelled_at.map(instant).transpose()?,
        })
    }
}
