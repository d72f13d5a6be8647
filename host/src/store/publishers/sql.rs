//! Publishers, their keys and quotas, and partner uploads: the statements,
//! once for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::{
    Admission, NameOwner, Publisher, PublisherRow, PublisherUsage, PublisherUsageRow, Publishers,
    Quota, Usage, UsageRow, admission, duplicate, stored,
};
use crate::store::codec::{all, millis};
use crate::store::{StoreError, StoredPlugin};

on_each_backend! {
    #[async_trait]
    impl Publishers for DbStore {
        async fn create_publisher(
            &self,
            publisher: &Publisher,
            token_hash: &str,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO publishers (id, name, token_hash, max_plugins, max_bytes, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(publisher.id)
            .bind(&publisher.name)
            .bind(token_hash)
            .bind(stored(publisher.quota.max_plugins))
            .bind(stored(publisher.quota.max_bytes))
            .bind(millis(publisher.created_at))
            .execute(self.writer())
            .await
            .map_err(|e| duplicate(e, &publisher.name))?;
            Ok(())
        }

        async fn publisher(&self, id: Uuid) -> Result<Option<Publisher>, StoreError> {
            sqlx::query_as::<_, PublisherRow>("SELECT * FROM publishers WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?
                .map(Publisher::try_from)
                .transpose()
        }

        async fn publisher_by_token(
            &self,
            token_hash: &str,
        ) -> Result<Option<Publisher>, StoreError> {
            sqlx::query_as::<_, PublisherRow>(
                "SELECT * FROM publishers WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await?
            .map(Publisher::try_from)
            .transpose()
        }

        async fn publishers(&self) -> Result<Vec<PublisherUsage>, StoreError> {
            all(sqlx::query_as::<_, PublisherUsageRow>(
                "SELECT p.id, p.name, p.max_plugins, p.max_bytes, p.created_at, p.revoked_at,
                    COUNT(c.hash) AS plugins, CAST(COALESCE(SUM(length(c.component)), 0) AS BIGINT) AS bytes
                 FROM publishers p LEFT JOIN plugins c ON c.publisher_id = p.id
                 GROUP BY p.id ORDER BY p.created_at, p.id",
            )
            .fetch_all(self.reader())
            .await?)
        }

        async fn revoke_publisher(&self, id: Uuid, at: Timestamp) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE publishers SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(millis(at))
            .bind(id)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn usage(&self, publisher: Uuid) -> Result<Usage, StoreError> {
            sqlx::query_as::<_, UsageRow>(
                "SELECT COUNT(*) AS plugins, CAST(COALESCE(SUM(length(component)), 0) AS BIGINT) AS bytes
                 FROM plugins WHERE publisher_id = $1",
            )
            .bind(publisher)
            .fetch_one(self.reader())
            .await?
            .try_into()
        }

        async fn name_owner(&self, name: &str) -> Result<Option<NameOwner>, StoreError> {
            let first: Option<Option<Uuid>> = sqlx::query_scalar(
                "SELECT publisher_id FROM plugins WHERE name = $1
                 ORDER BY installed_at, hash LIMIT 1",
            )
            .bind(name)
            .fetch_optional(self.reader())
            .await?;
            Ok(first.map(NameOwner::of))
        }

        async fn publish(&self, hash: &str, at: Timestamp) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE plugins SET published_at = COALESCE(published_at, $1) WHERE hash = $2",
            )
            .bind(millis(at))
            .bind(hash)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn put_publisher_plugin(
            &self,
            plugin: &StoredPlugin,
            quota: &Quota,
        ) -> Result<Admission, StoreError> {
            let mut tx = self.writer().begin().await?;
            // Nothing may claim the name or use up the quota between the checks
            // and the insert.
            DbStore::lock_upload(&mut tx, plugin).await?;
            let owner: Option<Option<Uuid>> = sqlx::query_scalar(
                "SELECT publisher_id FROM plugins WHERE name = $1
                 ORDER BY installed_at, hash LIMIT 1",
            )
            .bind(&plugin.name)
            .fetch_optional(&mut *tx)
            .await?;
            let present: Option<String> =
                sqlx::query_scalar("SELECT hash FROM plugins WHERE hash = $1")
                    .bind(&plugin.hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            let usage: Usage = sqlx::query_as::<_, UsageRow>(
                "SELECT COUNT(*) AS plugins, CAST(COALESCE(SUM(length(component)), 0) AS BIGINT) AS bytes
                 FROM plugins WHERE publisher_id = $1",
            )
            .bind(plugin.publisher_id)
            .fetch_one(&mut *tx)
            .await?
            .try_into()?;
            if let Some(refused) = admission(plugin, owner, present.is_some(), usage, quota) {
                return Ok(refused);
            }
            let taken: Option<String> =
                sqlx::query_scalar("SELECT hash FROM plugins WHERE name = $1 AND version = $2")
                    .bind(&plugin.name)
                    .bind(&plugin.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::Duplicate(format!(
                    "{}@{} is already installed with other content",
                    plugin.name, plugin.version
                )));
            }
            DbStore::insert_plugin(&mut tx, plugin).await?;
            tx.commit().await?;
            Ok(Admission::Stored)
        }
    }
}
