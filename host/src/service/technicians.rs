//! The tenant's technicians as an admin manages them; everyone of the
//! tenant may read them. Every change is in the audit log.

use serde_json::json;
use uuid::Uuid;

use super::accounts::name_taken;
use super::error::ServiceError;
use super::users::active_login;
use super::{Caller, Services};
use crate::domain::Role;
use crate::domain::access::Permission;
use crate::domain::calendar::CalendarSpec;
use crate::domain::technician::{Certification, Technician};

/// A technician's working details, as an admin gives them.
#[derive(Debug, Clone, Default)]
pub struct TechnicianChange {
    /// `Some(None)`: based at no service point.
    pub home_point: Option<Option<Uuid>>,
    pub categories: Option<Vec<String>>,
    pub certifications: Option<Vec<Certification>>,
    pub regions: Option<Vec<String>>,
    /// `Some(None)`: the service point's, else the tenant's, hours.
    pub hours: Option<Option<CalendarSpec>>,
    pub daily_capacity: Option<u32>,
}

/// Jobs a day of a technician made without saying.
pub const DEFAULT_DAILY_CAPACITY: u32 = 6;

impl Services {
    /// The tenant's technicians, of one service point when given.
    pub async fn technicians(
        &self,
        caller: &Caller,
        home_point: Option<Uuid>,
    ) -> Result<Vec<Technician>, ServiceError> {
        Ok(self.store.technicians(caller.tenant_id, home_point).await?)
    }

    pub async fn technician(
        &self,
        caller: &Caller,
        login: &str,
    ) -> Result<Technician, ServiceError> {
        self.store
            .technician(caller.tenant_id, login)
            .await?
            .ok_or(ServiceError::NotFound("technician"))
    }

    /// Make the account `who` (a login or user id) a technician (admin).
    /// It must be an active account with the role `technician` or `partner`.
    pub async fn create_technician(
        &self,
        caller: &Caller,
        who: &str,
        details: TechnicianChange,
    ) -> Result<Technician, ServiceError> {
        caller.may(Permission::ManageServiceNetwork)?;
        let people = self.people(caller.tenant_id).await?;
        let login = active_login(&people, who)?;
        let role = people.iter().find(|p| p.login == login).map(|p| p.role);
        if !matches!(role, Some(Role::Technician | Role::Partner)) {
            return Err(ServiceError::Invalid(format!(
                "`{login}` is not a technician or partner account; give it one of those roles \
                 first (PATCH /users/{{id}})"
            )));
        }
        let now = super::now();
        let blank = Technician {
            tenant_id: caller.tenant_id,
            login,
            home_point: None,
            categories: Vec::new(),
            certifications: Vec::new(),
            regions: Vec::new(),
            hours: None,
            daily_capacity: DEFAULT_DAILY_CAPACITY,
            created_at: now,
            updated_at: now,
        };
        let technician = self.with_details(caller, blank, details).await?;
        self.store
            .create_technician(&technician)
            .await
            .map_err(name_taken)?;
        self.record(
            caller,
            "technician.create",
            &technician.login,
            json!(technician),
        )
        .await;
        Ok(technician)
    }

    /// Change a technician's working details (admin).
    pub async fn change_technician(
        &self,
        caller: &Caller,
        login: &str,
        change: TechnicianChange,
    ) -> Result<Technician, ServiceError> {
        caller.may(Permission::ManageServiceNetwork)?;
        let current = self.technician(caller, login).await?;
        let mut technician = self.with_details(caller, current, change).await?;
        technician.updated_at = super::now();
        if !self.store.update_technician(&technician).await? {
            return Err(ServiceError::NotFound("technician"));
        }
        self.record(
            caller,
            "technician.change",
            &technician.login,
            json!(technician),
        )
        .await;
        Ok(technician)
    }

    /// `change` applied to `t`, checked; the service point must be one of
    /// the tenant's.
    async fn with_details(
        &self,
        caller: &Caller,
        mut t: Technician,
        change: TechnicianChange,
    ) -> Result<Technician, ServiceError> {
        if let Some(point) = change.home_point {
            if let Some(id) = point {
                self.service_point(caller, id).await.map_err(|_| {
                    ServiceError::Invalid(format!(
                        "{id} is not a service point of the tenant; name one from \
                         GET /service-points"
                    ))
                })?;
            }
            t.home_point = point;
        }
        if let Some(categories) = change.categories {
            t.categories = categories;
        }
        if let Some(certifications) = change.certifications {
            t.certifications = certifications;
        }
        if let Some(regions) = change.regions {
            t.regions = regions;
        }
        if let Some(hours) = change.hours {
            t.hours = hours;
        }
        if let Some(capacity) = change.daily_capacity {
            t.daily_capacity = capacity;
        }
        t.check().map_err(ServiceError::Invalid)?;
        Ok(t)
    }
}
