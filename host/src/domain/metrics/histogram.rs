//! A compact, mergeable log-linear histogram of non-negative integers, from
//! which percentiles are answered after any number of merges.
//!
//! Values below 256 get a bucket each. Above that, every power of two
//! `[2^e, 2^(e+1))` is split into 128 buckets of equal width `2^(e−7)`: the
//! exponent gives the "log", the 7 bits after the leading one the "linear"
//! part (as in `HdrHistogram`). A bucket's width is at most 1/128 of its lower
//! bound, and a percentile is answered with the bucket's midpoint, so the
//! answer is within **1/256 ≈ 0.4 %** of the exact value — inside the 1 %
//! the metrics promise. Bucket indexes are computed with integer arithmetic
//! only, so every platform files a value in the same bucket and merges are
//! exact.
//!
//! Only non-empty buckets are stored; durations from a minute to a month in
//! milliseconds span about 2,200 possible buckets, and a day of tickets fills
//! far fewer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Buckets per power of two, as a number of bits.
const SUB_BITS: u32 = 7;
/// Buckets per power of two.
const SUB_BUCKETS: u64 = 1 << SUB_BITS;

/// Counts of values in log-linear buckets, with the exact minimum and maximum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHistogram {
    /// Non-empty buckets: index → count.
    buckets: BTreeMap<u32, u64>,
    /// The smallest value recorded; percentiles never answer below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<u64>,
    /// The largest value recorded; percentiles never answer above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u64>,
}

impl LogHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one value.
    pub fn record(&mut self, value: u64) {
        let count = self.buckets.entry(bucket_of(value)).or_insert(0);
        *count = count.saturating_add(1);
        self.min = Some(self.min.map_or(value, |m| m.min(value)));
        self.max = Some(self.max.map_or(value, |m| m.max(value)));
    }

    /// Add another histogram's counts to this one. Counts saturate rather
    /// than wrap, so a corrupt stored summary cannot panic a query.
    pub fn merge(&mut self, other: &LogHistogram) {
        for (&bucket, &count) in &other.buckets {
            let total = self.buckets.entry(bucket).or_insert(0);
            *total = total.saturating_add(count);
        }
        self.min = min_of(self.min, other.min);
        self.max = max_of(self.max, other.max);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.buckets
            .values()
            .fold(0u64, |sum, c| sum.saturating_add(*c))
    }

    /// The smallest value recorded, exactly.
    pub fn min(&self) -> Option<u64> {
        self.min
    }

    /// The largest value recorded, exactly.
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    /// The `percent`-th percentile (0–100, clamped), by the nearest-rank
    /// method: the value at rank `⌈percent/100 × n⌉` (at least 1) in sorted
    /// order, estimated within 1/256 of the exact value (exact for the first
    /// and last rank). `None` when empty.
    pub fn percentile(&self, percent: u8) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = nearest_rank(percent, n);
        // The extreme ranks are known exactly.
        if rank == n {
            return self.max;
        }
        if rank == 1 {
            return self.min;
        }
        let mut seen = 0u64;
        for (&bucket, &count) in &self.buckets {
            seen = seen.saturating_add(count);
            if seen >= rank {
                let (low, high) = bounds_of(bucket);
                // The midpoint halves the worst case; min and max are exact
                // and tighten the first and last bucket.
                let mid = low + (high - low) / 2;
                let floor = self.min.unwrap_or(low);
                let ceiling = self.max.unwrap_or(high);
                return Some(mid.clamp(floor.min(ceiling), ceiling));
            }
        }
        self.max
    }
}

/// Histograms added up in a dense array: merging thousands of them (a year
/// of daily rollups) costs an index per bucket instead of a map lookup.
/// Gives exactly what [`LogHistogram::merge`] one after another gives.
#[derive(Debug, Clone, Default)]
pub(super) struct DenseHistogram {
    /// `counts[bucket]`, up to the highest bucket seen.
    counts: Vec<u64>,
    /// Buckets past the highest any `u64` falls in: only a corrupt stored
    /// summary has them, and they must not size the array.
    beyond: BTreeMap<u32, u64>,
    min: Option<u64>,
    max: Option<u64>,
}

impl DenseHistogram {
    /// Add a histogram's counts.
    pub(super) fn add(&mut self, other: &LogHistogram) {
        let top = other
            .buckets
            .range(..=MAX_BUCKET)
            .next_back()
            .map(|(&b, _)| b as usize + 1);
        if let Some(top) = top
            && self.counts.len() < top
        {
            self.counts.resize(top, 0);
        }
        for (&bucket, &count) in &other.buckets {
            let total = match self.counts.get_mut(bucket as usize) {
                Some(total) => total,
                None => self.beyond.entry(bucket).or_insert(0),
            };
            *total = total.saturating_add(count);
        }
        self.min = min_of(self.min, other.min);
        self.max = max_of(self.max, other.max);
    }

    /// The sum, as a histogram.
    pub(super) fn finish(self) -> LogHistogram {
        let mut buckets: BTreeMap<u32, u64> = self
            .counts
            .into_iter()
            .enumerate()
            .filter(|(_, count)| *count != 0)
            .map(|(bucket, count)| (bucket as u32, count))
            .collect();
        buckets.extend(self.beyond);
        LogHistogram {
            buckets,
            min: self.min,
            max: self.max,
        }
    }
}

/// The bucket of `u64::MAX`, the highest a recorded value falls in.
const MAX_BUCKET: u32 = (SUB_BUCKETS as u32) * (64 - SUB_BITS) + (SUB_BUCKETS as u32 - 1);

