//! Spare parts: the statements that read them and keep the catalogue, once
//! for both backends (movements are written by the commit:
//! `tickets/commit.rs`).

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{MovementRow, PartFilter, PartRow, Parts, StockRow, taken};
use crate::domain::part::{Balance, Movement, Part};
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    /// The part's tenant and SKU, then every other field, as `$1`…`$11`
    /// of both statements that write a part.
    fn bind_part<'q>(
        query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
        p: &'q Part,
    ) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
        query
            .bind(p.tenant_id)
            .bind(&p.sku)
            .bind(&p.name)
            .bind(&p.category)
            .bind(&p.unit)
            .bind(p.price.to_string())
            .bind(Json(&p.compatible_models))
            .bind(i64::from(p.reorder_point))
            .bind(p.active)
            .bind(millis(p.created_at))
            .bind(millis(p.updated_at))
    }

    #[async_trait]
    impl Parts for DbStore {
        async fn create_part(&self, p: &Part) -> Result<(), StoreError> {
            let query = sqlx::query(
                "INSERT INTO parts (tenant_id, sku, name, category, unit, price,
                    compatible_models, reorder_point, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            );
            bind_part(query, p)
                .execute(self.writer())
                .await
                .map_err(|e| taken(e, &p.sku))?;
            Ok(())
        }

        async fn update_part(&self, p: &Part) -> Result<bool, StoreError> {
            let query = sqlx::query(
                "UPDATE parts SET name = $3, category = $4, unit = $5, price = $6,
                    compatible_models = $7, reorder_point = $8, active = $9,
                    created_at = $10, updated_at = $11
                 WHERE tenant_id = $1 AND sku = $2",
            );
            let done = bind_part(query, p).execute(self.writer()).await?;
            Ok(done.rows_affected() == 1)
        }

        async fn part(&self, tenant: Uuid, sku: &str) -> Result<Option<Part>, StoreError> {
            sqlx::query_as::<_, PartRow>("SELECT * FROM parts WHERE tenant_id = $1 AND sku = $2")
                .bind(tenant)
                .bind(sku)
                .fetch_optional(self.reader())
                .await?
                .map(Part::try_from)
                .transpose()
        }

        async fn parts(&self, tenant: Uuid, filter: &PartFilter) -> Result<Vec<Part>, StoreError> {
            let mut query = sqlx::QueryBuilder::<Db>::new("SELECT * FROM parts WHERE tenant_id = ");
            query.push_bind(tenant);
            if let Some(category) = &filter.category {
                query.push(" AND category = ").push_bind(category.clone());
            }
            if !filter.inactive {
                query.push(" AND active = TRUE");
            }
            query.push(" ORDER BY sku");
            let parts: Vec<Part> =
                all(query.build_query_as::<PartRow>().fetch_all(self.reader()).await?)?;
            Ok(match &filter.model {
                Some(model) => parts.into_iter().filter(|p| p.fits(model)).collect(),
                None => parts,
            })
        }

        async fn stock(
            &self,
            tenant: Uuid,
            sku: &str,
        ) -> Result<Vec<(Uuid, Balance)>, StoreError> {
            let rows = sqlx::query_as::<_, StockRow>(
                "SELECT service_point, on_hand, reserved FROM stock
                 WHERE tenant_id = $1 AND sku = $2 ORDER BY service_point",
            )
            .bind(tenant)
            .bind(sku)
            .fetch_all(self.reader())
            .await?;
            Ok(rows.iter().map(|r| (r.service_point, r.balance())).collect())
        }

        async fn all_stock(
            &self,
            tenant: Uuid,
        ) -> Result<Vec<(String, Uuid, Balance)>, StoreError> {
            let rows = sqlx::query_as::<_, StockRow>(
                "SELECT sku, service_point, on_hand, reserved FROM stock
                 WHERE tenant_id = $1 ORDER BY sku, service_point",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let balance = r.balance();
                    (r.sku, r.service_point, balance)
                })
                .collect())
        }

        async fn balance(
            &self,
            tenant: Uuid,
            sku: &str,
            point: Uuid,
        ) -> Result<Balance, StoreError> {
            let row = sqlx::query_as::<_, StockRow>(
                "SELECT service_point, on_hand, reserved FROM stock
                 WHERE tenant_id = $1 AND sku = $2 AND service_point = $3",
            )
            .bind(tenant)
            .bind(sku)
            .bind(point)
            .fetch_optional(self.reader())
            .await?;
            Ok(row.map(|r| r.balance()).unwrap_or_default())
        }

        async fn movements(
            &self,
            tenant: Uuid,
            sku: &str,
            limit: u32,
        ) -> Result<Vec<Movement>, StoreError> {
            all(sqlx::query_as::<_, MovementRow>(
                "SELECT * FROM stock_movements WHERE tenant_id = $1 AND sku = $2
                 ORDER BY at DESC, id DESC LIMIT $3",
            )
            .bind(tenant)
            .bind(sku)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?)
        }

        async fn movements_of(
            &self,
            tenant: Uuid,
            ticket: Uuid,
        ) -> Result<Vec<Movement>, StoreError> {
            all(sqlx::query_as::<_, MovementRow>(
                "SELECT * FROM stock_movements WHERE tenant_id = $1 AND ticket_id = $2
                 ORDER BY at, id",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?)
        }
    }
}
