//! Technicians: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{TechnicianRow, Technicians, taken};
use crate::domain::technician::Technician;
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    #[async_trait]
    impl Technicians for DbStore {
        async fn create_technician(&self, t: &Technician) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO technicians (tenant_id, login, home_point, categories,
                    certifications, regions, hours, daily_capacity, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
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
            .execute(self.writer())
            .await
            .map_err(|e| taken(e, &t.login))?;
            Ok(())
        }

        async fn update_technician(&self, t: &Technician) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE technicians SET home_point = $1, categories = $2, certifications = $3,
                    regions = $4, hours = $5, daily_capacity = $6, updated_at = $7
                 WHERE tenant_id = $8 AND login = $9",
            )
            .bind(t.home_point)
            .bind(Json(&t.categories))
            .bind(Json(&t.certifications))
            .bind(Json(&t.regions))
            .bind(t.hours.as_ref().map(Json))
            .bind(i64::from(t.daily_capacity))
            .bind(millis(t.updated_at))
            .bind(t.tenant_id)
            .bind(&t.login)
            .execute(self.writer())
            .await?;
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
