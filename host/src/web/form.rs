//! Attribute forms generated from a plugin's JSON Schema, and the
//! attributes a submitted form changes.
//!
//! Top-level properties become controls: an `enum` a select, a boolean a
//! yes/no select, a number a number input, a `date-time` string a local
//! date and time in the tenant's zone, an object of booleans a group of
//! yes/no selects, an open object (a checklist) a `name = value` text area,
//! an array of an `enum` a group of check boxes. Properties the schema
//! describes as "set by the plugin" are shown, not edited. A blank control
//! leaves its attribute as it is.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use serde_json::{Map, Number, Value};

use super::i18n::Catalog;
use super::session::Fields;

/// How a property is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    Text,
    DateTime,
    Number {
        integer: bool,
    },
    Bool,
    Enum(Vec<String>),
    /// An object whose properties are all booleans.
    Flags(Vec<String>),
    /// An object with free keys: `name = value` lines.
    Pairs,
    /// An array of enum values.
    Multi(Vec<String>),
    /// Anything else, as JSON.
    Json,
}

/// One property of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub widget: Widget,
    pub description: Option<String>,
    pub read_only: bool,
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect()
    })
}

fn widget(schema: &Value) -> Widget {
    if let Some(options) = schema.get("enum").and_then(strings) {
        return Widget::Enum(options);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            Widget::DateTime
        }
        Some("string") => Widget::Text,
        Some("integer") => Widget::Number { integer: true },
        Some("number") => Widget::Number { integer: false },
        Some("boolean") => Widget::Bool,
        Some("object") => match schema.get("properties").and_then(Value::as_object) {
            Some(props)
                if !props.is_empty()
                    && props
                        .values()
                        .all(|p| p.get("type").and_then(Value::as_str) == Some("boolean")) =>
            {
                Widget::Flags(props.keys().cloned().collect())
            }
            _ if schema
                .get("additionalProperties")
                .is_some_and(|a| a.is_object()) =>
            {
                Widget::Pairs
            }
            _ => Widget::Json,
        },
        Some("array") => match schema
            .get("items")
            .and_then(|i| i.get("enum"))
            .and_then(strings)
        {
            Some(options) => Widget::Multi(options),
            None => Widget::Json,
        },
        _ => Widget::Json,
    }
}

/// The properties of an attributes schema, in the schema's order.
pub fn fields(schema: &Value) -> Vec<Field> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, prop)| {
            let description = prop
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            Field {
                name: name.clone(),
                widget: widget(prop),
                read_only: description
                    .as_deref()
                    .is_some_and(|d| d.contains("set by the plugin")),
                description,
            }
        })
        .collect()
}

/// A property name as a label: `appointment_at` → `appointment at`.
pub fn label(name: &str) -> String {
    name.replace('_', " ")
}

