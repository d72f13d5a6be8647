//! The standard's metrics as stored: the statements, once for both backends.

use async_trait::async_trait;
use uuid::Uuid;

use super::{DirtyFacts, Rollup, RollupRow, Rollups};
use crate::store::StoreError;

on_each_backend! {
    #[async_trait]
    impl Rollups for DbStore {
        async fn facts_of_days(
            &self,
            tenant: Uuid,
            days: &[String],
        ) -> Result<Vec<String>, StoreError> {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT CAST(facts AS TEXT) FROM ticket_facts WHERE tenant_id = ",
            );
            query.push_bind(tenant).push(" AND day IN (");
            let mut list = query.separated(", ");
            for day in days {
                list.push_bind(day);
            }
            query.push(")");
            Ok(query.build_query_scalar().fetch_all(self.reader()).await?)
        }

        async fn rollups(
            &self,
            tenant: Uuid,
            dimension: &str,
            from: &str,
            to: &str,
        ) -> Result<Vec<Rollup>, StoreError> {
            let rows = sqlx::query_as::<_, RollupRow>(
                "SELECT dimension, day, value, CAST(summary AS TEXT) AS summary FROM metric_rollups
                 WHERE tenant_id = $1 AND dimension = $2 AND day >= $3 AND day <= $4 ORDER BY day, value",
            )
            .bind(tenant)
            .bind(dimension)
            .bind(from)
            .bind(to)
            .fetch_all(self.reader())
            .await?;
            Ok(rows.into_iter().map(Rollup::from).collect())
        }

        async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError> {
            self.tenants_with_dirty_facts().await
        }

        async fn dirty_count(&self, tenant: Uuid) -> Result<u64, StoreError> {
            self.dirty_count_of(tenant).await
        }

        async fn dirty_facts(
            &self,
            tenant: Uuid,
            limit: u32,
        ) -> Result<Vec<DirtyFacts>, StoreError> {
            self.dirty_facts_of(tenant, limit).await
        }

        async fn replace_rollups(
            &self,
            tenant: Uuid,
            days: &[String],
            rollups: &[Rollup],
            built_from: &[DirtyFacts],
        ) -> Result<(), StoreError> {
            self.write_rollups(tenant, days, rollups, built_from).await
        }
    }
}
