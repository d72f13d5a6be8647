//! The appliance plugin's configuration: DOMAIN.md's *(config)* values as
//! defaults, overridable per tenant.
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
    /// A6: hours from creation within which a technician must be on site.
    pub arrival_hours: ArrivalHours,
    /// A5: days after acceptance (or a finished repair) until the follow-up
    /// call (回访) is due.
    pub follow_up_days: u32,
    /// A4: metres of copper pipe included in the installation price.
    pub included_pipe_m: Decimal,
    /// A4: price of each extra metre, a decimal amount.
    pub pipe_price_per_m: Decimal,
    /// A2: the follow-up ticket a failed unboxing check opens, unless the
    /// ticket's `unboxing_remedy` says otherwise.
    pub unboxing_failure_remedy: UnboxingRemedy,
    /// Parts a diagnosis needs that the service point lacks: refuse the
    /// diagnosis or back-order them. The host reads it (`part_shortage`).
    pub part_shortage: PartShortage,
    /// A3: the split air-conditioner commissioning checklist.
    pub split_ac_checklist: SplitAcChecklist,
    /// W1: warranty periods per product category.
    pub warranty: WarrantyConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            arrival_hours: ArrivalHours::default(),
            follow_up_days: 3,
            included_pipe_m: Decimal::from(3),
            pipe_price_per_m: Decimal::new(6000, 2),
            unboxing_failure_remedy: UnboxingRemedy::Exchange,
            part_shortage: PartShortage::BackOrder,
            split_ac_checklist: SplitAcChecklist::default(),
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

/// A6 on-site arrival targets in hours, by the customer's region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrivalHours {
    pub city: u32,
    pub county: u32,
    pub rural: u32,
}

impl Default for ArrivalHours {
    fn default() -> Self {
        ArrivalHours {
            city: 24,
            county: 48,
            rural: 72,
        }
    }
}

/// Which retail ticket a failed unboxing check opens (A2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnboxingRemedy {
    Return,
    Exchange,
}

impl UnboxingRemedy {
    /// The retail-returns ticket kind of this remedy.
    pub fn kind(self) -> &'static str {
        match self {
            UnboxingRemedy::Return => "return",
            UnboxingRemedy::Exchange => "exchange",
        }
    }
}

/// What the host does with a part reservation the stock cannot cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartShortage {
    Refuse,
    BackOrder,
}

/// A3 thresholds of the split air-conditioner checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SplitAcChecklist {
    /// Product categories that are split air conditioners.
    pub categories: Vec<String>,
    /// The vacuum reading must reach this (mmHg) or lower.
    pub vacuum_max_mmhg: i64,
    /// … and hold for at least this many minutes with no rise.
    pub vacuum_hold_minutes: u32,
    pub trial_run_min_minutes: u32,
    pub min_anchor_bolts: u32,
    pub max_exposed_pipe_cm: u32,
}

impl Default for SplitAcChecklist {
    fn default() -> Self {
        SplitAcChecklist {
            categories: vec!["air_conditioner".into()],
            vacuum_max_mmhg: -755,
            vacuum_hold_minutes: 15,
            trial_run_min_minutes: 30,
            min_anchor_bolts: 4,
            max_exposed_pipe_cm: 20,
        }
    }
}

/// W1 warranty (三包) periods: a default for every category and per-category
/// overrides with the category's main parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarrantyConfig {
    pub whole_unit_years: u32,
    pub main_parts_years: u32,
    pub categories: BTreeMap<String, CategoryWarranty>,
}

impl Default for WarrantyConfig {
    fn default() -> Self {
        let main_parts = |parts: &[&str]| CategoryWarranty {
            whole_unit_years: None,
            main_parts_years: None,
            main_parts: parts.iter().map(|p| p.to_string()).collect(),
        };
        WarrantyConfig {
            whole_unit_years: 1,
            main_parts_years: 3,
            categories: BTreeMap::from([
                ("air_conditioner".into(), main_parts(&["compressor"])),
                ("refrigerator".into(), main_parts(&["compressor"])),
                ("washing_machine".into(), main_parts(&["motor"])),
                ("colour_tv".into(), main_parts(&["panel"])),
            ]),
        }
    }
}

/// One category's periods; an absent period falls back to the default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoryWarranty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole_unit_years: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_parts_years: Option<u32>,
    pub main_parts: Vec<String>,
}

/// The periods that apply to one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods<'a> {
    pub whole_unit_years: u32,
    pub main_parts_years: u32,
    pub main_parts: &'a [String],
}

impl WarrantyConfig {
    /// The periods for `category`; unknown categories get the defaults and no
    /// main parts.
    pub fn periods(&self, category: Option<&str>) -> Periods<'_> {
        let specific = category.and_then(|c| self.categories.get(c));
        Periods {
            whole_unit_years: specific
                .and_then(|c| c.whole_unit_years)
                .unwrap_or(self.whole_unit_years),
            main_parts_years: specific
                .and_then(|c| c.main_parts_years)
                .unwrap_or(self.main_parts_years),
            main_parts: specific.map(|c| c.main_parts.as_slice()).unwrap_or(&[]),
        }
    }
}
