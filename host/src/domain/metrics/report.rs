//! What the metrics endpoint answers for one group, computed from a
//! [`Summary`].
//!
//! Units, once for all fields:
//! - durations in **seconds** (`f64`, millisecond precision); means exact,
//!   p50/p90 from the histogram, within 0.4 % of the exact nearest-rank
//!   percentile;
//! - rates as **fractions** in `[0, 1]`, unrounded;
//! - CSI on 0–100 and NPS on −100…100, both **rounded to two decimals**
//!   (half away from zero), because they are scores people read as such;
//! - mean ratings per attribute on the 1–5 scale, exact and unrounded (a
//!   dashboard rounds them for display);
//! - a rate or score with no denominator is `None` (JSON `null`), never 0 or
//!   NaN.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::summary::{DurationTally, Summary};
use super::survey::{Attribute, CsiWeights, Rating};
use crate::domain::SlaMetric;

/// The standard's service metrics for one group of tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Tickets in the group.
    pub tickets: u64,
    /// Tickets whose handling has started.
    pub responded: u64,
    /// Tickets resolved (first entry into `resolved`).
    pub resolved: u64,
    /// Response time (服务响应时间): creation → start of handling.
    pub response: DurationStats,
    /// Resolution time (服务解决时间): start of handling → resolution.
    pub resolution: DurationStats,
    /// Lead time: creation → resolution.
    pub lead: DurationStats,
    /// Share of decided verdicts that met each SLA target.
    pub sla_compliance: SlaCompliance,
    /// First-contact resolution rate (首次解决率): share of resolved tickets.
    pub first_contact_resolution_rate: Option<f64>,
    /// Share of resolved tickets that were reopened.
    pub reopen_rate: Option<f64>,
    /// Repair tickets.
    pub repairs: u64,
    /// Re-repair rate (返修率): share of repairs that are re-repairs.
    pub re_repair_rate: Option<f64>,
    /// Resolved tickets a technician visited.
    pub field_resolved: u64,
    /// First-time fix rate (一次修复率): share of those fixed at the first
    /// visit with every part from stock.
    pub first_time_fix_rate: Option<f64>,
    /// Part lines requested for tickets.
    pub part_lines: u64,
    /// Parts fill rate: share of part lines reserved from stock at once
    /// rather than back-ordered.
    pub parts_fill_rate: Option<f64>,
    /// Complaint tickets.
    pub complaints: u64,
    /// Complaints ÷ all tickets.
    pub complaint_rate: Option<f64>,
    /// Complaints with a recorded service recovery.
    pub service_recoveries: u64,
    /// Tickets with a survey answer.
    pub surveys: u64,
    /// Customer satisfaction index (顾客满意度指数), 0–100.
    pub csi: Option<f64>,
    /// Share of attribute ratings that are 4 or 5 of 5.
    pub satisfaction_rate: Option<f64>,
    /// Net promoter score, −100…100.
    pub nps: Option<f64>,
    /// The mean rating (1–5) of each attribute, by name, for the attributes
    /// rated at least once; the inputs of CSI. JSON: an object,
    /// `{"attitude": 4.5, "result": 3.75}`.
    pub mean_ratings: BTreeMap<Attribute, f64>,
}

/// Mean and percentiles of one duration, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    /// How many tickets have this duration.
    pub count: u64,
    /// Exact mean.
    pub mean_seconds: Option<f64>,
    /// Median, from the histogram.
    pub p50_seconds: Option<f64>,
    /// 90th percentile, from the histogram.
    pub p90_seconds: Option<f64>,
}

/// Compliance per SLA target, as fractions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SlaCompliance {
    /// First response target.
    pub response: Option<f64>,
    /// Resolution target.
    pub resolution: Option<f64>,
    /// On-site arrival target.
    pub on_site: Option<f64>,
}

impl From<&Summary> for Report {
    /// The report with CSI weighing every attribute equally
    /// ([`CsiWeights::default`]).
    fn from(summary: &Summary) -> Self {
        Report::with_weights(summary, &CsiWeights::default())
    }
}

