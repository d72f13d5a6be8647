//! What the customer claims and what is known about the sale: the typed view
//! of a ticket's attributes and product that the remedies are decided on.

use aftersale_sdk::{Facts, Rejection, Snapshot, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Why the goods come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// CPL Art. 25: a distance sale returned without a reason (N1–N5).
    NoReason,
    /// 三包 quality fault (R1–R7).
    QualityFault,
}

/// What the customer can be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    Return,
    Exchange,
    Repair,
    Refund,
    ChargeableRepair,
}

impl Remedy {
    pub fn name(self) -> &'static str {
        match self {
            Remedy::Return => "return",
            Remedy::Exchange => "exchange",
            Remedy::Repair => "repair",
            Remedy::Refund => "refund",
            Remedy::ChargeableRepair => "chargeable_repair",
        }
    }

    /// A return and a refund both take the goods back for the money.
    pub fn pays_back(self) -> bool {
        matches!(self, Remedy::Return | Remedy::Refund)
    }
}

/// The ticket's attributes that the rules read (DESIGN.md names them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Claim {
    pub sale_channel: Option<String>,
    pub sold_at: Option<String>,
    pub delivered_at: Option<String>,
    pub reason: Option<Reason>,
    pub reported_at: Option<String>,
    pub goods_class: Option<String>,
    pub confirmed_non_returnable: Option<bool>,
    /// N3: the "not returnable" box was ticked by default, not by the
    /// customer.
    pub non_returnable_pre_ticked: Option<bool>,
    pub intact: Option<bool>,
    /// N4: what was found on the returned goods.
    pub condition_issues: Vec<String>,
    pub main_function_repairs: u32,
    pub days_in_repair: u32,
    pub same_model_available: Option<bool>,
    pub accepts_other_model: Option<bool>,
    pub customer_wants: Option<Remedy>,
    pub return_date: Option<String>,
    pub exclusions: Vec<String>,
    /// R6: a previous exchange restarted the warranty on this date.
    pub exchanged_at: Option<String>,
}

/// A claim with the sale's product, in the tenant's time zone.
pub struct Case<'a> {
    pub snapshot: &'a Snapshot,
    pub facts: &'a Facts,
    pub claim: Claim,
}

impl<'a> Case<'a> {
    pub fn new(snapshot: &'a Snapshot, facts: &'a Facts) -> Result<Case<'a>, Rejection> {
        Ok(Case {
            snapshot,
            facts,
            claim: facts.attributes.typed()?,
        })
    }

    pub fn zone(&self) -> &str {
        &self.snapshot.time_zone
    }

    /// W6 through R3: the unit's main-function repairs — its resolved
    /// repair tickets of a main-function failure on record (contract
    /// 1.2.0), or the count the desk typed, whichever is more.
    pub fn main_function_repairs(&self) -> u32 {
        let on_record = self
            .snapshot
            .resolved_earlier("repair")
            .filter(|prior| prior.attributes.bool("main_function_failure") == Some(true))
            .count();
        self.claim
            .main_function_repairs
            .max(u32::try_from(on_record).unwrap_or(u32::MAX))
    }

    /// No reason stated is a return without a reason: a fault has to be
    /// claimed to be one.
    pub fn reason(&self) -> Reason {
        self.claim.reason.unwrap_or(Reason::NoReason)
    }

    /// When the customer asked: `reported_at`, else when the ticket was
    /// opened.
    pub fn asked_at(&self) -> Result<Timestamp, Rejection> {
        Ok(self
            .facts
            .attributes
            .instant("reported_at", self.zone())?
            .unwrap_or(self.snapshot.ticket.created_at))
    }

    /// The day of sale: `sold_at`, else the product's purchase date, else its
    /// invoice date.
    pub fn sold_on(&self) -> Result<Option<Date>, Rejection> {
        if let Some(date) = self.facts.attributes.date("sold_at", self.zone())? {
            return Ok(Some(date));
        }
        let purchase = self.facts.product.purchase_date_in(self.zone())?;
        Ok(purchase.or(self.invoiced_on_only()?))
    }

    /// The invoice date, which the warranty and R5's days of use count from;
    /// the day of sale stands in for an invoice without a date.
    pub fn invoiced_on(&self) -> Result<Option<Date>, Rejection> {
        match self.invoiced_on_only()? {
            Some(date) => Ok(Some(date)),
            None => self.sold_on(),
        }
    }

    fn invoiced_on_only(&self) -> Result<Option<Date>, Rejection> {
        self.facts.product.invoice_date_in(self.zone())
    }

    pub fn category(&self) -> Option<&str> {
        self.facts.product.category.as_deref()
    }
}
