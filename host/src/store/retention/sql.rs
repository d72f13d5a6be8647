//! What is kept only for a while, and its purge: the statements, once for
//! both backends.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Expired, Purged, Retention};
use crate::store::StoreError;
use crate::store::codec::millis;

on_each_backend! {
    #[async_trait]
    impl Retention for DbStore {
        async fn purge(&self, expired: &Expired, limit: u32) -> Result<Purged, StoreError> {
            let limit = i64::from(limit);
            let delete = async |sql: &'static str, before: Timestamp| {
                sqlx::query(sql)
                    .bind(millis(before))
                    .bind(limit)
                    .execute(self.writer())
                    .await
                    .map(|done| done.rows_affected())
            };
            Ok(Purged {
                idempotency: delete(
                    "DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
                        (SELECT tenant_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
                    expired.idempotency,
                )
                .await?,
                deliveries: delete(
                    "DELETE FROM deliveries WHERE id IN
                        (SELECT id FROM deliveries
                          WHERE state = 'delivered' AND delivered_at < $1 LIMIT $2)",
                    expired.delivered,
                )
                .await?,
                invites: delete(
                    "DELETE FROM console_invites WHERE token_hash IN
                        (SELECT token_hash FROM console_invites WHERE expires_at < $1 LIMIT $2)",
                    expired.invites,
                )
                .await?,
            })
        }
    }
}
