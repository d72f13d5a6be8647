//! CSI, satisfaction rate and NPS from survey answers.

use super::*;

fn surveyed(ratings: [u8; 4]) -> Ticket {
    Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T09:10:00Z")
        .resolved("2026-03-02T10:00:00Z")
        .rated(ratings)
}

fn recommending(scores: impl IntoIterator<Item = u8>) -> Vec<Ticket> {
    scores
        .into_iter()
        .map(|s| Ticket::created("2026-03-02T09:00:00Z").recommends(s))
        .collect()
}

#[test]
fn csi_rescales_the_mean_rating_to_0_100() {
    // Attribute means 4.5, 4, 4.5, 4 → 4.25 → (4.25 − 1)/4 × 100 = 81.25.
    let r = report(&[surveyed([5, 4, 4, 3]), surveyed([4, 4, 5, 5])]);
    assert_eq!(r.csi, Some(81.25));
    assert_eq!(r.surveys, 2);
}

#[test]
fn csi_bounds_are_0_and_100() {
    assert_eq!(report(&[surveyed([1, 1, 1, 1])]).csi, Some(0.0));
    assert_eq!(report(&[surveyed([5, 5, 5, 5])]).csi, Some(100.0));
}

#[test]
fn csi_with_unequal_weights() {
    // Attribute means: timeliness 5, attitude 4, professionalism 4,
    // result 1.5.
    let tickets = [surveyed([5, 5, 4, 1]), surveyed([5, 3, 4, 2])];
    let facts: Vec<TicketFacts> = tickets.iter().map(Ticket::facts).collect();
    let summary = Summary::of(&facts);

    // Equal: 14.5 / 4 = 3.625 → 2.625 / 4 × 100 = 65.625 → 65.63.
    assert_eq!(Report::from(&summary).csi, Some(65.63));

    // Result weighs 3: (5 + 4 + 4 + 3 × 1.5) / 6 = 17.5 / 6 = 2.91667
    // → 1.91667 / 4 × 100 = 47.916… → 47.92.
    let unequal = weights(&[
        ("timeliness", 1.0),
        ("attitude", 1.0),
        ("professionalism", 1.0),
        ("result", 3.0),
    ]);
    assert_eq!(Report::with_weights(&summary, &unequal).csi, Some(47.92));

    // Only ratios matter.
    let scaled = weights(&[
        ("timeliness", 10.0),
        ("attitude", 10.0),
        ("professionalism", 10.0),
        ("result", 30.0),
    ]);
    assert_eq!(Report::with_weights(&summary, &scaled).csi, Some(47.92));
}

#[test]
fn an_unconfigured_rated_attribute_weighs_one() {
    // As above, but only the result is configured: the other three rated
    // attributes count with weight 1, so CSI is again 47.92.
    let tickets = [surveyed([5, 5, 4, 1]), surveyed([5, 3, 4, 2])];
    let facts: Vec<TicketFacts> = tickets.iter().map(Ticket::facts).collect();
    let summary = Summary::of(&facts);
    let result_only = weights(&[("result", 3.0)]);
    assert_eq!(
        Report::with_weights(&summary, &result_only).csi,
        Some(47.92)
    );

    // A tenant's own attribute, never configured, weighs 1 beside the
    // configured ones: (2 × 5 + 1) / 3 = 11 / 3 → 2.6667 / 4 × 100 = 66.67.
    let own = [surveyed_by(&[("result", 5), ("cleanliness", 1)]).facts()];
    let r = Report::with_weights(&Summary::of(&own), &weights(&[("result", 2.0)]));
    assert_eq!(r.csi, Some(66.67));
}

#[test]
fn a_weight_for_an_attribute_nobody_rated_is_ignored() {
    // Means: timeliness 5, attitude 4, professionalism 4, result 1.5 (65.63
    // with equal weights). A heavy weight on an attribute nobody rated
    // changes nothing.
    let tickets = [surveyed([5, 5, 4, 1]), surveyed([5, 3, 4, 2])];
    let facts: Vec<TicketFacts> = tickets.iter().map(Ticket::facts).collect();
    let summary = Summary::of(&facts);
    let extra = weights(&[("cleanliness", 100.0), ("result", 1.0)]);
    let r = Report::with_weights(&summary, &extra);
    assert_eq!(r.csi, Some(65.63));
    assert!(!r.mean_ratings.contains_key("cleanliness"));

    // Nor does it rescue a summary whose rated attributes weigh 0.
    let zero = weights(&[("timeliness", 0.0), ("cleanliness", 5.0)]);
    let only_timeliness = [surveyed([4, 0, 0, 0]).facts()];
    let r = Report::with_weights(&Summary::of(&only_timeliness), &zero);
    assert_eq!(r.csi, None);
}

