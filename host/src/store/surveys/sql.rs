//! Satisfaction surveys: the statements, once for both backends.

use async_trait::async_trait;
use uuid::Uuid;

use super::{Survey, SurveyRow, Surveys};
use crate::store::StoreError;

on_each_backend! {
    #[async_trait]
    impl Surveys for DbStore {
        async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError> {
            sqlx::query_as::<_, SurveyRow>("SELECT * FROM surveys WHERE token = $1")
                .bind(token)
                .fetch_optional(self.reader())
                .await?
                .map(Survey::try_from)
                .transpose()
        }

        async fn rekey_survey_tokens(
            &self,
            len: usize,
            rekey: for<'t> fn(&'t str) -> String,
        ) -> Result<u64, StoreError> {
            let mut tx = self.writer().begin().await?;
            let kept: Vec<(Uuid, String)> =
                sqlx::query_as("SELECT id, token FROM surveys WHERE length(token) = $1")
                    .bind(i64::try_from(len).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, token) in &kept {
                sqlx::query("UPDATE surveys SET token = $1 WHERE id = $2")
                    .bind(rekey(token))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(kept.len() as u64)
        }

        async fn survey_of(
            &self,
            tenant: Uuid,
            ticket: Uuid,
        ) -> Result<Option<Survey>, StoreError> {
            sqlx::query_as::<_, SurveyRow>(
                "SELECT * FROM surveys WHERE tenant_id = $1 AND ticket_id = $2",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_optional(self.reader())
            .await?
            .map(Survey::try_from)
            .transpose()
        }
    }
}