impl Report {
    /// The report with CSI weighted by `weights`. Weights apply at report
    /// time, so stored summaries stay valid when a tenant changes them; a
    /// rated attribute without a weight weighs [`CsiWeights::UNCONFIGURED`]
    /// (1), and a weight for an attribute nobody rated is ignored.
    pub fn with_weights(summary: &Summary, weights: &CsiWeights) -> Self {
        let mean_ratings = mean_ratings(&summary.ratings);
        let sla = |metric| {
            let tally = summary.sla.get(metric);
            ratio(
                tally.met,
                u128::from(tally.met) + u128::from(tally.breached),
            )
        };
        Report {
            tickets: summary.tickets,
            responded: summary.response.count(),
            resolved: summary.resolved,
            response: duration_stats(&summary.response),
            resolution: duration_stats(&summary.resolution),
            lead: duration_stats(&summary.lead),
            sla_compliance: SlaCompliance {
                response: sla(SlaMetric::Response),
                resolution: sla(SlaMetric::Resolution),
                on_site: sla(SlaMetric::OnSite),
            },
            first_contact_resolution_rate: ratio(summary.first_contact, summary.resolved),
            reopen_rate: ratio(summary.reopened, summary.resolved),
            repairs: summary.repairs,
            re_repair_rate: ratio(summary.re_repairs, summary.repairs),
            field_resolved: summary.field_resolved,
            first_time_fix_rate: ratio(summary.first_time_fixes, summary.field_resolved),
            part_lines: summary.part_lines,
            parts_fill_rate: ratio(summary.parts_filled, summary.part_lines),
            complaints: summary.complaints,
            complaint_rate: ratio(summary.complaints, summary.tickets),
            service_recoveries: summary.recoveries,
            surveys: summary.surveys,
            csi: csi(&mean_ratings, weights),
            satisfaction_rate: satisfaction_rate(&summary.ratings),
            nps: nps(&summary.recommendations),
            mean_ratings,
        }
    }
}

fn duration_stats(tally: &DurationTally) -> DurationStats {
    let seconds = |ms: u64| ms as f64 / 1000.0;
    DurationStats {
        count: tally.count(),
        mean_seconds: tally.mean_ms().map(|ms| ms / 1000.0),
        p50_seconds: tally.histogram().percentile(50).map(seconds),
        p90_seconds: tally.histogram().percentile(90).map(seconds),
    }
}

/// `part / whole`, or `None` when there is nothing to divide by. Wide
/// integers so that sums of saturated counts cannot overflow.
fn ratio(part: impl Into<u128>, whole: impl Into<u128>) -> Option<f64> {
    let (part, whole) = (part.into(), whole.into());
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The sum of some counts, wide enough never to overflow.
fn total<'a>(counts: impl IntoIterator<Item = &'a u64>) -> u128 {
    counts.into_iter().map(|c| u128::from(*c)).sum()
}

/// The exact mean rating of each attribute with at least one rating.
fn mean_ratings(ratings: &BTreeMap<Attribute, [u64; 5]>) -> BTreeMap<Attribute, f64> {
    ratings
        .iter()
        .filter_map(|(attribute, counts)| {
            let n = total(counts);
            let sum: u128 = (1..).zip(counts).map(|(r, c)| r * u128::from(*c)).sum();
            // One division of two integers: correctly rounded.
            (n > 0).then(|| (attribute.clone(), sum as f64 / n as f64))
        })
        .collect()
}

/// CSI: the weighted mean of the attributes' mean ratings, rescaled to 0–100
/// by `(mean − 1)/(k − 1) × 100` with k = 5. Only attributes someone rated
/// take part (`means` has no others) and their weights are renormalised, so
/// a survey that skips a question does not count as a low score, and a
/// weight for an attribute nobody rated changes nothing. `None` when the
/// rated attributes weigh 0 in total.
///
/// The weights are first divided by the largest among the rated attributes,
/// which leaves their ratios alone and keeps every product and sum small, so
/// no finite weights can overflow to infinity or NaN.
fn csi(means: &BTreeMap<Attribute, f64>, weights: &CsiWeights) -> Option<f64> {
    let largest = means
        .keys()
        .map(|attribute| weights.get(attribute.as_str()))
        .fold(0.0, f64::max);
    if largest <= 0.0 {
        return None;
    }
    let mut weighted = 0.0;
    let mut total_weight = 0.0;
    for (attribute, mean) in means {
        let weight = weights.get(attribute.as_str()) / largest;
        weighted += weight * mean;
        total_weight += weight;
    }
    let mean = weighted / total_weight;
    let k = f64::from(Rating::SCALE);
    Some(round2((mean - 1.0) / (k - 1.0) * 100.0))
}

/// Satisfaction rate: the share of attribute ratings that are 4 or 5 of 5,
/// counted per rating (not per survey), over every attribute. That is the
/// standard's wording ("share of ratings ≥ 4"); it needs no rule for
/// combining a survey's attributes, and it does not depend on the CSI
/// weights, so stored summaries stay valid when the weights change.
fn satisfaction_rate(ratings: &BTreeMap<Attribute, [u64; 5]>) -> Option<f64> {
    let all = total(ratings.values().flatten());
    let satisfied = total(ratings.values().flat_map(|counts| &counts[3..]));
    ratio(satisfied, all)
}

/// NPS: the percentage of promoters (9–10) minus the percentage of
/// detractors (0–6).
fn nps(recommendations: &[u64; 11]) -> Option<f64> {
    let n = total(recommendations);
    let promoters = total(&recommendations[9..]);
    let detractors = total(&recommendations[..7]);
    let net = promoters as f64 - detractors as f64;
    (n > 0).then(|| round2(net / n as f64 * 100.0))
}

/// Round to two decimals, half away from zero.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
