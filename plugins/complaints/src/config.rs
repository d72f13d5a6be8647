//! The complaints configuration: the deadlines DOMAIN leaves to the tenant,
//! typed, with the defaults a tenant starts from.

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{self, Value};
use serde::{Deserialize, Serialize};

/// How many business minutes one business day has, to turn a deadline in
/// business days into the minutes of business time an SLA target declares.
/// The host's business calendar defaults to an eight-hour working day.
pub const BUSINESS_DAY_MINUTES: u32 = 8 * 60;

/// The plugin's configuration: the manifest's defaults with the tenant's
/// overrides merged in by the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// C1: business days after the day of receipt by which a complaint is
    /// acknowledged; `0` means by the end of the day of receipt.
    pub acknowledge_business_days: u32,
    /// C2: business days after the day of receipt by which the complainant
    /// has a decision (the complaint is `responded`).
    pub decision_business_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            acknowledge_business_days: 1,
            decision_business_days: 7,
        }
    }
}

impl Config {
    /// The tenant's configuration from the snapshot.
    pub fn read(snapshot: &Snapshot) -> Result<Config, Rejection> {
        Ok(snapshot
            .config
            .parse::<Option<Config>>()
            .map_err(|r| {
                Rejection::new(
                    "invalid-config",
                    format!("the complaints configuration is malformed: {}", r.message),
                )
            })?
            .unwrap_or_default())
    }
}

/// The configuration a tenant starts with: [`Config::default`] as JSON.
pub fn default_config() -> Value {
    serde_json::to_value(Config::default()).expect("the default configuration serializes")
}

/// JSON Schema of the configuration; the host checks tenant overrides
/// against it, so a typo in a key is refused rather than ignored.
pub fn config_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "acknowledge_business_days": {"type": "integer", "minimum": 0, "maximum": 365},
            "decision_business_days": {"type": "integer", "minimum": 1, "maximum": 365}
        }
    })
}
