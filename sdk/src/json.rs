//! JSON carried across the contract: ticket attributes and raw documents.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::period;
use crate::types::Rejection;

/// A JSON document kept as text until someone reads it.
///
/// Configuration, event data, timer payloads and action input arrive as JSON
/// text; most calls read only some of them, so they are parsed on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json(String);

impl Json {
    /// Wrap JSON text. The text is not checked until it is parsed.
    pub fn from_text(text: impl Into<String>) -> Self {
        Json(text.into())
    }

    /// Serialize a value.
    pub fn from_value(value: impl Serialize) -> Self {
        Json(serde_json::to_string(&value).unwrap_or_else(|_| "null".into()))
    }

    /// The JSON text.
    pub fn as_text(&self) -> &str {
        &self.0
    }

    /// The JSON text, owned.
    pub fn into_text(self) -> String {
        self.0
    }

    /// Parse into `T`; a mismatch becomes an `invalid-input` rejection naming
    /// the problem.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        serde_json::from_str(&self.0)
            .map_err(|e| Rejection::invalid_input(format!("malformed JSON document: {e}")))
    }

    /// Parse into a generic JSON value.
    pub fn value(&self) -> Result<Value, Rejection> {
        self.parse()
    }
}

impl Default for Json {
    fn default() -> Self {
        Json("null".into())
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Json(value.to_string())
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: Value = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Json::from)
    }
}

/// Merge `overrides` into `base`: objects key by key, anything else
/// replaced. This is how a tenant's configuration overrides a plugin's
/// defaults.
pub fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Object(base), Value::Object(overrides)) => {
            for (key, value) in overrides {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, overrides) => *base = overrides,
    }
}

/// A ticket's attributes: a JSON object whose schema the plugin declares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(Map<String, Value>);

impl Attributes {
    /// Parse attributes from JSON text; anything but an object is refused.
    pub fn from_text(text: &str) -> Result<Self, Rejection> {
        match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Ok(Attributes(map)),
            Ok(Value::Null) => Ok(Attributes::default()),
            Ok(_) => Err(Rejection::invalid_input("attributes must be a JSON object")),
            Err(e) => Err(Rejection::invalid_input(format!(
                "attributes are not valid JSON: {e}"
            ))),
        }
    }

    /// The attributes as JSON text.
    pub fn to_text(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    /// The raw value of `name`; `null` counts as absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// Whether `name` is present and not `null`.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The string value of `name`, if it is a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// The boolean value of `name`, if it is a boolean.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    /// Attribute `name` as a calendar date in the tenant's zone `zone`
    /// (`snapshot.time_zone`): `2026-01-10`, or an RFC 3339 instant, whose
    /// date is taken in `zone` because days are counted there (T2), not at
    /// the offset it is written with.
    ///
    /// Absent (or not a string) is `Ok(None)`; a malformed value is an
    /// `invalid-input` rejection naming the attribute.
    pub fn date(&self, name: &str, zone: &str) -> Result<Option<Date>, Rejection> {
        period::read_named(self.str(name), name, |text| {
            period::parse_local_date(text, zone)
        })
    }

    /// Attribute `name` as an instant: an RFC 3339 instant, or a bare date,
    /// which means 00:00 of that day in the tenant's zone `zone` (the
    /// earliest the event can have happened).
    ///
    /// Absent (or not a string) is `Ok(None)`; a malformed value is an
    /// `invalid-input` rejection naming the attribute.
    pub fn instant(&self, name: &str, zone: &str) -> Result<Option<Timestamp>, Rejection> {
        period::read_named(self.str(name), name, |text| {
            period::parse_moment(text, zone)
        })
    }

    /// Deserialize attribute `name` into `T`. Absent is `Ok(None)`; a value of
    /// the wrong shape is an `invalid-attribute` rejection naming it.
    pub fn parse<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Rejection> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => T::deserialize(value).map(Some).map_err(|e| {
                Rejection::new(
                    "invalid-attribute",
                    format!("attribute `{name}` has the wrong shape: {e}"),
                )
                .details([name])
            }),
        }
    }

    /// Deserialize all attributes into one typed struct.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        T::deserialize(Value::Object(self.0.clone())).map_err(|e| {
            Rejection::new(
                "invalid-attribute",
                format!("attributes have the wrong shape: {e}"),
            )
        })
    }

    /// Set attribute `name` (builder style, for tests and follow-up tickets).
    pub fn with(mut self, name: &str, value: impl Serialize) -> Self {
        self.insert(name, value);
        self
    }

    /// Set attribute `name`.
    pub fn insert(&mut self, name: &str, value: impl Serialize) {
        self.0.insert(
            name.to_string(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
    }

    /// Iterate over the attributes.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// The underlying JSON object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl From<Map<String, Value>> for Attributes {
    fn from(map: Map<String, Value>) -> Self {
        Attributes(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_and_instants_are_read_in_the_tenant_zone() {
        let attributes = Attributes::default()
            .with("sold_at", "2026-01-10")
            .with("reported_at", "2026-01-17T23:30:00+08:00")
            .with("count", 3);
        let date = |text: &str| text.parse::<Date>().unwrap();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            attributes.date("reported_at", "Asia/Shanghai"),
            Ok(Some(date("2026-01-17")))
        );
        assert_eq!(
            attributes.date("reported_at", "Asia/Tokyo"),
            Ok(Some(date("2026-01-18")))
        );
        assert_eq!(
            attributes.instant("sold_at", "Asia/Shanghai"),
            Ok(Some(at("2026-01-10T00:00:00+08:00")))
        );
        assert_eq!(
            attributes.instant("reported_at", "Asia/Tokyo"),
            Ok(Some(at("2026-01-17T23:30:00+08:00")))
        );
        assert_eq!(attributes.date("delivered_at", "Asia/Shanghai"), Ok(None));
        assert_eq!(attributes.instant("count", "Asia/Shanghai"), Ok(None));
    }

    #[test]
    fn a_malformed_date_names_the_attribute() {
        let attributes = Attributes::default().with("sold_at", "last week");
        for rejection in [
            attributes.date("sold_at", "Asia/Shanghai").unwrap_err(),
            attributes.instant("sold_at", "Asia/Shanghai").unwrap_err(),
        ] {
            assert_eq!(rejection.code, "invalid-input");
            assert!(rejection.message.starts_with("`sold_at`: "), "{rejection}");
            assert_eq!(rejection.details, ["sold_at"]);
        }
    }

    #[test]
    fn merge_replaces_leaves_and_keeps_siblings() {
        let mut base = json!({"arrival_hours": {"city": 24, "county": 48}, "followup_days": 3});
        merge(&mut base, json!({"arrival_hours": {"city": 12}}));
        assert_eq!(
            base,
            json!({"arrival_hours": {"city": 12, "county": 48}, "followup_days": 3})
        );
    }
}