/// The nearest rank of the `percent`-th percentile among `n` values: at least
/// 1, at most `n`. Integer arithmetic, so p90 of 10 values is rank 9, not 10
/// through a rounding slip.
pub fn nearest_rank(percent: u8, n: u64) -> u64 {
    let percent = u128::from(percent.min(100));
    let n128 = u128::from(n);
    let rank = (percent * n128).div_ceil(100).max(1);
    u64::try_from(rank).unwrap_or(n).min(n)
}

/// The bucket a value falls in.
fn bucket_of(value: u64) -> u32 {
    if value < SUB_BUCKETS {
        // Exact buckets below 128; the formula below continues them
        // seamlessly (exactly, up to 255).
        return value as u32;
    }
    let exponent = 63 - value.leading_zeros(); // ≥ SUB_BITS
    let shift = exponent - SUB_BITS;
    let sub = (value >> shift) - SUB_BUCKETS; // the 7 bits after the leading 1
    (SUB_BUCKETS as u32) * (shift + 1) + sub as u32
}

/// The inclusive range of values in a bucket.
fn bounds_of(bucket: u32) -> (u64, u64) {
    let sub_buckets = SUB_BUCKETS as u32;
    if bucket < sub_buckets {
        let value = u64::from(bucket);
        return (value, value);
    }
    let shift = bucket / sub_buckets - 1;
    let sub = u64::from(bucket % sub_buckets);
    let low = (SUB_BUCKETS + sub) << shift;
    // The very top bucket ends at u64::MAX; nothing above it to overflow into.
    let high = low.saturating_add((1u64 << shift) - 1);
    (low, high)
}

fn min_of(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_of(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The exact nearest-rank percentile of a list.
    fn exact(values: &[u64], percent: u8) -> u64 {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let rank = nearest_rank(percent, sorted.len() as u64);
        sorted[rank as usize - 1]
    }

    #[test]
    fn buckets_are_exact_below_256_and_cover_every_value_once() {
        for value in 0..256 {
            assert_eq!(bounds_of(bucket_of(value)), (value, value));
        }
        for value in [256, 257, 511, 512, 1_000_000, u64::MAX / 3, u64::MAX] {
            let (low, high) = bounds_of(bucket_of(value));
            assert!(low <= value && value <= high, "{value} in [{low}, {high}]");
            assert!((high - low) as f64 <= low as f64 / 128.0);
        }
        // Adjacent buckets touch without a gap.
        for bucket in 0..bucket_of(u64::MAX) {
            assert_eq!(bounds_of(bucket).1 + 1, bounds_of(bucket + 1).0);
        }
        assert_eq!(bounds_of(bucket_of(u64::MAX)).1, u64::MAX);
        assert_eq!(bucket_of(u64::MAX), MAX_BUCKET);
    }

    #[test]
    fn nearest_rank_of_p50_and_p90() {
        assert_eq!(nearest_rank(50, 10), 5);
        assert_eq!(nearest_rank(90, 10), 9);
        assert_eq!(nearest_rank(90, 11), 10);
        assert_eq!(nearest_rank(0, 10), 1);
        assert_eq!(nearest_rank(100, 10), 10);
        assert_eq!(nearest_rank(200, 10), 10);
    }

    #[test]
    fn an_empty_histogram_has_no_percentiles() {
        let histogram = LogHistogram::new();
        assert_eq!(histogram.percentile(50), None);
        assert_eq!(histogram.count(), 0);
    }

    #[test]
    fn small_values_are_answered_exactly() {
        let mut histogram = LogHistogram::new();
        for value in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3] {
            histogram.record(value);
        }
        assert_eq!(histogram.percentile(50), Some(3));
        assert_eq!(histogram.percentile(90), Some(6));
        assert_eq!(histogram.percentile(100), Some(9));
    }

    #[test]
    fn survives_a_json_round_trip() {
        let mut histogram = LogHistogram::new();
        for value in [0, 17, 90_000, 5_400_000, u64::MAX] {
            histogram.record(value);
        }
        let json = serde_json::to_string(&histogram).expect("serializes");
        let back: LogHistogram = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, histogram);
    }

    proptest! {
        #[test]
        fn percentiles_are_within_one_percent_of_the_exact_percentile(
            values in prop::collection::vec(
                prop_oneof![0u64..1_000, 0u64..100_000_000, 0u64..u64::MAX / 2],
                1..400,
            ),
            percent in 0u8..=100,
        ) {
            let mut histogram = LogHistogram::new();
            for &value in &values {
                histogram.record(value);
            }
            let exact = exact(&values, percent);
            let estimate = histogram.percentile(percent).expect("not empty");
            let error = (estimate as f64 - exact as f64).abs();
            prop_assert!(
                error <= exact as f64 / 256.0,
                "p{percent}: estimate {estimate}, exact {exact}",
            );
            prop_assert!(error <= exact as f64 * 0.01);
        }

        #[test]
        fn merged_histograms_answer_like_one_over_all_values(
            left in prop::collection::vec(0u64..10_000_000_000, 0..200),
            right in prop::collection::vec(0u64..10_000_000_000, 0..200),
        ) {
            let mut a = LogHistogram::new();
            left.iter().for_each(|v| a.record(*v));
            let mut b = LogHistogram::new();
            right.iter().for_each(|v| b.record(*v));
            let mut all = LogHistogram::new();
            left.iter().chain(&right).for_each(|v| all.record(*v));
            let mut dense = DenseHistogram::default();
            dense.add(&a);
            dense.add(&b);
            a.merge(&b);
            prop_assert_eq!(&a, &all);
            prop_assert_eq!(dense.finish(), all);
        }
    }
}