/// A value as people read it.
pub fn show(value: &Value, tz: &TimeZone) -> String {
    match value {
        Value::String(s) => match s.parse::<Timestamp>() {
            Ok(at) if s.contains('T') => at
                .to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            _ => s.clone(),
        },
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

fn local_input(value: Option<&Value>, tz: &TimeZone) -> String {
    value
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(|at| {
            at.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn scalar_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn pairs_text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k} = {}", scalar_text(Some(v))))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn input_name(field: &str) -> String {
    format!("a.{field}")
}

/// The editable controls, showing what was submitted (after a refusal) or
/// else the current attributes.
pub fn controls(
    tr: &Catalog,
    tz: &TimeZone,
    fields: &[Field],
    current: &Map<String, Value>,
    submitted: Option<&Fields>,
) -> Markup {
    let sent = |name: &str| submitted.and_then(|f| f.get(name)).map(str::to_string);
    html! {
        @for field in fields.iter().filter(|f| !f.read_only) {
            @let id = format!("a-{}", field.name);
            @let name = input_name(&field.name);
            @let hint_id = format!("{id}-hint");
            @let hint = field.description.as_ref().map(|_| hint_id.clone());
            @let value = current.get(&field.name);
            div.field {
                @match &field.widget {
                    Widget::Flags(items) => {
                        fieldset aria-describedby=[hint.clone()] {
                            legend { (label(&field.name)) }
                            @for item in items {
                                @let item_name = format!("{name}.{item}");
                                @let item_id = format!("{id}-{item}");
                                @let now = sent(&item_name).unwrap_or_else(|| scalar_text(value.and_then(|v| v.get(item))));
                                div.inline {
                                    label for=(item_id) { (label(item)) }
                                    (bool_select(tr, &item_id, &item_name, &now))
                                }
                            }
                        }
                    }
                    Widget::Multi(options) => {
                        fieldset aria-describedby=[hint.clone()] {
                            legend { (label(&field.name)) }
                            input type="hidden" name=(format!("{name}.present")) value="1";
                            @for option in options {
                                @let option_id = format!("{id}-{option}");
                                @let checked = match submitted {
                                    Some(f) => f.all(&name).any(|v| v == option),
                                    None => value.and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some(option))),
                                };
                                div.inline {
                                    input #(option_id) type="checkbox" name=(name) value=(option) checked[checked];
                                    label for=(option_id) { (label(option)) }
                                }
                            }
                        }
                    }
                    _ => {
                        label for=(id) { (label(&field.name)) }
                        @match &field.widget {
                            Widget::Enum(options) => {
                                @let now = sent(&name).unwrap_or_else(|| scalar_text(value));
                                select #(id) name=(name) aria-describedby=[hint.clone()] {
                                    option value="" { "—" }
                                    @for option in options { option value=(option) selected[*option == now] { (option) } }
                                }
                            }
                            Widget::Bool => {
                                @let now = sent(&name).unwrap_or_else(|| scalar_text(value));
                                (bool_select(tr, &id, &name, &now))
                            }
                            Widget::DateTime => {
                                input #(id) type="datetime-local" name=(name) aria-describedby=[hint.clone()]
                                    value=(sent(&name).unwrap_or_else(|| local_input(value, tz)));
                            }
                            Widget::Number { integer } => {
                                input #(id) type="number" step=(if *integer { "1" } else { "any" }) name=(name)
                                    aria-describedby=[hint.clone()] value=(sent(&name).unwrap_or_else(|| scalar_text(value)));
                            }
                            Widget::Pairs => {
                                textarea #(id) name=(name) rows="6" aria-describedby=(hint_id) {
                                    (sent(&name).unwrap_or_else(|| pairs_text(value)))
                                }
                            }
                            Widget::Json => {
                                input #(id) type="text" name=(name) aria-describedby=[hint.clone()]
                                    value=(sent(&name).unwrap_or_else(|| value.map(|v| v.to_string()).unwrap_or_default()));
                            }
                            _ => {
                                input #(id) type="text" name=(name) aria-describedby=[hint.clone()]
                                    value=(sent(&name).unwrap_or_else(|| scalar_text(value)));
                            }
                        }
                    }
                }
                @if field.widget == Widget::Pairs {
                    small #(hint_id) { (field.description.clone().unwrap_or_default()) " — " (tr.t("form-pairs-hint")) }
                } @else if let Some(d) = &field.description {
                    small #(hint_id) { (d) }
                }
            }
        }
    }
}

fn bool_select(tr: &Catalog, id: &str, name: &str, now: &str) -> Markup {
    html! {
        select id=(id) name=(name) {
            option value="" { "—" }
            option value="true" selected[now == "true"] { (tr.t("yes")) }
            option value="false" selected[now == "false"] { (tr.t("no")) }
        }
    }
}

/// The read-only attributes that have a value.
pub fn read_only(
    tz: &TimeZone,
    fields: &[Field],
    current: &Map<String, Value>,
) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|f| f.read_only)
        .filter_map(|f| current.get(&f.name).map(|v| (label(&f.name), show(v, tz))))
        .collect()
}

/// A loose value typed in a checklist line or a JSON field.
fn loose(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match text.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => Value::String(text.to_string()),
            },
        },
    }
}

