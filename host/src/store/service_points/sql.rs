//! Service points: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{PointFilter, PointRow, ServicePoints};
use crate::domain::service_point::ServicePoint;
use crate::store::StoreError;
use crate::store::codec::{all, millis, name};

on_each_backend! {
    /// The point's tenant and id, then every other field, as `$1`…`$17`
    /// of both statements that write a point.
    fn bind_point<'q>(
        query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
        p: &'q ServicePoint,
    ) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
        query
            .bind(p.tenant_id)
            .bind(p.id)
            .bind(&p.name)
            .bind(name(&p.kind))
            .bind(&p.region.province)
            .bind(p.region.city.as_deref())
            .bind(p.region.county.as_deref())
            .bind(&p.address)
            .bind(p.phone.as_deref())
            .bind(p.location.map(|l| l.lat))
            .bind(p.location.map(|l| l.lon))
            .bind(p.hours.as_ref().map(Json))
            .bind(Json(&p.kinds))
            .bind(Json(&p.categories))
            .bind(p.active)
            .bind(millis(p.created_at))
            .bind(millis(p.updated_at))
    }

    #[async_trait]
    impl ServicePoints for DbStore {
        async fn create_point(&self, p: &ServicePoint) -> Result<(), StoreError> {
            let query = sqlx::query(
                "INSERT INTO service_points (tenant_id, id, name, kind, province, city, county,
                    address, phone, latitude, longitude, hours, kinds, categories, active,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                    $16, $17)",
            );
            bind_point(query, p).execute(self.writer()).await?;
            Ok(())
        }

        async fn update_point(&self, p: &ServicePoint) -> Result<bool, StoreError> {
            let query = sqlx::query(
                "UPDATE service_points SET name = $3, kind = $4, province = $5, city = $6,
                    county = $7, address = $8, phone = $9, latitude = $10, longitude = $11,
                    hours = $12, kinds = $13, categories = $14, active = $15,
                    created_at = $16, updated_at = $17
                 WHERE tenant_id = $1 AND id = $2",
            );
            let done = bind_point(query, p).execute(self.writer()).await?;
            Ok(done.rows_affected() == 1)
        }

        async fn point(&self, tenant: Uuid, id: Uuid) -> Result<Option<ServicePoint>, StoreError> {
            sqlx::query_as::<_, PointRow>(
                "SELECT * FROM service_points WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .map(ServicePoint::try_from)
            .transpose()
        }

        async fn points(
            &self,
            tenant: Uuid,
            filter: &PointFilter,
        ) -> Result<Vec<ServicePoint>, StoreError> {
            let mut query =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM service_points WHERE tenant_id = ");
            query.push_bind(tenant);
            if let Some(code) = &filter.region {
                query.push(" AND (province = ").push_bind(code);
                query.push(" OR city = ").push_bind(code);
                query.push(" OR county = ").push_bind(code).push(")");
            }
            if let Some(kind) = &filter.kind {
                query.push(" AND kind = ").push_bind(name(kind));
            }
            if !filter.inactive {
                query.push(" AND active = TRUE");
            }
            query.push(" ORDER BY province, city, county, name, id");
            all(query.build_query_as::<PointRow>().fetch_all(self.reader()).await?)
        }
    }
}
