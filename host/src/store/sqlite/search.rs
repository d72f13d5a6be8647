//! Matching search documents on SQLite: the FTS5 trigram table for three
//! characters or more, a scan of the tenant's documents for fewer (a
//! trigram index cannot answer them).
//!
//! The FTS table indexes each document's `tag` beside its text: three
//! private-use characters (U+E000–U+EFFF) made of the last nibbles of the
//! tenant's id, which the migration computes the same way. Matching the tag
//! and the text together intersects the tenant's documents with the text's
//! in the index, so a phrase every tenant uses costs one tenant's matches.
//! Two tenants that share a tag (one chance in 2^36) still see only their
//! own tickets: the query checks `tenant_id` too.

use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use super::SqliteStore;
use crate::store::search::anywhere;

impl SqliteStore {
    /// `d.text` contains `text`, case-insensitively; `d` is one of
    /// `tenant`'s documents.
    pub(in crate::store) fn push_text_match(
        query: &mut QueryBuilder<Sqlite>,
        tenant: Uuid,
        text: &str,
    ) {
        if text.chars().count() < 3 {
            return Self::push_text_scan(query, text);
        }
        // Each a phrase: the trigram tokenizer matches it as a substring.
        let phrase = format!(
            "tag : \"{}\" AND text : \"{}\"",
            tag(tenant),
            text.replace('"', "\"\"")
        );
        query
            .push("d.id IN (SELECT rowid FROM search_text WHERE search_text MATCH ")
            .push_bind(phrase)
            .push(")");
    }

    /// `d.text` contains `text`, read row by row with `LIKE`
    /// (case-insensitive for ASCII).
    pub(in crate::store) fn push_text_scan(query: &mut QueryBuilder<Sqlite>, text: &str) {
        query
            .push("d.text LIKE ")
            .push_bind(anywhere(text))
            .push(" ESCAPE '\\'");
    }
}

/// The tenant's tag, as the migration's `search_docs.tag` computes it from
/// the upper-case hex of the id: characters 23–31 (1-based), three nibbles
/// to a character.
fn tag(tenant: Uuid) -> String {
    let hex = tenant.simple().to_string();
    let nibble = |i: usize| {
        hex.as_bytes()
            .get(i)
            .and_then(|b| (*b as char).to_digit(16))
            .unwrap_or(0)
    };
    (0..3)
        .map(|k| {
            let at = 22 + 3 * k;
            let code = 0xE000 + nibble(at) * 256 + nibble(at + 1) * 16 + nibble(at + 2);
            char::from_u32(code).unwrap_or('\u{E000}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tag_is_three_private_use_characters_of_the_ids_last_nibbles() {
        let tenant: uuid::Uuid = "0199a0b2-7c3d-7e4f-8a5b-6c7d8e9fa1b2".parse().unwrap();
        // Hex characters 23–31: 7d8, e9f, a1b.
        assert_eq!(super::tag(tenant), "\u{E7D8}\u{EE9F}\u{EA1B}");
    }
}
