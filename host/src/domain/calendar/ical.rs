//! The part of iCalendar (RFC 5545) that a holiday calendar uses: unfolded
//! content lines, all-day `VEVENT`s, `SUMMARY` and `CATEGORIES`.
//!
//! Written by hand rather than with the `icalendar` crate, which brings
//! chrono, nom and uuid along for four properties.

use jiff::civil::Date;

use super::CalendarError;

/// The longest make-up working-day event accepted.
const MAX_MAKE_UP_DAYS: i32 = 31;

/// What an event makes of its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Holiday,
    Workday,
}

/// One all-day event, its dates inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Event {
    pub first: Date,
    pub last: Date,
    pub name: String,
    pub kind: Kind,
}

/// A content line after unfolding: `NAME;PARAM=value:value`.
struct Line {
    /// Physical line number where it starts, for error messages.
    number: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// The event being read.
#[derive(Default)]
struct Draft {
    line: usize,
    start: Option<Date>,
    end: Option<Date>,
    days: Option<i64>,
    summary: String,
    categories: Vec<String>,
    cancelled: bool,
}

/// The all-day events of an iCalendar file, in file order.
pub(super) fn events(ics: &[u8]) -> Result<Vec<Event>, CalendarError> {
    let mut out = Vec::new();
    // Components nest (a VALARM inside a VEVENT); only the VEVENT's own
    // properties count.
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut draft: Option<Draft> = None;
    for line in unfold(ics) {
        let line = parse_line(line?)?;
        let in_event = stack.last().is_some_and(|(c, _)| c == "VEVENT");
        match line.name.as_str() {
            "BEGIN" => {
                let component = line.value.to_ascii_uppercase();
                if component == "VEVENT" {
                    draft = Some(Draft {
                        line: line.number,
                        ..Draft::default()
                    });
                }
                stack.push((component, line.number));
            }
            "END" => {
                let component = line.value.to_ascii_uppercase();
                if stack.pop().is_none_or(|(open, _)| open != component) {
                    return Err(error(
                        line.number,
                        format!("END:{component} without its BEGIN"),
                    ));
                }
                if component == "VEVENT"
                    && let Some(event) = draft.take().map(finish).transpose()?.flatten()
                {
                    out.push(event);
                }
            }
            _ if !in_event => {}
            _ => {
                if let Some(draft) = draft.as_mut() {
                    read_property(draft, &line)?;
                }
            }
        }
    }
    if let Some((open, line)) = stack.last() {
        return Err(error(*line, format!("BEGIN:{open} is never closed")));
    }
    Ok(out)
}

fn read_property(draft: &mut Draft, line: &Line) -> Result<(), CalendarError> {
    match line.name.as_str() {
        "DTSTART" => draft.start = Some(date_value(line)?),
        "DTEND" => draft.end = Some(date_value(line)?),
        "DURATION" => {
            let days = day_duration(&line.value).ok_or_else(|| {
                error(
                    line.number,
                    format!("DURATION `{}` is not a number of days or weeks", line.value),
                )
            })?;
            draft.days = Some(days);
        }
        "SUMMARY" => draft.summary = unescape(&line.value),
        "CATEGORIES" => draft
            .categories
            .extend(split_list(&line.value).iter().map(|c| unescape(c))),
        "STATUS" => draft.cancelled = line.value.eq_ignore_ascii_case("CANCELLED"),
        "RRULE" | "RDATE" => {
            return Err(error(
                line.number,
                "recurring events are not supported; a holiday calendar lists each date".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// The event a draft describes; `None` for a cancelled one.
fn finish(draft: Draft) -> Result<Option<Event>, CalendarError> {
    if draft.cancelled {
        return Ok(None);
    }
    let first = draft
        .start
        .ok_or_else(|| error(draft.line, "the event has no DTSTART".into()))?;
    let span = |days: i64| {
        first
            .checked_add(jiff::Span::new().days(days))
            .map_err(|_| {
                error(
                    draft.line,
                    "the event ends beyond the supported dates".into(),
                )
            })
    };
    // DTEND is exclusive; without DTEND or DURATION an all-day event is one day.
    let end = match (draft.end, draft.days) {
        (Some(end), _) => end,
        (None, Some(days)) => span(days)?,
        (None, None) => span(1)?,
    };
    if end <= first {
        return Err(error(
            draft.line,
            format!("the event ends ({end}) no later than it starts ({first})"),
        ));
    }
    let last = end.yesterday().map_err(|_| {
        error(
            draft.line,
            "the event ends before the supported dates".into(),
        )
    })?;
    let kind = kind(&draft.summary, &draft.categories);
    // Make-up days are stored one by one; they come a day or two at a time,
    // so a long one is a mistake (or a holiday misread).
    let days = (end - first).get_days();
    if kind == Kind::Workday && days > MAX_MAKE_UP_DAYS {
        return Err(error(
            draft.line,
            format!(
                "a make-up working-day event of {days} days (at most {MAX_MAKE_UP_DAYS}); is it a holiday?"
            ),
        ));
    }
    Ok(Some(Event {
        first,
        last,
        name: draft.summary,
        kind,
    }))
}

/// Make-up working day or holiday; see [`super::Calendar::from_ical`].
fn kind(summary: &str, categories: &[String]) -> Kind {
    let said = |c: &String| {
        let upper = c.trim().to_uppercase();
        if upper == "WORKDAY" || upper.contains('班') {
            Some(Kind::Workday)
        } else if upper == "HOLIDAY" || upper.contains('休') || upper.contains('假') {
            Some(Kind::Holiday)
        } else {
            None
        }
    };
    if let Some(kind) = categories.iter().find_map(said) {
        return kind;
    }
    let lower = summary.to_lowercase();
    if summary.contains('班') || lower.contains("workday") || lower.contains("working day") {
        Kind::Workday
    } else {
        Kind::Holiday
    }
}

/// An all-day date value, `20261001`; date-times are refused because a
/// holiday list should not depend on the zone its file was written in.
fn date_value(line: &Line) -> Result<Date, CalendarError> {
    let timed = line
        .params
        .iter()
        .any(|(k, v)| k == "VALUE" && v.eq_ignore_ascii_case("DATE-TIME"));
    let v = line.value.trim();
    if timed || v.contains('T') {
        return Err(error(
            line.number,
            format!(
                "{} `{v}` is a date-time; only all-day events (VALUE=DATE) are read",
                line.name
            ),
        ));
    }
    let parsed = (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| {
            let year = v[0..4].parse().ok()?;
            let month = v[4..6].parse().ok()?;
            let day = v[6..8].parse().ok()?;
            Date::new(year, month, day).ok()
        })
        .flatten();
    parsed.ok_or_else(|| {
        error(
            line.number,
            format!("{} `{v}` is not a date (YYYYMMDD)", line.name),
        )
    })
}

/// Days in `P3D`, `P1W` or `+P2D`; nothing finer, as all-day events need.
fn day_duration(text: &str) -> Option<i64> {
    let body = text
        .trim()
        .strip_prefix('+')
        .unwrap_or(text.trim())
        .strip_prefix('P')?;
    let (number, per) = if let Some(n) = body.strip_suffix('D') {
        (n, 1)
    } else {
        (body.strip_suffix('W')?, 7)
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number
        .parse::<i64>()
        .ok()?
        .checked_mul(per)
        .filter(|d| *d <= 3660)
}

/// Logical lines with their first physical line number: a line break
/// followed by one space or tab continues the previous line (RFC 5545
/// §3.1). Unfolding works on bytes, because a fold may split a UTF-8
/// character; each logical line must be UTF-8 afterwards.
fn unfold(ics: &[u8]) -> impl Iterator<Item = Result<(usize, String), CalendarError>> + '_ {
    let ics = ics.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(ics);
    let mut physical = ics
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .peekable();
    std::iter::from_fn(move || {
        loop {
            let (number, first) = physical.next()?;
            if first.is_empty() {
                continue;
            }
            let mut bytes = first.to_vec();
            while let Some((_, next)) =
                physical.next_if(|(_, l)| l.starts_with(b" ") || l.starts_with(b"\t"))
            {
                bytes.extend_from_slice(&next[1..]);
            }
            return Some(
                String::from_utf8(bytes)
                    .map(|text| (number, text))
                    .map_err(|_| error(number, "the line is not UTF-8".into())),
            );
        }
    })
}

/// Split a content line into name, parameters and value; `:` and `;`
/// inside quoted parameter values do not count.
fn parse_line((number, text): (usize, String)) -> Result<Line, CalendarError> {
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.ok_or_else(|| error(number, format!("`{text}` is not a NAME:value line")))?;
    let (head, value) = (&text[..colon], &text[colon + 1..]);
    let mut parts = split_outside_quotes(head, ';').into_iter();
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err(error(number, format!("`{text}` has no property name")));
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_uppercase(),
                v.trim_matches('"').to_owned(),
            ),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Ok(Line {
        number,
        name,
        params,
        value: value.to_owned(),
    })
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut from) = (false, 0);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[from..i]);
            from = i + 1;
        }
    }
    parts.push(&text[from..]);
    parts
}

/// A TEXT list split on commas that are not escaped (`\,`).
fn split_list(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut escaped, mut from) = (false, 0);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                parts.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// TEXT escapes: `\\`, `\;`, `\,`, `\n`/`\N`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out.trim().to_owned()
}

