//! The retail-returns plugin's configuration: DOMAIN.md's *(config)* values
//! as defaults, overridable per tenant.
//!
//! The manifest's `default_config` is this struct's `Default` serialized, so
//! the two cannot drift apart; the host deep-merges a tenant's overrides over
//! it before every call.

use std::collections::BTreeMap;

use aftersale_sdk::money::Decimal;
use aftersale_sdk::{Rejection, Snapshot};
use serde::{Deserialize, Serialize};

/// Everything a tenant can tune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// R5: depreciation per day of use, in percent of the price, by product
    /// category (decimal strings: `"0.1"` is 0.1 %/day).
    pub daily_depreciation_percent: BTreeMap<String, Decimal>,
    /// N5: days after the goods are received within which the refund is due.
    pub refund_due_days: u32,
    /// R3: the whole-unit warranty (三包有效期).
    pub warranty: WarrantyConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            daily_depreciation_percent: BTreeMap::from([
                ("colour_tv".into(), Decimal::new(1, 1)),
                ("bicycle".into(), Decimal::new(5, 2)),
            ]),
            refund_due_days: 7,
            warranty: WarrantyConfig::default(),
        }
    }
}

impl Config {
    /// The tenant's configuration, or a rejection naming what is malformed.
    pub fn of(snapshot: &Snapshot) -> Result<Config, Rejection> {
        snapshot.config.parse::<Config>()
    }
}

/// R3 warranty periods: a default and per-category overrides, in years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarrantyConfig {
    pub whole_unit_years: u32,
    pub categories: BTreeMap<String, u32>,
}

impl Default for WarrantyConfig {
    fn default() -> Self {
        WarrantyConfig {
            whole_unit_years: 1,
            categories: BTreeMap::new(),
        }
    }
}

impl WarrantyConfig {
    /// The warranty in years for `category`.
    pub fn years(&self, category: Option<&str>) -> u32 {
        category
            .and_then(|c| self.categories.get(c).copied())
            .unwrap_or(self.whole_unit_years)
    }
}
