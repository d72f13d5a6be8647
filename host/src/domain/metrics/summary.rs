//! The mergeable aggregate of ticket facts: counts, sums and histograms that
//! add up across days and groups without losing exactness.
//!
//! The host keeps one [`Summary`] per (tenant, day, dimension value) and
//! merges them at query time. Every field is a count or a sum, so merging is
//! exact, associative and commutative: merging daily summaries gives the same
//! summary as adding all the facts to one. Means and rates computed from it
//! are exact; only percentiles come from the histograms (within 1/256).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facts::TicketFacts;
use super::histogram::{DenseHistogram, LogHistogram};
use super::history::{Dimension, SlaOutcome};
use super::survey::{Attribute, Rating};
use crate::domain::SlaMetric;

/// Counts and sums over a set of tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub(super) tickets: u64,
    pub(super) resolved: u64,
    pub(super) response: DurationTally,
    pub(super) resolution: DurationTally,
    pub(super) lead: DurationTally,
    /// Resolved tickets resolved at the first contact.
    pub(super) first_contact: u64,
    /// Resolved tickets reopened.
    pub(super) reopened: u64,
    pub(super) repairs: u64,
    pub(super) re_repairs: u64,
    pub(super) complaints: u64,
    /// Complaints with a recorded service recovery.
    pub(super) recoveries: u64,
    pub(super) sla: SlaTally,
    /// Tickets with a survey answer.
    pub(super) surveys: u64,
    /// `ratings[attribute][rating − 1]`: how often each attribute, by name,
    /// got each rating. Sums, counts and the satisfied share all follow from
    /// it. Only attributes rated at least once have an entry, so a summary
    /// from before an attribute was added, or after it was removed or
    /// renamed, simply lacks it, and merging stays exact.
    pub(super) ratings: BTreeMap<Attribute, [u64; 5]>,
    /// `recommendations[score]`: how often each 0–10 score was given.
    pub(super) recommendations: [u64; 11],
    /// Resolved tickets a technician visited.
    #[serde(default)]
    pub(super) field_resolved: u64,
    /// Of those, fixed at the first visit with every part from stock.
    #[serde(default)]
    pub(super) first_time_fixes: u64,
    /// Part lines requested, and those filled from stock at once.
    #[serde(default)]
    pub(super) part_lines: u64,
    #[serde(default)]
    pub(super) parts_filled: u64,
}

/// Durations in milliseconds: an exact sum and count for the mean, a
/// histogram for percentiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationTally {
    /// Sum of the durations. `u128` so that years of merged data cannot
    /// overflow it.
    pub(super) sum_ms: u128,
    pub(super) histogram: LogHistogram,
}

impl DurationTally {
    fn record(&mut self, ms: u64) {
        self.sum_ms = self.sum_ms.saturating_add(u128::from(ms));
        self.histogram.record(ms);
    }

    /// Add the other's sum; the histograms merge on their own.
    fn merge_sum(&mut self, other: &DurationTally) {
        self.sum_ms = self.sum_ms.saturating_add(other.sum_ms);
    }

    /// How many durations were recorded.
    pub fn count(&self) -> u64 {
        self.histogram.count()
    }

    /// The exact mean, in milliseconds.
    pub fn mean_ms(&self) -> Option<f64> {
        match self.count() {
            0 => None,
            // One division of two integers: correctly rounded.
            n => Some(self.sum_ms as f64 / n as f64),
        }
    }

    /// The histogram of the durations.
    pub fn histogram(&self) -> &LogHistogram {
        &self.histogram
    }
}

/// Met and breached verdicts per SLA target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTally {
    pub(super) response: MetBreached,
    pub(super) resolution: MetBreached,
    pub(super) on_site: MetBreached,
}

impl SlaTally {
    /// The tally of one target.
    pub fn get(&self, metric: SlaMetric) -> MetBreached {
        match metric {
            SlaMetric::Response => self.response,
            SlaMetric::Resolution => self.resolution,
            SlaMetric::OnSite => self.on_site,
        }
    }

    fn get_mut(&mut self, metric: SlaMetric) -> &mut MetBreached {
        match metric {
            SlaMetric::Response => &mut self.response,
            SlaMetric::Resolution => &mut self.resolution,
            SlaMetric::OnSite => &mut self.on_site,
        }
    }
}

/// How many tickets met and breached one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetBreached {
    /// Met the target.
    pub met: u64,
    /// Breached it.
    pub breached: u64,
}

const SLA_METRICS: [SlaMetric; 3] = [
    SlaMetric::Response,
    SlaMetric::Resolution,
    SlaMetric::OnSite,
];

