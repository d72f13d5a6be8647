//! A commit's statements as one SQLite script.
//!
//! The SQLite driver runs statements on a thread of the connection's own, so
//! sending them one at a time costs two thread hand-offs per statement; under
//! load those hand-offs, not SQLite, bound how many commits the single writer
//! gets through. A [`Script`] carries every statement of a commit and all
//! their arguments in one message, and says for each statement what its
//! outcome means: a version check that matched no row is a conflict, not a
//! success.

use futures_util::StreamExt;
use sqlx::error::BoxDynError;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Encode, Executor, Sqlite, SqliteConnection, Type};
use uuid::Uuid;

use crate::store::StoreError;

/// Why a statement that did not do what the commit needs fails it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refusal {
    /// The Idempotency-Key is already recorded.
    IdempotencyKeyTaken,
    /// Someone else changed the ticket first.
    Conflict(Uuid),
    /// Another process took over the timer's claim.
    ClaimLost(Uuid),
    /// The survey has its answer already.
    AlreadyAnswered,
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::IdempotencyKeyTaken => StoreError::IdempotencyKeyTaken,
            Refusal::Conflict(ticket) => StoreError::Conflict { ticket },
            Refusal::ClaimLost(timer) => StoreError::ClaimLost(timer),
            Refusal::AlreadyAnswered => StoreError::AlreadyAnswered,
        }
    }
}

/// What one statement must do.
#[derive(Debug, Default, Clone, Copy)]
struct Step {
    /// Must change exactly one row.
    one_row: Option<Refusal>,
    /// What a unique violation means, if anything but a failure.
    unique: Option<Refusal>,
}

/// Statements with their arguments, run in order on one connection.
///
/// A script never begins or ends a transaction: it runs inside one its
/// caller holds, so that several scripts can share it (see
/// [`super::group`]).
#[derive(Default)]
pub(crate) struct Script {
    sql: String,
    args: SqliteArguments,
    steps: Vec<Step>,
    /// The first argument that could not be encoded.
    encoding: Option<BoxDynError>,
}

impl Script {
    /// Append a statement; bind its `?` parameters on the answer, in order.
    pub(crate) fn push(&mut self, sql: &str) -> Statement<'_> {
        self.sql.push_str(sql.trim());
        self.sql.push_str(";\n");
        self.steps.push(Step::default());
        Statement { script: self }
    }

    /// Run every statement inside a savepoint of the connection's open
    /// transaction. The first statement that fails, or does not do what it
    /// must, stops the script and everything it did is rolled back to the
    /// savepoint; the transaction goes on either way.
    pub(crate) async fn run_in_savepoint(self, conn: &mut SqliteConnection) -> Result<(), Failed> {
        if let Some(e) = self.encoding {
            return Err(Failed::Refused(sqlx::Error::Encode(e).into()));
        }
        let sql = format!("SAVEPOINT change;\n{}", self.sql);
        let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), self.args);
        // One result per statement, in order: the savepoint's first.
        let mut results = conn.execute_many(query);
        let mut index = 0;
        let mut refused = None;
        while let Some(result) = results.next().await {
            let step = match index {
                0 => Step::default(),
                i => self.steps.get(i - 1).copied().unwrap_or_default(),
            };
            match result {
                Ok(done) => {
                    if let Some(refusal) = step.one_row
                        && done.rows_affected() != 1
                    {
                        refused = Some(refusal.into());
                        break;
                    }
                }
                // Without its savepoint there is nothing to roll back to.
                Err(e) if index == 0 => return Err(Failed::Broken(e.into())),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    refused = Some(
                        step.unique
                            .map_or(sqlx::Error::Database(db).into(), Into::into),
                    );
                    break;
                }
                Err(e) => {
                    refused = Some(e.into());
                    break;
                }
            }
            index += 1;
        }
        drop(results);
        let Some(error) = refused else {
            return Ok(());
        };
        match sqlx::raw_sql("ROLLBACK TO change; RELEASE change")
            .execute(&mut *conn)
            .await
        {
            Ok(_) => Err(Failed::Refused(error)),
            // SQLite rolled back the whole transaction on its own (a full
            // disk, an I/O error): the savepoint is gone with it.
            Err(e) => Err(Failed::Broken(StoreError::Aborted(format!(
                "{error}; then rolling back failed: {e}"
            )))),
        }
    }
}

/// How a script failed.
#[derive(Debug)]
pub(crate) enum Failed {
    /// The script's changes are undone; the transaction can go on.
    Refused(StoreError),
    /// The transaction cannot go on.
    Broken(StoreError),
}

/// The statement just appended to a [`Script`].
pub(crate) struct Statement<'a> {
    script: &'a mut Script,
}

impl Statement<'_> {
    pub(crate) fn bind<'t, T: Encode<'t, Sqlite> + Type<Sqlite>>(self, value: T) -> Self {
        if let Err(e) = self.script.args.add(value) {
            self.script.encoding.get_or_insert(e);
        }
        self
    }

    /// The commit fails with `refusal` unless the statement changes exactly
    /// one row.
    pub(crate) fn one_row_or(self, refusal: Refusal) -> Self {
        if let Some(step) = self.script.steps.last_mut() {
            step.one_row = Some(refusal);
        }
        self
    }

    /// A unique violation fails the commit with `refusal`.
    pub(crate) fn unique_or(self, refusal: Refusal) -> Self {
        if let Some(step) = self.script.steps.last_mut() {
            step.unique = Some(refusal);
        }
        self
    }
}
