//! Matching search documents on PostgreSQL: `ILIKE`, which the `pg_trgm`
//! GIN index (tenant and text together) answers for three characters or
//! more; fewer scan the tenant's documents with `strpos`, which no index
//! serves. The two are different statements on purpose: a prepared
//! statement's generic plan cannot see the pattern, and would take the GIN
//! index for a two-character one too, where it reads every entry (seconds
//! at a million tickets).

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::PgStore;
use crate::store::search::anywhere;

impl PgStore {
    /// `d.text` contains `text`, case-insensitively (the tenant is in the
    /// query already, and in the same GIN index).
    pub(in crate::store) fn push_text_match(
        query: &mut QueryBuilder<Postgres>,
        _tenant: Uuid,
        text: &str,
    ) {
        if text.chars().count() < 3 {
            return Self::push_text_scan(query, text);
        }
        query
            .push("d.text ILIKE ")
            .push_bind(anywhere(text))
            .push(" ESCAPE '\\'");
    }

    /// `d.text` contains `text`, case-insensitively, read row by row.
    pub(in crate::store) fn push_text_scan(query: &mut QueryBuilder<Postgres>, text: &str) {
        query
            .push("strpos(lower(d.text), lower(")
            .push_bind(text.to_owned())
            .push(")) > 0");
    }
}