#[test]
fn mean_ratings_are_per_attribute_and_exact() {
    let r = report(&[
        surveyed([5, 5, 4, 1]),
        surveyed([5, 3, 4, 2]),
        surveyed([0, 4, 0, 0]),
    ]);
    let means: Vec<(&str, f64)> = r
        .mean_ratings
        .iter()
        .map(|(a, m)| (a.as_str(), *m))
        .collect();
    assert_eq!(
        means,
        vec![
            ("attitude", 4.0),
            ("professionalism", 4.0),
            ("result", 1.5),
            ("timeliness", 5.0),
        ]
    );
    let json = serde_json::to_value(&r).expect("serializes");
    assert_eq!(json["mean_ratings"]["result"], serde_json::json!(1.5));
    assert!(report(&[]).mean_ratings.is_empty());
}

#[test]
fn extreme_but_finite_weights_do_not_overflow() {
    let facts = [surveyed([5, 1, 0, 0]).facts()];
    let huge = weights(&[("timeliness", f64::MAX), ("attitude", f64::MAX)]);
    let r = Report::with_weights(&Summary::of(&facts), &huge);
    assert_eq!(r.csi, Some(50.0));
}

#[test]
fn csi_leaves_out_attributes_nobody_rated() {
    // Only the result is rated (5): the other weights drop out.
    let r = report(&[surveyed([0, 0, 0, 5])]);
    assert_eq!(r.csi, Some(100.0));
}

#[test]
fn csi_is_none_when_only_zero_weight_attributes_were_rated() {
    let facts = [surveyed([4, 0, 0, 0]).facts()];
    let weights = weights(&[
        ("timeliness", 0.0),
        ("attitude", 0.0),
        ("professionalism", 0.0),
        ("result", 1.0),
    ]);
    let r = Report::with_weights(&Summary::of(&facts), &weights);
    assert_eq!(r.csi, None);
    assert_eq!(r.satisfaction_rate, Some(1.0));
}

#[test]
fn satisfaction_rate_counts_attribute_ratings_not_surveys() {
    // 2 of 4 ratings satisfied + 4 of 4 = 6 of 8. Per survey (mean ≥ 4) it
    // would be 1 of 2: the first survey's mean is 3.75.
    let r = report(&[surveyed([5, 5, 2, 3]), surveyed([4, 4, 4, 4])]);
    assert_eq!(r.satisfaction_rate, Some(0.75));
}

#[test]
fn satisfaction_starts_at_four_of_five() {
    let r = report(&[surveyed([3, 3, 3, 4])]);
    assert_eq!(r.satisfaction_rate, Some(0.25));
}

#[test]
fn e5_nps_of_the_ratings_zero_to_ten_is_minus_45_45() {
    // 2 promoters (9, 10), 7 detractors (0–6), 11 answers:
    // (2 − 7) / 11 × 100 = −45.4545… → −45.45.
    let r = report(&recommending(0..=10));
    assert_eq!(r.nps, Some(-45.45));
}

#[test]
fn nps_counts_passives_only_in_the_denominator() {
    // 9, 10 promote; 7, 8 are passive: 2/4 − 0/4 = 50.
    assert_eq!(report(&recommending([9, 10, 7, 8])).nps, Some(50.0));
    // 6 detracts, 9 promotes: 0.
    assert_eq!(report(&recommending([6, 9])).nps, Some(0.0));
    assert_eq!(report(&recommending([0, 6])).nps, Some(-100.0));
}

#[test]
fn nps_rounds_to_two_decimals() {
    // 1 promoter of 3: 33.333… → 33.33; 2 of 3: 66.666… → 66.67.
    assert_eq!(report(&recommending([10, 7, 8])).nps, Some(33.33));
    assert_eq!(report(&recommending([10, 9, 8])).nps, Some(66.67));
}

#[test]
fn a_survey_without_ratings_gives_nps_but_no_csi() {
    let r = report(&recommending([10]));
    assert_eq!(r.surveys, 1);
    assert_eq!(r.nps, Some(100.0));
    assert_eq!(r.csi, None);
    assert_eq!(r.satisfaction_rate, None);
}
