//! The `assess` action: which remedies the customer may have, the refund,
//! and the rules that decided — the one verdict the approval guard checks
//! the customer's wish against.

use aftersale_sdk::Facts;
use aftersale_sdk::money::Decimal;
use aftersale_sdk::prelude::*;
use serde::Serialize;

use crate::claim::{Case, Reason, Remedy};
use crate::config::Config;
use crate::{no_reason, quality};

/// Who pays to send the goods back (N5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    Customer,
    Seller,
}

impl Payer {
    pub fn name(self) -> &'static str {
        match self {
            Payer::Customer => "customer",
            Payer::Seller => "seller",
        }
    }
}

/// The answer of `assess`. DESIGN.md fixes `allowed`, `refund`, `rules` and
/// `reason`; the rest explains them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub allowed: Vec<Remedy>,
    /// What a return or refund pays back, e.g. `"2736.00"`; `null` when
    /// neither is allowed or the amount cannot be computed (see `details`).
    pub refund: Option<Decimal>,
    pub rules: Vec<&'static str>,
    pub reason: String,
    /// R5: days of use charged as depreciation.
    pub days_used: Option<i64>,
    /// N5: who pays the return shipping.
    pub return_shipping_paid_by: Payer,
    /// Every finding: each reason a remedy is refused, each missing fact.
    pub details: Vec<String>,
}

impl Assessment {
    /// A verdict allowing `allowed` on the authority of `rules`.
    pub fn allowing(allowed: Vec<Remedy>, rules: Vec<&'static str>, reason: String) -> Self {
        Assessment {
            allowed,
            refund: None,
            rules,
            reason,
            days_used: None,
            return_shipping_paid_by: Payer::Seller,
            details: Vec::new(),
        }
    }

    /// A verdict allowing nothing, with every finding that refused it.
    pub fn refusing(rules: Vec<&'static str>, reason: String, details: Vec<String>) -> Self {
        Assessment {
            details,
            ..Assessment::allowing(Vec::new(), rules, reason)
        }
    }

    /// Whether the customer may have `wish`; a return and a refund are the
    /// same wish (goods back for the money), whichever rule names it.
    pub fn allows(&self, wish: Remedy) -> bool {
        self.allowed
            .iter()
            .any(|r| *r == wish || (r.pays_back() && wish.pays_back()))
    }

    /// The rule that decided first, for a rejection.
    pub fn deciding_rule(&self) -> &'static str {
        self.rules.first().copied().unwrap_or("R1")
    }

    pub fn allowed_names(&self) -> String {
        if self.allowed.is_empty() {
            return "nothing".into();
        }
        let names: Vec<_> = self.allowed.iter().map(|r| r.name()).collect();
        names.join(", ")
    }
}

/// `assess` for the ticket, with `input` laid over its attributes.
pub fn action(snapshot: &Snapshot, input: &Json) -> Result<ActionOutput, Rejection> {
    let config = Config::of(snapshot)?;
    let facts = Facts::with_input(&snapshot.ticket, input)?;
    Ok(ActionOutput::new(assess(snapshot, &facts, &config)?))
}

/// The verdict on a claim.
pub fn assess(
    snapshot: &Snapshot,
    facts: &Facts,
    config: &Config,
) -> Result<Assessment, Rejection> {
    let case = Case::new(snapshot, facts)?;
    let mut assessment = match case.reason() {
        Reason::NoReason => no_reason::assess(&case)?,
        Reason::QualityFault => quality::assess(&case, config)?,
    };
    assessment.return_shipping_paid_by = shipping_payer(&case);
    Ok(assessment)
}

/// N5: the customer pays the return shipping of a return without a reason,
/// the seller that of a quality return (CPL Art. 24), unless they agreed
/// otherwise.
fn shipping_payer(case: &Case) -> Payer {
    match case.facts.attributes.str("return_shipping_agreed_payer") {
        Some("customer") => Payer::Customer,
        Some("seller") => Payer::Seller,
        _ => match case.reason() {
            Reason::NoReason => Payer::Customer,
            Reason::QualityFault => Payer::Seller,
        },
    }
}
