//! The tenant's service network as an admin manages it; everyone of the
//! tenant may read it. Every change is in the audit log.

use serde_json::json;
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::domain::calendar::CalendarSpec;
use crate::domain::service_point::{GeoPoint, PointKind, Region, ServicePoint};
use crate::store::PointFilter;

/// A new service point as an admin describes it.
#[derive(Debug, Clone)]
pub struct NewPoint {
    pub name: String,
    pub kind: PointKind,
    pub region: Region,
    pub address: String,
    pub phone: Option<String>,
    pub location: Option<GeoPoint>,
    pub hours: Option<CalendarSpec>,
    pub kinds: Vec<String>,
    pub categories: Vec<String>,
}

/// What to change of a service point; absent fields stay, `Some(None)`
/// clears.
#[derive(Debug, Clone, Default)]
pub struct PointChange {
    pub name: Option<String>,
    pub kind: Option<PointKind>,
    pub region: Option<Region>,
    pub address: Option<String>,
    pub phone: Option<Option<String>>,
    pub location: Option<Option<GeoPoint>>,
    pub hours: Option<Option<CalendarSpec>>,
    pub kinds: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
    pub active: Option<bool>,
}

impl Services {
    pub async fn service_points(
        &self,
        caller: &Caller,
        filter: &PointFilter,
    ) -> Result<Vec<ServicePoint>, ServiceError> {
        Ok(self.store.points(caller.tenant_id, filter).await?)
    }

    pub async fn service_point(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<ServicePoint, ServiceError> {
        self.store
            .point(caller.tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound("service point"))
    }

    /// Add a service point (admin).
    pub async fn create_service_point(
        &self,
        caller: &Caller,
        new: NewPoint,
    ) -> Result<ServicePoint, ServiceError> {
        caller.may(Permission::ManageServiceNetwork)?;
        let now = super::now();
        let point = ServicePoint {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            name: new.name.trim().to_string(),
            kind: new.kind,
            region: new.region,
            address: new.address.trim().to_string(),
            phone: new.phone,
            location: new.location,
            hours: new.hours,
            kinds: new.kinds,
            categories: new.categories,
            active: true,
            created_at: now,
            updated_at: now,
        };
        point.check().map_err(ServiceError::Invalid)?;
        self.store.create_point(&point).await?;
        self.record(caller, "service_point.create", point.id, json!(point))
            .await;
        Ok(point)
    }

    /// Change a service point (admin).
    pub async fn change_service_point(
        &self,
        caller: &Caller,
        id: Uuid,
        change: PointChange,
    ) -> Result<ServicePoint, ServiceError> {
        caller.may(Permission::ManageServiceNetwork)?;
        let mut point = self.service_point(caller, id).await?;
        if let Some(name) = change.name {
            point.name = name.trim().to_string();
        }
        if let Some(kind) = change.kind {
            point.kind = kind;
        }
        if let Some(region) = change.region {
            point.region = region;
        }
        if let Some(address) = change.address {
            point.address = address.trim().to_string();
        }
        if let Some(phone) = change.phone {
            point.phone = phone;
        }
        if let Some(location) = change.location {
            point.location = location;
        }
        if let Some(hours) = change.hours {
            point.hours = hours;
        }
        if let Some(kinds) = change.kinds {
            point.kinds = kinds;
        }
        if let Some(categories) = change.categories {
            point.categories = categories;
        }
        if let Some(active) = change.active {
            point.active = active;
        }
        point.check().map_err(ServiceError::Invalid)?;
        point.updated_at = super::now();
        if !self.store.update_point(&point).await? {
            return Err(ServiceError::NotFound("service point"));
        }
        self.record(caller, "service_point.change", point.id, json!(point))
            .await;
        Ok(point)
    }
}
