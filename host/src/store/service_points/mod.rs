//! The service network: a tenant's service points (see
//! [`crate::domain::service_point`]).

mod sql;

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::{instant, parse};
use crate::domain::calendar::CalendarSpec;
use crate::domain::service_point::{GeoPoint, Region, ServicePoint};

/// Which service points to list.
#[derive(Debug, Clone, Default)]
pub struct PointFilter {
    /// A GB/T 2260 code the point's province, city or county matches.
    pub region: Option<String>,
    pub kind: Option<crate::domain::service_point::PointKind>,
    /// Inactive points too.
    pub inactive: bool,
}

/// The tenant's service points.
#[async_trait]
pub trait ServicePoints: Send + Sync {
    async fn create_point(&self, point: &ServicePoint) -> Result<(), StoreError>;
    /// Replace a point's fields (all but its id and creation time);
    /// `false` when there is no such point.
    async fn update_point(&self, point: &ServicePoint) -> Result<bool, StoreError>;
    async fn point(&self, tenant: Uuid, id: Uuid) -> Result<Option<ServicePoint>, StoreError>;
    /// By province, city, county, then name.
    async fn points(
        &self,
        tenant: Uuid,
        filter: &PointFilter,
    ) -> Result<Vec<ServicePoint>, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct PointRow {
    tenant_id: Uuid,
    id: Uuid,
    name: String,
    kind: String,
    province: String,
    city: Option<String>,
    county: Option<String>,
    address: String,
    phone: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    hours: Option<Json<CalendarSpec>>,
    kinds: Json<Vec<String>>,
    categories: Json<Vec<String>>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PointRow> for ServicePoint {
    type Error = StoreError;
    fn try_from(r: PointRow) -> Result<Self, StoreError> {
        Ok(ServicePoint {
            id: r.id,
            tenant_id: r.tenant_id,
            name: r.name,
            kind: parse(&r.kind, "service point kind")?,
            region: Region {
                province: r.province,
                city: r.city,
                county: r.county,
            },
            address: r.address,
            phone: r.phone,
            location: r
                .latitude
                .zip(r.longitude)
                .map(|(lat, lon)| GeoPoint { lat, lon }),
            hours: r.hours.map(|h| h.0),
            kinds: r.kinds.0,
            categories: r.categories.0,
            active: r.active,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}
