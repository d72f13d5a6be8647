//! The it-support configuration: the numbers DOMAIN marks *(config)*, typed,
//! with the industry defaults a tenant starts from.

use std::collections::BTreeMap;

use aftersale_sdk::Violations;
use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::{self, Value};
use serde::{Deserialize, Serialize};

/// How many business minutes one business day has, to turn a target in
/// business days into the minutes of business time an SLA target declares.
/// The host's business calendar defaults to an eight-hour working day.
pub const BUSINESS_DAY_MINUTES: u32 = 8 * 60;

/// The plugin's configuration: the manifest's defaults with the tenant's
/// overrides merged in by the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// I2: targets per priority. A priority without an entry (P5 by
    /// default, planned work) has none.
    pub targets: BTreeMap<Priority, Target>,
    /// A resolved ticket closes itself after this many business days unless
    /// it is reopened; `0` turns auto-close off.
    pub auto_close_business_days: u32,
    /// I5: minutes between two stakeholder updates of an open major incident.
    pub stakeholder_update_minutes: u32,
    /// I3: who hears about an SLA clock at which share of its target.
    pub escalation_percent: EscalationPercent,
    /// I3: the highest support tier a breach can escalate to.
    pub max_tier: u8,
}

/// The I2 targets of one priority. The resolution target is in calendar
/// minutes or in business days, never both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Target {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_business_days: Option<u32>,
}

/// A resolution target, in whichever unit the tenant gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Minutes(u32),
    BusinessDays(u32),
}

impl Target {
    fn new(response_minutes: u32, resolution: Resolution) -> Self {
        let (resolution_minutes, resolution_business_days) = match resolution {
            Resolution::Minutes(m) => (Some(m), None),
            Resolution::BusinessDays(d) => (None, Some(d)),
        };
        Target {
            response_minutes: Some(response_minutes),
            resolution_minutes,
            resolution_business_days,
        }
    }

    /// The resolution target. [`Config::read`] has refused a target that
    /// gives both units, so minutes win here only for a hand-built value.
    pub fn resolution(&self) -> Option<Resolution> {
        match (self.resolution_minutes, self.resolution_business_days) {
            (Some(minutes), _) => Some(Resolution::Minutes(minutes)),
            (None, Some(days)) => Some(Resolution::BusinessDays(days)),
            (None, None) => None,
        }
    }
}

/// I3 thresholds in percent of a target: from `assignee` the assignee is
/// told, from `group_lead` the group lead, from `breach` the manager, and
/// the ticket moves up a tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EscalationPercent {
    pub assignee: u32,
    pub group_lead: u32,
    pub breach: u32,
}

impl Default for EscalationPercent {
    fn default() -> Self {
        EscalationPercent {
            assignee: 50,
            group_lead: 75,
            breach: 100,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let targets = BTreeMap::from([
            (Priority::P1, Target::new(15, Resolution::Minutes(4 * 60))),
            (Priority::P2, Target::new(30, Resolution::Minutes(8 * 60))),
            (
                Priority::P3,
                Target::new(4 * 60, Resolution::Minutes(24 * 60)),
            ),
            (
                Priority::P4,
                Target::new(8 * 60, Resolution::BusinessDays(5)),
            ),
        ]);
        Config {
            targets,
            auto_close_business_days: 3,
            stakeholder_update_minutes: 30,
            escalation_percent: EscalationPercent::default(),
            max_tier: 3,
        }
    }
}

impl Config {
    /// The tenant's configuration from the snapshot, checked.
    pub fn read(snapshot: &Snapshot) -> Result<Config, Rejection> {
        let config = snapshot
            .config
            .parse::<Option<Config>>()
            .map_err(|r| {
                Rejection::new(
                    "invalid-config",
                    format!("the it-support configuration is malformed: {}", r.message),
                )
            })?
            .unwrap_or_default();
        config.check()?;
        Ok(config)
    }

    /// The configuration for hooks that cannot reject (`on-timer`): a broken
    /// one is logged and the defaults stand in, so timers keep working.
    pub fn read_or_default(snapshot: &Snapshot) -> Config {
        Config::read(snapshot).unwrap_or_else(|rejection| {
            aftersale_sdk::log::warn(&format!("{rejection}; using the default configuration"));
            Config::default()
        })
    }

    /// The targets of `priority`, if it has any.
    pub fn target(&self, priority: Priority) -> Option<&Target> {
        self.targets.get(&priority)
    }

    fn check(&self) -> Result<(), Rejection> {
        let mut problems = Violations::default();
        for (priority, target) in &self.targets {
            if target.resolution_minutes.is_some() && target.resolution_business_days.is_some() {
                problems.add(
                    "I2",
                    "invalid-config",
                    "the it-support configuration is inconsistent",
                    format!(
                        "targets.{priority:?}: give resolution_minutes or \
                         resolution_business_days, not both (set the other to null)"
                    ),
                );
            }
        }
        if self.max_tier == 0 {
            problems.add(
                "I3",
                "invalid-config",
                "the it-support configuration is inconsistent",
                "max_tier: tiers start at 1",
            );
        }
        if self.stakeholder_update_minutes == 0 {
            problems.add(
                "I5",
                "invalid-config",
                "the it-support configuration is inconsistent",
                "stakeholder_update_minutes: must be at least 1",
            );
        }
        problems.into_result()
    }
}

/// The configuration a tenant starts with: [`Config::default`] as JSON.
pub fn default_config() -> Value {
    serde_json::to_value(Config::default()).expect("the default configuration serializes")
}

/// JSON Schema of the configuration; the host checks tenant overrides
/// against it, so a typo in a key is refused rather than ignored.
pub fn config_schema() -> Value {
    let minutes = json!({"type": ["integer", "null"], "minimum": 1});
    let percent = json!({"type": "integer", "minimum": 1});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "targets": {
                "type": "object",
                "propertyNames": {"enum": ["P1", "P2", "P3", "P4", "P5"]},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "response_minutes": minutes,
                        "resolution_minutes": minutes,
                        "resolution_business_days": minutes
                    },
                    // Both units at once would leave the target ambiguous.
                    "not": {
                        "required": ["resolution_minutes", "resolution_business_days"],
                        "properties": {
                            "resolution_minutes": {"type": "integer"},
                            "resolution_business_days": {"type": "integer"}
                        }
                    }
                }
            },
            "auto_close_business_days": {"type": "integer", "minimum": 0},
            "stakeholder_update_minutes": {"type": "integer", "minimum": 1},
            "escalation_percent": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "assignee": percent,
                    "group_lead": percent,
                    "breach": percent
                }
            },
            "max_tier": {"type": "integer", "minimum": 1, "maximum": 255}
        }
    })
}