fn same_instant(a: &Value, b: &str) -> bool {
    match (
        a.as_str().and_then(|s| s.parse::<Timestamp>().ok()),
        b.parse::<Timestamp>().ok(),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The attributes a form changes, or the first field it cannot read.
pub fn collect(
    fields: &[Field],
    form: &Fields,
    current: &Map<String, Value>,
    tz: &TimeZone,
) -> Result<Map<String, Value>, String> {
    let mut changed = Map::new();
    for field in fields.iter().filter(|f| !f.read_only) {
        let name = input_name(&field.name);
        let before = current.get(&field.name);
        let after: Option<Value> = match &field.widget {
            Widget::Flags(items) => {
                let mut object = before
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for item in items {
                    match form.text(&format!("{name}.{item}")).as_deref() {
                        Some("true") => {
                            object.insert(item.clone(), Value::Bool(true));
                        }
                        Some("false") => {
                            object.insert(item.clone(), Value::Bool(false));
                        }
                        _ => {}
                    }
                }
                (!object.is_empty()).then_some(Value::Object(object))
            }
            Widget::Multi(_) => form.get(&format!("{name}.present")).and_then(|_| {
                let chosen: Vec<Value> = form.all(&name).map(Value::from).collect();
                (!(chosen.is_empty() && before.is_none())).then_some(Value::Array(chosen))
            }),
            Widget::Pairs => match form.text(&name) {
                None => None,
                Some(text) => {
                    let mut object = Map::new();
                    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                        let (k, v) = line
                            .split_once('=')
                            .or_else(|| line.split_once(':'))
                            .ok_or_else(|| label(&field.name))?;
                        object.insert(k.trim().to_string(), loose(v.trim()));
                    }
                    Some(Value::Object(object))
                }
            },
            Widget::DateTime => match form.text(&name) {
                None => None,
                Some(text) => {
                    let at = text
                        .parse::<jiff::civil::DateTime>()
                        .ok()
                        .and_then(|dt| dt.to_zoned_datetime(tz.clone()).ok())
                        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
                        .or_else(|| text.parse::<Timestamp>().ok().map(|_| text.clone()))
                        .ok_or_else(|| label(&field.name))?;
                    if before.is_some_and(|b| same_instant(b, &at)) {
                        None
                    } else {
                        Some(Value::String(at))
                    }
                }
            },
            Widget::Number { integer } => match form.text(&name) {
                None => None,
                Some(text) if *integer => Some(Value::from(
                    text.parse::<i64>().map_err(|_| label(&field.name))?,
                )),
                Some(text) => {
                    let n = text
                        .parse::<f64>()
                        .ok()
                        .and_then(Number::from_f64)
                        .ok_or_else(|| label(&field.name))?;
                    // 3 and 3.0 are the same amount.
                    if before.and_then(Value::as_f64) == n.as_f64() {
                        None
                    } else {
                        Some(Value::Number(n))
                    }
                }
            },
            Widget::Bool => form.text(&name).map(|t| Value::Bool(t == "true")),
            Widget::Json => form
                .text(&name)
                .map(|t| serde_json::from_str(&t).unwrap_or_else(|_| loose(&t))),
            Widget::Text | Widget::Enum(_) => form.text(&name).map(Value::String),
        };
        if let Some(after) = after
            && before != Some(&after)
        {
            changed.insert(field.name.clone(), after);
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "region": {"enum": ["city", "county"]},
            "appointment_at": {"type": "string", "format": "date-time"},
            "technician": {"type": "string"},
            "on_site_due": {"type": "string", "description": "A6 target, set by the plugin"},
            "unboxing": {"type": "object", "properties": {"undamaged": {"type": "boolean"}}},
            "checklist": {"type": "object", "additionalProperties": {"type": ["number", "boolean"]}},
            "pipe_length_m": {"type": "number"},
            "exclusions": {"type": "array", "items": {"enum": ["improper_use", "force_majeure"]}}
        }})
    }

    fn form(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_schema_picks_each_control() {
        let f = fields(&schema());
        let w = |n: &str| f.iter().find(|x| x.name == n).map(|x| x.widget.clone());
        assert_eq!(
            w("region"),
            Some(Widget::Enum(vec!["city".into(), "county".into()]))
        );
        assert_eq!(w("appointment_at"), Some(Widget::DateTime));
        assert_eq!(w("unboxing"), Some(Widget::Flags(vec!["undamaged".into()])));
        assert_eq!(w("checklist"), Some(Widget::Pairs));
        assert_eq!(
            w("exclusions"),
            Some(Widget::Multi(vec![
                "improper_use".into(),
                "force_majeure".into()
            ]))
        );
        assert!(
            f.iter()
                .find(|x| x.name == "on_site_due")
                .is_some_and(|x| x.read_only)
        );
    }

    #[test]
    fn a_form_changes_only_what_it_sets() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let current: Map<String, Value> = json!({"region": "city", "technician": "tech-7"})
            .as_object()
            .cloned()
            .unwrap();
        let sent = form(&[
            ("a.region", "city"),
            ("a.technician", ""),
            ("a.appointment_at", "2026-01-12T09:00"),
            ("a.unboxing.undamaged", "true"),
            (
                "a.checklist",
                "vacuum_mmhg = -756\nleak_test = true\nnote = ok",
            ),
            ("a.exclusions.present", "1"),
            ("a.on_site_due", "2030-01-01T00:00:00Z"),
        ]);
        let changed = collect(&fields(&schema()), &sent, &current, &tz).unwrap();
        assert_eq!(
            Value::Object(changed),
            json!({
                "appointment_at": "2026-01-12T09:00:00+08:00",
                "unboxing": {"undamaged": true},
                "checklist": {"vacuum_mmhg": -756, "leak_test": true, "note": "ok"}
            })
        );
    }

    #[test]
    fn an_unreadable_number_names_its_field() {
        let tz = TimeZone::UTC;
        let sent = form(&[("a.pipe_length_m", "three")]);
        assert_eq!(
            collect(&fields(&schema()), &sent, &Map::new(), &tz),
            Err("pipe length m".to_string())
        );
    }
}
