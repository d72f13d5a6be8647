//! Reports as CSV (RFC 4180): a header row, one row per group, CRLF line
//! ends, and a field quoted only when it holds a comma, a quote or a line
//! break, with inner quotes doubled.
//!
//! Numbers are written in the report's units (seconds, fractions, scores)
//! with the shortest text that reads back as the same `f64`; a value the
//! report leaves out (`None`) is an empty field.
//!
//! The fixed columns come first, always the same. After them comes one
//! `<attribute>_mean_rating` column per attribute rated in any of the rows,
//! ordered by name, so the header depends only on which attributes the rows
//! have; a row whose group has no rating for an attribute leaves it empty.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::report::Report;
use super::survey::Attribute;
use crate::domain::csv::push_field;

/// One CSV column: its header and how to read it from a report.
type Column = (&'static str, fn(&Report) -> Field);

/// A cell before it is written.
enum Field {
    Count(u64),
    Number(Option<f64>),
}

/// The columns after `group`, in order. One table, so the header and the
/// rows cannot drift apart.
const COLUMNS: &[Column] = &[
    ("tickets", |r| Field::Count(r.tickets)),
    ("responded", |r| Field::Count(r.responded)),
    ("resolved", |r| Field::Count(r.resolved)),
    ("response_mean_seconds", |r| {
        Field::Number(r.response.mean_seconds)
    }),
    ("response_p50_seconds", |r| {
        Field::Number(r.response.p50_seconds)
    }),
    ("response_p90_seconds", |r| {
        Field::Number(r.response.p90_seconds)
    }),
    ("resolution_mean_seconds", |r| {
        Field::Number(r.resolution.mean_seconds)
    }),
    ("resolution_p50_seconds", |r| {
        Field::Number(r.resolution.p50_seconds)
    }),
    ("resolution_p90_seconds", |r| {
        Field::Number(r.resolution.p90_seconds)
    }),
    ("lead_mean_seconds", |r| Field::Number(r.lead.mean_seconds)),
    ("lead_p50_seconds", |r| Field::Number(r.lead.p50_seconds)),
    ("lead_p90_seconds", |r| Field::Number(r.lead.p90_seconds)),
    ("sla_response_compliance", |r| {
        Field::Number(r.sla_compliance.response)
    }),
    ("sla_resolution_compliance", |r| {
        Field::Number(r.sla_compliance.resolution)
    }),
    ("sla_on_site_compliance", |r| {
        Field::Number(r.sla_compliance.on_site)
    }),
    ("first_contact_resolution_rate", |r| {
        Field::Number(r.first_contact_resolution_rate)
    }),
    ("reopen_rate", |r| Field::Number(r.reopen_rate)),
    ("repairs", |r| Field::Count(r.repairs)),
    ("re_repair_rate", |r| Field::Number(r.re_repair_rate)),
    ("field_resolved", |r| Field::Count(r.field_resolved)),
    ("first_time_fix_rate", |r| {
        Field::Number(r.first_time_fix_rate)
    }),
    ("part_lines", |r| Field::Count(r.part_lines)),
    ("parts_fill_rate", |r| Field::Number(r.parts_fill_rate)),
    ("complaints", |r| Field::Count(r.complaints)),
    ("complaint_rate", |r| Field::Number(r.complaint_rate)),
    ("service_recoveries", |r| Field::Count(r.service_recoveries)),
    ("surveys", |r| Field::Count(r.surveys)),
    ("csi", |r| Field::Number(r.csi)),
    ("satisfaction_rate", |r| Field::Number(r.satisfaction_rate)),
    ("nps", |r| Field::Number(r.nps)),
];

/// The suffix of a per-attribute mean-rating column. No fixed column ends
/// with it, so an attribute's column cannot collide with one.
const MEAN_RATING_SUFFIX: &str = "_mean_rating";

/// The rows as a CSV document, the group in the first column, then the
/// fixed columns, then one `<attribute>_mean_rating` column per attribute
/// rated in any row, ordered by name.
pub fn to_csv(rows: &[(String, Report)]) -> String {
    let attributes: BTreeSet<&Attribute> = rows
        .iter()
        .flat_map(|(_, report)| report.mean_ratings.keys())
        .collect();
    let mut out = String::new();
    push_field(&mut out, "group");
    for (name, _) in COLUMNS {
        out.push(',');
        push_field(&mut out, name);
    }
    for attribute in &attributes {
        out.push(',');
        push_field(&mut out, &format!("{attribute}{MEAN_RATING_SUFFIX}"));
    }
    out.push_str("\r\n");
    for (group, report) in rows {
        push_field(&mut out, group);
        for (_, read) in COLUMNS {
            out.push(',');
            push_value(&mut out, read(report));
        }
        for attribute in &attributes {
            out.push(',');
            let mean = report.mean_ratings.get(attribute.as_str()).copied();
            push_value(&mut out, Field::Number(mean));
        }
        out.push_str("\r\n");
    }
    out
}

fn push_value(out: &mut String, field: Field) {
    // Writing to a String cannot fail.
    let _ = match field {
        Field::Count(n) => write!(out, "{n}"),
        Field::Number(Some(x)) => write!(out, "{x}"),
        Field::Number(None) => Ok(()),
    };
}

#[cfg(test)]
mod tests {
    use super::super::summary::Summary;
    use super::*;

    fn empty_report() -> Report {
        Report::from(&Summary::new())
    }

    #[test]
    fn header_names_every_column_and_rows_have_as_many_fields() {
        let csv = to_csv(&[("repair".to_owned(), empty_report())]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "header, one row, and the final CRLF");
        assert_eq!(lines[2], "");
        assert!(lines[0].starts_with("group,tickets,responded,resolved,response_mean_seconds,"));
        assert!(lines[0].ends_with(",csi,satisfaction_rate,nps"));
        assert_eq!(lines[0].split(',').count(), COLUMNS.len() + 1);
        assert_eq!(lines[1].split(',').count(), COLUMNS.len() + 1);
    }

    #[test]
    fn no_denominator_is_an_empty_field_and_counts_are_zero() {
        let csv = to_csv(&[("x".to_owned(), empty_report())]);
        let row = csv.split("\r\n").nth(1).expect("a row");
        assert!(row.starts_with("x,0,0,0,,,,"));
        assert!(row.ends_with(",0,,,"));
    }

    #[test]
    fn groups_with_commas_quotes_or_line_breaks_are_quoted_rfc4180() {
        let mut out = String::new();
        push_field(&mut out, "Wang, Li");
        out.push('|');
        push_field(&mut out, "the \"A\" team");
        out.push('|');
        push_field(&mut out, "two\nlines");
        out.push('|');
        push_field(&mut out, "plain");
        assert_eq!(
            out,
            "\"Wang, Li\"|\"the \"\"A\"\" team\"|\"two\nlines\"|plain"
        );
    }

    #[test]
    fn no_fixed_column_looks_like_an_attribute_column() {
        assert!(
            COLUMNS
                .iter()
                .all(|(name, _)| !name.ends_with(MEAN_RATING_SUFFIX))
        );
    }

    #[test]
    fn attribute_columns_are_the_sorted_union_of_the_rows_attributes() {
        let with_means = |means: &[(&str, f64)]| {
            let mut report = empty_report();
            report.mean_ratings = means
                .iter()
                .map(|(name, mean)| (Attribute::new(*name).expect("snake_case"), *mean))
                .collect();
            report
        };
        let rows = [
            (
                "repair".to_owned(),
                with_means(&[("timeliness", 4.5), ("attitude", 3.0)]),
            ),
            ("install".to_owned(), with_means(&[("courtesy", 5.0)])),
            ("other".to_owned(), empty_report()),
        ];
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 5);
        let fixed = COLUMNS.len() + 1;
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header[fixed - 1], "nps");
        assert_eq!(
            header[fixed..],
            [
                "attitude_mean_rating",
                "courtesy_mean_rating",
                "timeliness_mean_rating"
            ]
        );
        let tail = |line: &str| line.split(',').skip(fixed).collect::<Vec<_>>().join(",");
        assert_eq!(tail(lines[1]), "3,,4.5");
        assert_eq!(tail(lines[2]), ",5,");
        assert_eq!(tail(lines[3]), ",,");
        for line in &lines[1..4] {
            assert_eq!(line.split(',').count(), header.len());
        }

        // The header does not depend on the order of the rows.
        let mut reversed = rows.clone();
        reversed.reverse();
        let reversed = to_csv(&reversed);
        assert_eq!(reversed.split("\r\n").next(), Some(lines[0]));
    }

    #[test]
    fn numbers_use_the_reports_units() {
        let mut report = empty_report();
        report.tickets = 11;
        report.nps = Some(-45.45);
        report.complaint_rate = Some(0.25);
        report.response.mean_seconds = Some(5400.0);
        let csv = to_csv(&[("all".to_owned(), report)]);
        let row = csv.split("\r\n").nth(1).expect("a row");
        let fields: Vec<&str> = row.split(',').collect();
        let at = |name: &str| {
            let i = COLUMNS
                .iter()
                .position(|(n, _)| *n == name)
                .expect("column");
            fields[i + 1]
        };
        assert_eq!(at("tickets"), "11");
        assert_eq!(at("nps"), "-45.45");
        assert_eq!(at("complaint_rate"), "0.25");
        assert_eq!(at("response_mean_seconds"), "5400");
    }
}
