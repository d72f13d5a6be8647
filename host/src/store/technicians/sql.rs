//! Technicians: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{TechnicianRow, Technicians, taken};
use crate::domain::technician::Technician;
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    /// Every field of the technician, as `$1`…`$10` of both statements
    /// that write one.
    fn bind_technician<'q>(
        query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
        t: &'q Technician,
    ) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
        query
            .bind(t.tenant_id)
            .bind(&t.login)
            .bind(t.home_point)
            .bind(Json(&t.categories))
            .bind(Json(&t.certifications))
            .bind(Json(&t.regions))
            .bind(t.hours.as_ref().map(Json))
            .bind(i64::from(t.daily_capacity))
            .bind(millis(t.created_at))
            .bind(millis(t.updated_at))
    }

    #[async_trait]
    impl Technicians for DbStore {
        async fn create_technician(&self, t: &Technician) -> Result<(), StoreError> {
            let query = sqlx::query(
                "INSERT INTO technicians (tenant_id, login, home_point, categories,
                    certifications, regions, hours, daily_capacity, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            );
            bind_technician(query, t)
                .execute(self.writer())
                .await
                .map_err(|e| taken(e, &t.login))?;
            Ok(())
        }

        async fn update_technician(&self, t: &Technician) -> Result<bool, StoreError> {
            let query = sqlx::query(
                "UPDATE technicians SET home_point = $3, categories = $4, certifications = $5,
                    regions = $6, hours = $7, daily_capacity = $8, created_at = $9,
                    updated_at = $10
                 WHERE tenant_id = $1 AND login = $2",
            );
            let done = bind_technician(query, t).execute(self.writer()).await?;
            Ok(done.rows_affected() == 1)
        }

        async fn technician(
            &self,
            tenant: Uuid,
            login: &str,
        ) -> Result<Option<Technician>, StoreError> {
            sqlx::query_as::<_, TechnicianRow>(
                "SELECT * FROM technicians WHERE tenant_id = $1 AND login = $2",
            )
            .bind(tenant)
            .bind(login)
            .fetch_optional(self.reader())
            .await?
            .map(Technician::try_from)
            .transpose()
        }

        async fn technicians(
            &self,
            tenant: Uuid,
            home_point: Option<Uuid>,
        ) -> Result<Vec<Technician>, StoreError> {
            let mut query =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM technicians WHERE tenant_id = ");
            query.push_bind(tenant);
            if let Some(point) = home_point {
                query.push(" AND home_point = ").push_bind(point);
            }
            query.push(" ORDER BY login");
            all(query.build_query_as::<TechnicianRow>().fetch_all(self.reader()).await?)
        }
    }
}
