//! Technicians of a tenant (see [`crate::domain::technician`]).

mod sql;

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;
use crate::domain::calendar::CalendarSpec;
use crate::domain::technician::{Certification, Technician};

/// The tenant's technicians.
#[async_trait]
pub trait Technicians: Send + Sync {
    /// Add a technician; [`StoreError::Duplicate`] when the account is one
    /// already.
    async fn create_technician(&self, technician: &Technician) -> Result<(), StoreError>;
    /// Replace a technician's fields; `false` when there is no such one.
    async fn update_technician(&self, technician: &Technician) -> Result<bool, StoreError>;
    async fn technician(&self, tenant: Uuid, login: &str)
    -> Result<Option<Technician>, StoreError>;
    /// By login; of one service point when `home_point` is given.
    async fn technicians(
        &self,
        tenant: Uuid,
        home_point: Option<Uuid>,
    ) -> Result<Vec<Technician>, StoreError>;
}

fn taken(e: sqlx::Error, login: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(format!("`{login}` is a technician already"))
        }
        _ => StoreError::Database(e),
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct TechnicianRow {
    tenant_id: Uuid,
    login: String,
    home_point: Option<Uuid>,
    categories: Json<Vec<String>>,
    certifications: Json<Vec<Certification>>,
    regions: Json<Vec<String>>,
    hours: Option<Json<CalendarSpec>>,
    daily_capacity: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TechnicianRow> for Technician {
    type Error = StoreError;
    fn try_from(r: TechnicianRow) -> Result<Self, StoreError> {
        Ok(Technician {
            tenant_id: r.tenant_id,
            login: r.login,
            home_point: r.home_point,
            categories: r.categories.0,
            certifications: r.certifications.0,
            regions: r.regions.0,
            hours: r.hours.map(|h| h.0),
            daily_capacity: u32::try_from(r.daily_capacity)
                .map_err(|_| StoreError::Corrupt(format!("capacity {}", r.daily_capacity)))?,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}
