//! Matching search documents on SQLite: the FTS5 trigram table for three
//! characters or more, a scan of the tenant's documents for fewer (a
//! trigram index cannot answer them).

use sqlx::{QueryBuilder, Sqlite};

use super::SqliteStore;
use crate::store::search::anywhere;

impl SqliteStore {
    /// `d.text` contains `text`, case-insensitively.
    pub(in crate::store) fn push_text_match(query: &mut QueryBuilder<Sqlite>, text: &str) {
        if text.chars().count() < 3 {
            return Self::push_text_like(query, text);
        }
        // One phrase: the trigram tokenizer matches it as a substring.
        let phrase = format!("\"{}\"", text.replace('"', "\"\""));
        query
            .push("d.id IN (SELECT rowid FROM search_text WHERE search_text MATCH ")
            .push_bind(phrase)
            .push(")");
    }

    /// `d.text` contains `text`, by `LIKE` (case-insensitive for ASCII).
    pub(in crate::store) fn push_text_like(query: &mut QueryBuilder<Sqlite>, text: &str) {
        query
            .push("d.text LIKE ")
            .push_bind(anywhere(text))
            .push(" ESCAPE '\\'");
    }
}
