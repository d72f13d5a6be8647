//! Teams: the statements, once for both backends.

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::{TeamRow, Teams, taken};
use crate::domain::team::Team;
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    #[async_trait]
    impl Teams for DbStore {
        async fn create_team(&self, t: &Team) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO teams (tenant_id, name, title, tier, lead, manager, members,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(t.tenant_id)
            .bind(&t.name)
            .bind(&t.title)
            .bind(t.tier.map(i64::from))
            .bind(&t.lead)
            .bind(t.manager.as_deref())
            .bind(Json(&t.members))
            .bind(millis(t.created_at))
            .bind(millis(t.updated_at))
            .execute(self.writer())
            .await
            .map_err(|e| taken(e, t))?;
            Ok(())
        }

        async fn update_team(&self, t: &Team) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE teams SET title = $1, tier = $2, lead = $3, manager = $4, members = $5,
                    updated_at = $6
                 WHERE tenant_id = $7 AND name = $8",
            )
            .bind(&t.title)
            .bind(t.tier.map(i64::from))
            .bind(&t.lead)
            .bind(t.manager.as_deref())
            .bind(Json(&t.members))
            .bind(millis(t.updated_at))
            .bind(t.tenant_id)
            .bind(&t.name)
            .execute(self.writer())
            .await
            .map_err(|e| taken(e, t))?;
            Ok(done.rows_affected() == 1)
        }

        async fn team(&self, tenant: Uuid, name: &str) -> Result<Option<Team>, StoreError> {
            sqlx::query_as::<_, TeamRow>("SELECT * FROM teams WHERE tenant_id = $1 AND name = $2")
                .bind(tenant)
                .bind(name)
                .fetch_optional(self.reader())
                .await?
                .map(Team::try_from)
                .transpose()
        }

        async fn teams(&self, tenant: Uuid) -> Result<Vec<Team>, StoreError> {
            all(sqlx::query_as::<_, TeamRow>(
                "SELECT * FROM teams WHERE tenant_id = $1
                 ORDER BY tier IS NULL, tier, name",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }
    }
}
