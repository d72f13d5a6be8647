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

use crate::store::StoreError;
use crate::store::tickets::{Refusal, Step};

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
    /// Append a statement; bind its `$1`, `$2`, … on the answer, in order.
    ///
    /// In one script the driver numbers anonymous `?` across statements, so
    /// each `$N` becomes `?`; that needs them to run `$1`, `$2`, … once each,
    /// in order, which the host's statements do (a statement that does not
    /// fails the commit with an encoding error, the first time it runs).
    pub(crate) fn push(&mut self, sql: &str) -> Statement<'_> {
        let mut expected = 1;
        let mut rest = sql.trim();
        while let Some(at) = rest.find('$') {
            self.sql.push_str(&rest[..at]);
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - at - 1);
            match rest[at + 1..at + 1 + digits].parse::<usize>() {
                Ok(n) if n == expected => {
                    self.sql.push('?');
                    expected += 1;
                }
                Ok(n) => {
                    self.encoding.get_or_insert(
                        format!("`${n}` out of order in a script statement: {sql}").into(),
                    );
                    self.sql.push('?');
                }
                Err(_) => self.sql.push('$'),
            }
            rest = &rest[at + 1 + digits..];
        }
        self.sql.push_str(rest);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_statement_reads_its_own_arguments() {
        let mut script = Script::default();
        script
            .push("UPDATE t SET a = $1 WHERE id = $2")
            .bind(7_i64)
            .bind("x");
        script
            .push(" DELETE FROM t WHERE id = $1 AND s = '$' ")
            .bind(8_i64);
        assert_eq!(
            script.sql,
            "UPDATE t SET a = ? WHERE id = ?;\nDELETE FROM t WHERE id = ? AND s = '$';\n"
        );
        assert_eq!(script.args.len(), 3);
        assert!(script.encoding.is_none());
    }

    #[tokio::test]
    async fn statements_of_one_script_each_write_their_own_values() {
        use sqlx::Connection;
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (a INTEGER NOT NULL, b TEXT NOT NULL)")
            .execute(&mut conn)
            .await
            .unwrap();
        let mut tx = conn.begin().await.unwrap();
        let mut script = Script::default();
        for (a, b) in [(1_i64, "x"), (2, "y"), (3, "z")] {
            script
                .push("INSERT INTO t (a, b) VALUES ($1, $2)")
                .bind(a)
                .bind(b);
        }
        assert!(script.run_in_savepoint(&mut tx).await.is_ok());
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT a, b FROM t ORDER BY a")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(rows, [(1, "x".into()), (2, "y".into()), (3, "z".into())]);
    }

    #[test]
    fn placeholders_out_of_order_fail_the_script() {
        let mut script = Script::default();
        script.push("UPDATE t SET a = $2 WHERE id = $1");
        assert!(script.encoding.is_some());
    }
}
