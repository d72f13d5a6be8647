//! A commit's statements on PostgreSQL, run one after another in the
//! change's transaction.
//!
//! The extended protocol takes one statement per message, so a [`Script`]
//! keeps each with its own arguments and says, like SQLite's, what each
//! outcome means: a version check that matched no row is a conflict.

use sqlx::error::BoxDynError;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, Encode, Postgres, Transaction, Type};

use crate::store::StoreError;
use crate::store::tickets::{Refusal, Step};

/// Statements with their arguments, run in order.
#[derive(Default)]
pub(crate) struct Script {
    statements: Vec<(&'static str, PgArguments, Step)>,
    /// The first argument that could not be encoded.
    encoding: Option<BoxDynError>,
}

impl Script {
    /// Append a statement; bind its `$1`, `$2`, … on the answer, in order.
    pub(crate) fn push(&mut self, sql: &'static str) -> Statement<'_> {
        self.statements
            .push((sql, PgArguments::default(), Step::default()));
        Statement { script: self }
    }

    /// Run every statement in `tx`. The first that fails, or does not do
    /// what it must, fails the change; the caller drops the transaction, so
    /// nothing of the change is kept.
    pub(crate) async fn run(self, tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
        if let Some(e) = self.encoding {
            return Err(sqlx::Error::Encode(e).into());
        }
        for (sql, args, step) in self.statements {
            match sqlx::query_with(sql, args).execute(&mut **tx).await {
                Ok(done) => {
                    if let Some(refusal) = step.one_row
                        && done.rows_affected() != 1
                    {
                        return Err(refusal.into());
                    }
                }
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    return Err(step
                        .unique
                        .map_or(sqlx::Error::Database(db).into(), Into::into));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// The statement just appended to a [`Script`].
pub(crate) struct Statement<'a> {
    script: &'a mut Script,
}

impl Statement<'_> {
    pub(crate) fn bind<'t, T: Encode<'t, Postgres> + Type<Postgres>>(self, value: T) -> Self {
        if let Some((_, args, _)) = self.script.statements.last_mut()
            && let Err(e) = args.add(value)
        {
            self.script.encoding.get_or_insert(e);
        }
        self
    }

    /// The commit fails with `refusal` unless the statement changes exactly
    /// one row.
    pub(crate) fn one_row_or(self, refusal: Refusal) -> Self {
        if let Some((_, _, step)) = self.script.statements.last_mut() {
            step.one_row = Some(refusal);
        }
        self
    }

    /// A unique violation fails the commit with `refusal`.
    pub(crate) fn unique_or(self, refusal: Refusal) -> Self {
        if let Some((_, _, step)) = self.script.statements.last_mut() {
            step.unique = Some(refusal);
        }
        self
    }
}