fn error(line: usize, reason: String) -> CalendarError {
    CalendarError::Ical { line, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn folded_lines_are_joined_even_inside_a_utf8_character() {
        // "国庆节补班" is E5 9B BD E5 BA 86 E8 8A 82 E8 A1 A5 E7 8F AD;
        // this fold splits 庆 after its first byte.
        let mut ics = b"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:\xE5\x9B\xBD\xE5\r\n \xBA\x86\xE8\x8A\x82\xE8\xA1\xA5\xE7\x8F\xAD\r\n".to_vec();
        ics.extend_from_slice(b"END:VEVENT\r\n");
        let events = events(&ics).unwrap();
        assert_eq!(events[0].name, "国庆节补班");
        assert_eq!(events[0].kind, Kind::Workday);
    }

    #[test]
    fn a_tab_also_continues_a_line_and_plain_newlines_are_accepted() {
        let ics = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:New \n\tYear\nEND:VEVENT\n";
        let events = events(ics.as_bytes()).unwrap();
        assert_eq!(events[0].name, "New Year");
        assert_eq!(
            (events[0].first, events[0].last),
            (date("2026-01-01"), date("2026-01-01"))
        );
    }

    #[test]
    fn quoted_parameters_may_contain_colons_and_semicolons() {
        let line = parse_line((3, r#"DTSTART;X-NOTE="a:b;c";VALUE=DATE:20261001"#.into())).unwrap();
        assert_eq!(line.name, "DTSTART");
        assert_eq!(line.params[0], ("X-NOTE".into(), "a:b;c".into()));
        assert_eq!(line.value, "20261001");
    }

    #[test]
    fn text_escapes_and_category_lists_are_read() {
        assert_eq!(
            unescape(r"Fire\, Water\; Earth\\Air\nNext"),
            "Fire, Water; Earth\\Air\nNext"
        );
        assert_eq!(
            split_list(r"HOLIDAY,A\,B, WORKDAY"),
            vec!["HOLIDAY", r"A\,B", " WORKDAY"]
        );
    }

    #[test]
    fn categories_decide_before_the_summary() {
        let cats = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(kind("春节调休", &cats(&["上班"])), Kind::Workday);
        assert_eq!(kind("国庆节", &cats(&["假期"])), Kind::Holiday);
        assert_eq!(kind("Anything", &cats(&["workday"])), Kind::Workday);
        // A summary with 班 but an explicit holiday category is a holiday.
        assert_eq!(kind("值班", &cats(&["HOLIDAY"])), Kind::Holiday);
        assert_eq!(kind("[加班]", &[]), Kind::Workday);
        assert_eq!(kind("国庆节（班）", &[]), Kind::Workday);
        assert_eq!(kind("国庆节（休）", &[]), Kind::Holiday);
        assert_eq!(kind("Adjusted working day", &[]), Kind::Workday);
        assert_eq!(
            kind("National Day", &cats(&["Public holiday"])),
            Kind::Holiday
        );
    }

    #[test]
    fn dtend_is_exclusive_and_duration_counts_days() {
        let ics = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008\nEND:VEVENT\n\
                   BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nDURATION:P5D\nEND:VEVENT\n\
                   BEGIN:VEVENT\nDTSTART:20260405\nDURATION:P1W\nEND:VEVENT\n";
        let events = events(ics.as_bytes()).unwrap();
        assert_eq!(
            (events[0].first, events[0].last),
            (date("2026-10-01"), date("2026-10-07"))
        );
        assert_eq!(
            (events[1].first, events[1].last),
            (date("2026-05-01"), date("2026-05-05"))
        );
        assert_eq!(
            (events[2].first, events[2].last),
            (date("2026-04-05"), date("2026-04-11"))
        );
    }

    #[test]
    fn alarms_inside_events_and_cancelled_events_are_ignored() {
        let ics = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nSUMMARY:国庆节\n\
                   BEGIN:VALARM\nSUMMARY:上班提醒\nTRIGGER:-PT15M\nEND:VALARM\nEND:VEVENT\n\
                   BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261002\nSTATUS:CANCELLED\nEND:VEVENT\n";
        let events = events(ics.as_bytes()).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, Kind::Holiday);
    }

    #[test]
    fn timed_recurring_and_malformed_events_are_rejected_with_their_line() {
        let reject = |ics: &str| match events(ics.as_bytes()) {
            Err(CalendarError::Ical { line, reason }) => (line, reason),
            other => panic!("expected an iCalendar error, got {other:?}"),
        };
        let (line, reason) = reject("BEGIN:VEVENT\nDTSTART:20261001T090000Z\nEND:VEVENT\n");
        assert_eq!(line, 2);
        assert!(reason.contains("date-time"), "{reason}");
        let (line, reason) =
            reject("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n");
        assert_eq!(line, 3);
        assert!(reason.contains("recurring"), "{reason}");
        let (_, reason) = reject("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261301\nEND:VEVENT\n");
        assert!(reason.contains("not a date"), "{reason}");
        let (line, reason) = reject("BEGIN:VEVENT\nSUMMARY:国庆节\nEND:VEVENT\n");
        assert_eq!(line, 1);
        assert!(reason.contains("DTSTART"), "{reason}");
        let (_, reason) = reject(
            "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261008\nDTEND;VALUE=DATE:20261001\nEND:VEVENT\n",
        );
        assert!(reason.contains("no later than"), "{reason}");
        let (_, reason) =
            reject("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nEND:VEVENT\n");
        assert!(reason.contains("never closed"), "{reason}");
        let (line, _) = reject("BEGIN:VEVENT\nthis is not a property\nEND:VEVENT\n");
        assert_eq!(line, 2);
        let (_, reason) = reject(
            "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20270101\nSUMMARY:补班\nEND:VEVENT\n",
        );
        assert!(reason.contains("365 days"), "{reason}");
    }
}
