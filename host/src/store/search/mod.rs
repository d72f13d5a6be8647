//! Search documents (see [`crate::domain::search`]): written by the commit
//! of every change that creates or edits a ticket or comments on it, read
//! by `GET /tickets?q=`. Matching a text is each backend's own: an FTS5
//! trigram table on SQLite (`sqlite/search.rs`), a `pg_trgm` GIN index on
//! PostgreSQL (`postgres/search.rs`).

mod sql;

/// `text` as a `LIKE` pattern that matches it anywhere, `\` escaping the
/// wildcards.
pub(in crate::store) fn anywhere(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pattern_escapes_the_wildcards() {
        assert_eq!(super::anywhere("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
