//! Appointments: the statements that read them, once for both backends
//! (the commit writes them: `tickets/commit.rs`).

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::{AppointmentRow, Appointments};
use crate::domain::dispatch::Appointment;
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    #[async_trait]
    impl Appointments for DbStore {
        async fn booked(
            &self,
            tenant: Uuid,
            technician: &str,
            from: Timestamp,
            to: Timestamp,
        ) -> Result<Vec<Appointment>, StoreError> {
            all(sqlx::query_as::<_, AppointmentRow>(
                "SELECT * FROM appointments
                 WHERE tenant_id = $1 AND technician = $2 AND cancelled_at IS NULL
                    AND starts_at >= $3 AND starts_at < $4
                 ORDER BY starts_at",
            )
            .bind(tenant)
            .bind(technician)
            .bind(millis(from))
            .bind(millis(to))
            .fetch_all(self.reader())
            .await?)
        }

        async fn appointments_of(
            &self,
            tenant: Uuid,
            ticket: Uuid,
        ) -> Result<Vec<Appointment>, StoreError> {
            all(sqlx::query_as::<_, AppointmentRow>(
                "SELECT * FROM appointments WHERE tenant_id = $1 AND ticket_id = $2
                 ORDER BY created_at, id",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?)
        }
    }
}
