//! Matching search documents on PostgreSQL: `ILIKE`, which the `pg_trgm`
//! GIN index (tenant and text together) answers for three characters or
//! more; fewer scan the tenant's documents.

use sqlx::{Postgres, QueryBuilder};

use super::PgStore;
use crate::store::search::anywhere;

impl PgStore {
    /// `d.text` contains `text`, case-insensitively.
    pub(in crate::store) fn push_text_match(query: &mut QueryBuilder<Postgres>, text: &str) {
        Self::push_text_like(query, text);
    }

    /// `d.text` contains `text`, case-insensitively.
    pub(in crate::store) fn push_text_like(query: &mut QueryBuilder<Postgres>, text: &str) {
        query
            .push("d.text ILIKE ")
            .push_bind(anywhere(text))
            .push(" ESCAPE '\\'");
    }
}
