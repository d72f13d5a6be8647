//! The PostgreSQL backend, for deployments with several host replicas.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::announce::Announcement;
use super::{Commit, Store, StoreError, StoredPlugin};

mod jobs;
mod listen;
mod script;
mod search;

pub use listen::Listener;
pub(super) use script::Script;

pub struct PgStore {
    pub(super) pool: PgPool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl PgStore {
    /// Connect to the database at `url` and migrate it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every use costs a round trip per request; a
            // connection in steady use is known to be alive. Only one that
            // sat idle long enough for the server or a proxy to drop it is
            // checked first.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(30) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    /// The pool, for PostgreSQL-only features (LISTEN/NOTIFY, row locks).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Writes and reads share the pool.
    pub(super) fn writer(&self) -> &PgPool {
        &self.pool
    }

    pub(super) fn reader(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn announce(&self, what: &Announcement) -> Result<(), StoreError> {
        self.notify(what).await
    }

    async fn listen(&self) -> Result<Option<Listener>, StoreError> {
        self.listener().await.map(Some)
    }
}

impl PgStore {
    /// Write a change atomically, in a transaction of its own.
    pub(super) async fn write(&self, commit: &Commit) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        Self::script(commit).run(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uploads of one publisher queue on its row, uploads of one name on a
    /// lock of the name (replicas included), until the transaction ends.
    pub(super) async fn lock_upload(
        tx: &mut Transaction<'_, Postgres>,
        plugin: &StoredPlugin,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT id FROM publishers WHERE id = $1 FOR UPDATE")
            .bind(plugin.publisher_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(&plugin.name)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
