//! Writing CSV (RFC 4180): CRLF line ends, a field quoted only when it holds
//! a comma, a quote or a line break, with inner quotes doubled.

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

#[cfg(test)]
mod tests {
    use super::*;

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