impl Summary {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// A summary of `facts`.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a TicketFacts>) -> Self {
        let mut summary = Summary::new();
        facts.into_iter().for_each(|f| summary.add(f));
        summary
    }

    /// Count one ticket. Counts saturate rather than wrap, so no input can
    /// make this panic.
    pub fn add(&mut self, facts: &TicketFacts) {
        inc(&mut self.tickets, true);
        if let Some(ms) = facts.response_ms {
            self.response.record(ms);
        }
        if let Some(ms) = facts.resolution_ms {
            self.resolution.record(ms);
        }
        if let Some(ms) = facts.lead_ms {
            self.lead.record(ms);
        }
        if facts.is_resolved() {
            inc(&mut self.resolved, true);
            inc(&mut self.first_contact, facts.is_first_contact_resolution());
            inc(&mut self.reopened, facts.reopened);
        }
        if facts.is_resolved() && facts.field.visits > 0 {
            inc(&mut self.field_resolved, true);
            inc(&mut self.first_time_fixes, facts.field.first_time_fix());
        }
        add(&mut self.part_lines, u64::from(facts.field.part_lines));
        add(&mut self.parts_filled, u64::from(facts.field.parts_filled));
        if let Some(repair) = facts.repair {
            inc(&mut self.repairs, true);
            inc(&mut self.re_repairs, repair.re_repair);
        }
        if let Some(complaint) = facts.complaint {
            inc(&mut self.complaints, true);
            inc(&mut self.recoveries, complaint.service_recovery);
        }
        for metric in SLA_METRICS {
            let tally = self.sla.get_mut(metric);
            match facts.sla.get(metric) {
                Some(SlaOutcome::Met) => inc(&mut tally.met, true),
                Some(SlaOutcome::Breached) => inc(&mut tally.breached, true),
                None => {}
            }
        }
        if let Some(survey) = &facts.survey {
            inc(&mut self.surveys, true);
            for (attribute, rating) in survey.ratings.iter() {
                self.count_rating(attribute, rating);
            }
            if let Some(score) = survey.recommendation {
                // Recommendation is 0–10 by construction; `get_mut` keeps
                // this panic-free all the same.
                if let Some(count) = self.recommendations.get_mut(usize::from(score.get())) {
                    inc(count, true);
                }
            }
        }
    }

    /// Add another summary's counts to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.response.histogram.merge(&other.response.histogram);
        self.resolution.histogram.merge(&other.resolution.histogram);
        self.lead.histogram.merge(&other.lead.histogram);
        self.merge_all_but_histograms(other);
    }

    /// [`Summary::merge`] without the histograms of the durations.
    fn merge_all_but_histograms(&mut self, other: &Summary) {
        add(&mut self.tickets, other.tickets);
        add(&mut self.resolved, other.resolved);
        self.response.merge_sum(&other.response);
        self.resolution.merge_sum(&other.resolution);
        self.lead.merge_sum(&other.lead);
        add(&mut self.first_contact, other.first_contact);
        add(&mut self.reopened, other.reopened);
        add(&mut self.repairs, other.repairs);
        add(&mut self.re_repairs, other.re_repairs);
        add(&mut self.complaints, other.complaints);
        add(&mut self.recoveries, other.recoveries);
        add(&mut self.field_resolved, other.field_resolved);
        add(&mut self.first_time_fixes, other.first_time_fixes);
        add(&mut self.part_lines, other.part_lines);
        add(&mut self.parts_filled, other.parts_filled);
        for metric in SLA_METRICS {
            let theirs = other.sla.get(metric);
            let ours = self.sla.get_mut(metric);
            add(&mut ours.met, theirs.met);
            add(&mut ours.breached, theirs.breached);
        }
        add(&mut self.surveys, other.surveys);
        for (attribute, theirs) in &other.ratings {
            // An all-zero tally (only a hand-made summary has one) adds
            // nothing; skipping it keeps merged summaries free of empty
            // entries, as `add` does.
            if theirs.iter().all(|count| *count == 0) {
                continue;
            }
            let ours = self.ratings.entry(attribute.clone()).or_default();
            for (ours, theirs) in ours.iter_mut().zip(theirs) {
                add(ours, *theirs);
            }
        }
        for (ours, theirs) in self.recommendations.iter_mut().zip(&other.recommendations) {
            add(ours, *theirs);
        }
    }

    /// How many tickets.
    pub fn tickets(&self) -> u64 {
        self.tickets
    }

    fn count_rating(&mut self, attribute: &Attribute, rating: Rating) {
        // 0–4: in range by construction of `Rating`.
        let index = usize::from(rating.get() - 1);
        match self.ratings.get_mut(attribute.as_str()) {
            Some(counts) => inc(&mut counts[index], true),
            // Cloning the name only for an attribute's first rating.
            None => {
                let mut counts = [0; 5];
                counts[index] = 1;
                self.ratings.insert(attribute.clone(), counts);
            }
        }
    }
}

/// Merges many summaries into one: exactly what [`Summary::merge`] one after
/// another gives, but the histograms of the durations are added up in dense
/// arrays, so a report over a year of daily rollups does not pay a map
/// lookup per bucket per day.
#[derive(Debug, Clone, Default)]
pub struct SummaryMerger {
    /// Everything but the histograms, which stay empty until `finish`.
    summary: Summary,
    response: DenseHistogram,
    resolution: DenseHistogram,
    lead: DenseHistogram,
}

impl SummaryMerger {
    /// Nothing merged yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a summary.
    pub fn add(&mut self, other: &Summary) {
        self.summary.merge_all_but_histograms(other);
        self.response.add(&other.response.histogram);
        self.resolution.add(&other.resolution.histogram);
        self.lead.add(&other.lead.histogram);
    }

    /// The merged summary.
    pub fn finish(self) -> Summary {
        let mut summary = self.summary;
        summary.response.histogram = self.response.finish();
        summary.resolution.histogram = self.resolution.finish();
        summary.lead.histogram = self.lead.finish();
        summary
    }
}

/// Summaries of `facts` per value of `by` (one group, `""`, when `None`),
/// ordered by group.
pub fn summarize<'a>(
    facts: impl IntoIterator<Item = &'a TicketFacts>,
    by: Option<Dimension>,
) -> BTreeMap<String, Summary> {
    let mut groups: BTreeMap<String, Summary> = BTreeMap::new();
    for fact in facts {
        let group = by.map(|d| fact.dimensions.value(d)).unwrap_or_default();
        groups.entry(group).or_default().add(fact);
    }
    groups
}

fn inc(count: &mut u64, when: bool) {
    if when {
        *count = count.saturating_add(1);
    }
}

fn add(count: &mut u64, more: u64) {
    *count = count.saturating_add(more);
}
