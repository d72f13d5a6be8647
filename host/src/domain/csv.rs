//! CSV (RFC 4180). Written with CRLF line ends, a field quoted only when it
//! holds a comma, a quote or a line break, with inner quotes doubled; read
//! the same way, LF line ends and a UTF-8 byte-order mark accepted.

/// Append one field.
pub fn push_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Append a field someone typed. A spreadsheet runs a cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so such
/// a text is written after a `'`, which shows it as the text it is.
pub fn push_text(out: &mut String, text: &str) {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        push_field(out, &format!("'{text}"));
    } else {
        push_field(out, text);
    }
}

/// Append a row of typed fields.
pub fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_text(out, field);
    }
    out.push_str("\r\n");
}

/// The rows of a document, each a list of fields; a line with nothing on
/// it is no row. `Err` names the line of a quote that never closes.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut opened_at = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => {
                quoted = true;
                opened_at = line;
            }
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                line += 1;
                row.push(std::mem::take(&mut field));
                if !(row.len() == 1 && row[0].is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(format!("the quote opened on line {opened_at} never closes"));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let mut out = String::new();
        push_row(&mut out, ["a,b", "say \"hi\"", "two\nlines", "", "王芳"]);
        push_row(&mut out, ["x", "y", "z", "w", "v"]);
        let rows = parse(&out).unwrap();
        assert_eq!(rows[0], ["a,b", "say \"hi\"", "two\nlines", "", "王芳"]);
        assert_eq!(rows[1], ["x", "y", "z", "w", "v"]);
    }

    #[test]
    fn a_bom_blank_lines_and_lf_are_accepted_and_an_open_quote_is_not() {
        let rows = parse("\u{feff}kind,title\n\nrepair,Fridge\n").unwrap();
        assert_eq!(rows, [vec!["kind", "title"], vec!["repair", "Fridge"]]);
        assert!(parse("a,\"b\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut out = String::new();
        push_row(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""]);
        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
    }

    #[test]
    fn what_a_spreadsheet_would_run_is_written_as_text() {
        let mut out = String::new();
        push_row(
            &mut out,
            ["=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-2", "ok"],
        );
        assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\",'+1,'@SUM(A1),'-2,ok\r\n");
    }
}
