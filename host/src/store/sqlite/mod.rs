//! The SQLite backend: one file, WAL, foreign keys on.
//!
//! SQLite has one writer at a time, so writes go through a pool of one
//! connection (they queue in the process instead of spinning on the file
//! lock) while reads use a pool of their own. Ticket changes that queue for
//! the writer at the same time share one transaction ([`group`]).

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use super::announce::Announcement;
use super::{Commit, Listener, Store, StoreError, StoredPlugin};

mod group;
mod jobs;
mod script;
mod search;

use group::GroupCommit;
pub(super) use script::Script;

pub struct SqliteStore {
    pub(super) writer: SqlitePool,
    pub(super) reader: SqlitePool,
    /// Ticket changes, written in shared transactions.
    group: GroupCommit,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl SqliteStore {
    /// Open (creating it if needed) and migrate the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous()?)
            .foreign_keys(true)
            // Each change of a shared transaction runs in a savepoint, whose
            // undo pages belong in memory rather than in a temporary file.
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(10));
        // The file cannot go away under an open connection, so a pool need
        // not ping it (a round trip to the connection's thread) before each
        // use.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(SqliteStore {
            group: GroupCommit::new(writer.clone()),
            writer,
            reader,
        })
    }

    /// The pool of one connection that every write goes through.
    pub(super) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The pool reads use, beside the writer.
    pub(super) fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

/// How hard a commit waits for the disk. FULL (the default) syncs the log
/// on every commit, so a power loss loses nothing acknowledged; group commit
/// pays that once per batch. NORMAL (`AFTERSALE_SQLITE_SYNCHRONOUS=normal`)
/// is still safe against a killed process, but a power loss can drop the
/// last commits.
fn synchronous() -> Result<SqliteSynchronous, StoreError> {
    match std::env::var("AFTERSALE_SQLITE_SYNCHRONOUS") {
        Err(_) => Ok(SqliteSynchronous::Full),
        Ok(value) => match value.to_ascii_lowercase().as_str() {
            "" | "full" => Ok(SqliteSynchronous::Full),
            "normal" => Ok(SqliteSynchronous::Normal),
            _ => Err(StoreError::Config(format!(
                "AFTERSALE_SQLITE_SYNCHRONOUS is `{value}`; it takes `full` or `normal`"
            ))),
        },
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// One process has the database: nobody else caches its state.
    async fn announce(&self, _: &Announcement) -> Result<(), StoreError> {
        Ok(())
    }

    async fn listen(&self) -> Result<Option<Listener>, StoreError> {
        Ok(None)
    }
}

impl SqliteStore {
    /// Write a change in the writer's next shared transaction.
    pub(super) async fn write(&self, commit: &Commit) -> Result<(), StoreError> {
        self.group.commit(Self::script(commit)).await
    }

    /// The writer is one connection, so an upload's transaction runs alone
    /// among writes: nothing else can happen between its checks and its
    /// insert.
    pub(super) async fn lock_upload(
        _tx: &mut Transaction<'_, Sqlite>,
        _plugin: &StoredPlugin,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
