//! The `quote` action: chargeable work on top of the installation price
//! (A4 extra copper pipe).

use aftersale_sdk::Facts;
use aftersale_sdk::money::{self, Decimal};
use aftersale_sdk::prelude::*;
use serde::Serialize;

use crate::config::Config;

/// One chargeable line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub item: &'static str,
    pub rule: &'static str,
    pub quantity: Decimal,
    pub unit: &'static str,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

/// The answer of `quote`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub chargeable: bool,
    pub items: Vec<Line>,
    pub total: Decimal,
    pub rules: Vec<&'static str>,
}

/// `quote`: reads `pipe_length_m` from the ticket, or from `input`.
pub fn action(snapshot: &Snapshot, input: &Json) -> Result<ActionOutput, Rejection> {
    let config = Config::of(snapshot)?;
    let facts = Facts::with_input(&snapshot.ticket, input)?;
    Ok(ActionOutput::new(quote(&facts, &config)?))
}

/// A4: copper pipe beyond the included length is billed per metre, a started
/// metre as a whole one.
pub fn quote(facts: &Facts, config: &Config) -> Result<Quote, Rejection> {
    let Some(value) = facts.attributes.get("pipe_length_m") else {
        return Err(Rejection::new(
            "pipe-length-missing",
            "record the length of copper pipe used (pipe_length_m) to quote it",
        )
        .rule("A4")
        .details(["pipe_length_m"]));
    };
    let length = money::decimal(value)
        .filter(|l| !l.is_sign_negative())
        .ok_or_else(|| {
            Rejection::new(
                "invalid-attribute",
                format!("pipe_length_m must be a non-negative number of metres, not {value}"),
            )
            .rule("A4")
            .details(["pipe_length_m"])
        })?;
    let extra = (length - config.included_pipe_m)
        .max(Decimal::ZERO)
        .ceil()
        .normalize();
    let mut items = Vec::new();
    if extra > Decimal::ZERO {
        let unit_price = money::cents(config.pipe_price_per_m);
        items.push(Line {
            item: "extra_copper_pipe",
            rule: "A4",
            quantity: extra,
            unit: "m",
            unit_price,
            amount: money::cents(extra * unit_price),
        });
    }
    let total = money::cents(items.iter().map(|l| l.amount).sum());
    Ok(Quote {
        chargeable: total > Decimal::ZERO,
        items,
        total,
        rules: vec!["A4"],
    })
}
