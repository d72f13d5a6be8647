//! Announcements on PostgreSQL: `NOTIFY` on [`CHANNEL`], and a listener on
//! its own connection.

use sqlx::postgres::PgListener;

use super::PgStore;
use crate::store::StoreError;
use crate::store::announce::{Announcement, CHANNEL, Heard};

impl PgStore {
    pub(super) async fn notify(&self, what: &Announcement) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(what.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn listener(&self) -> Result<Listener, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Listener(listener))
    }
}

/// What the other replicas announce, as they announce it.
pub struct Listener(PgListener);

impl Listener {
    /// Wait for the next announcement. A payload that is no announcement
    /// (another program on the channel) is skipped; an error means the
    /// listener cannot reconnect now.
    pub async fn next(&mut self) -> Result<Heard, StoreError> {
        loop {
            match self.0.try_recv().await? {
                None => return Ok(Heard::Gap),
                Some(notification) => match notification.payload().parse() {
                    Ok(what) => return Ok(Heard::Announcement(what)),
                    Err(e) => tracing::warn!("ignored on {CHANNEL}: {e}"),
                },
            }
        }
    }
}
