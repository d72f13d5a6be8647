//! Saved views: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{ViewRow, Views};
use crate::domain::view::SavedView;
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    #[async_trait]
    impl Views for DbStore {
        async fn create_view(&self, v: &SavedView) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO saved_views (tenant_id, id, owner, name, team, filter, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(v.tenant_id)
            .bind(v.id)
            .bind(&v.owner)
            .bind(&v.name)
            .bind(v.team.as_deref())
            .bind(Json(&v.filter))
            .bind(millis(v.created_at))
            .execute(self.writer())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    StoreError::Duplicate(format!("you have a view named `{}`", v.name))
                }
                _ => StoreError::Database(e),
            })?;
            Ok(())
        }

        async fn views(
            &self,
            tenant: Uuid,
            owner: &str,
            teams: &[String],
        ) -> Result<Vec<SavedView>, StoreError> {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT * FROM saved_views WHERE tenant_id = ",
            );
            query.push_bind(tenant).push(" AND (owner = ").push_bind(owner.to_owned());
            if !teams.is_empty() {
                query.push(" OR team IN (");
                let mut names = query.separated(", ");
                for team in teams {
                    names.push_bind(team.clone());
                }
                query.push(")");
            }
            query.push(") ORDER BY name, id");
            all(query.build_query_as::<ViewRow>().fetch_all(self.reader()).await?)
        }

        async fn view_count(&self, tenant: Uuid, owner: &str) -> Result<u64, StoreError> {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM saved_views WHERE tenant_id = $1 AND owner = $2",
            )
            .bind(tenant)
            .bind(owner)
            .fetch_one(self.reader())
            .await?;
            Ok(u64::try_from(n).unwrap_or(0))
        }

        async fn view(&self, tenant: Uuid, id: Uuid) -> Result<Option<SavedView>, StoreError> {
            sqlx::query_as::<_, ViewRow>(
                "SELECT * FROM saved_views WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .map(SavedView::try_from)
            .transpose()
        }

        async fn delete_view(&self, tenant: Uuid, id: Uuid) -> Result<bool, StoreError> {
            let done = sqlx::query("DELETE FROM saved_views WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(id)
                .execute(self.writer())
                .await?;
            Ok(done.rows_affected() == 1)
        }
    }
}
