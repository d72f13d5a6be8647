//! Attachments: the statements that read them, once for both backends
//! (the commit writes them: `tickets/commit.rs`).

use async_trait::async_trait;
use uuid::Uuid;

use super::{AttachmentRow, Attachments, Usage};
use crate::domain::attachment::Attachment;
use crate::store::StoreError;
use crate::store::codec::all;

on_each_backend! {
    #[async_trait]
    impl Attachments for DbStore {
        async fn attachments_of(
            &self,
            tenant: Uuid,
            ticket: Uuid,
        ) -> Result<Vec<Attachment>, StoreError> {
            all(sqlx::query_as::<_, AttachmentRow>(
                "SELECT * FROM attachments WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY id",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?)
        }

        async fn attachment(
            &self,
            tenant: Uuid,
            id: Uuid,
        ) -> Result<Option<Attachment>, StoreError> {
            sqlx::query_as::<_, AttachmentRow>(
                "SELECT * FROM attachments WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .map(Attachment::try_from)
            .transpose()
        }

        async fn attachment_usage(&self, tenant: Uuid, ticket: Uuid) -> Result<Usage, StoreError> {
            let (bytes, files): (i64, i64) = sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN ticket_id = $2 THEN 1 ELSE 0 END), 0)
                            AS BIGINT)
                 FROM attachments WHERE tenant_id = $1",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_one(self.reader())
            .await?;
            Ok(Usage {
                tenant_bytes: u64::try_from(bytes).unwrap_or(0),
                ticket_files: u32::try_from(files).unwrap_or(u32::MAX),
            })
        }
    }
}
