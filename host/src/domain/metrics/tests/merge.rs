//! Summaries merge exactly: merging daily summaries equals one summary over
//! all facts, whatever the grouping and order.

use proptest::prelude::*;

use super::*;

/// The standard attributes plus some a tenant might add or rename them to,
/// so facts of different "days" have different attribute sets.
const NAMES: [&str; 7] = [
    "timeliness",
    "attitude",
    "professionalism",
    "result",
    "courtesy",
    "punctuality",
    "cleanliness",
];

fn ratings() -> impl Strategy<Value = Ratings> {
    prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), 1u8..=5, 0..=5).prop_map(
        |ratings| {
            ratings
                .into_iter()
                .map(|(name, r)| (attribute(name), Rating::try_from(r).expect("1–5")))
                .collect()
        },
    )
}

fn survey() -> impl Strategy<Value = Option<SurveyAnswer>> {
    prop::option::of(
        (
            ratings(),
            prop::option::of((0u8..=10).prop_map(|s| Recommendation::try_from(s).expect("0–10"))),
        )
            .prop_map(|(ratings, recommendation)| SurveyAnswer {
                ratings,
                recommendation,
            }),
    )
}

fn outcome() -> impl Strategy<Value = Option<SlaOutcome>> {
    prop::option::of(prop_oneof![
        Just(SlaOutcome::Met),
        Just(SlaOutcome::Breached)
    ])
}

fn exclusions() -> impl Strategy<Value = Vec<FcrExclusion>> {
    prop::sample::subsequence(
        vec![
            FcrExclusion::Reassigned,
            FcrExclusion::Escalated,
            FcrExclusion::DispatchedOnSite,
            FcrExclusion::ReopenedWithinWindow,
            FcrExclusion::RatedDissatisfied,
        ],
        0..=2,
    )
}

/// Arbitrary facts, consistent the way [`TicketFacts::from`] makes them.
fn facts() -> impl Strategy<Value = TicketFacts> {
    let durations = prop::option::of((0u64..40_000_000_000, 0u64..40_000_000_000));
    (
        prop::option::of(0u64..10_000_000_000),
        durations,
        any::<bool>(),
        exclusions(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        survey(),
        (outcome(), outcome(), outcome()),
        prop::sample::select(vec!["repair", "installation", "incident"]),
        // Visits, part lines, and how many of those were filled.
        (0u32..3, 0u32..4, 0u32..4),
    )
        .prop_map(
            |(
                response,
                resolved,
                reopened,
                exclusions,
                repair,
                complaint,
                survey,
                sla,
                kind,
                field,
            )| {
                let created_at = at("2026-03-02T09:00:00Z");
                let resolved_at = resolved.map(|_| at("2026-03-03T09:00:00Z"));
                TicketFacts {
                    created_at,
                    dimensions: Dimensions {
                        kind: kind.to_owned(),
                        channel: Channel::Online,
                        priority: Priority::P2,
                        assignee: None,
                        region: None,
                        plugin: None,
                        team: None,
                        technician: None,
                        service_point: None,
                    },
                    handling_started_at: response.map(|_| created_at),
                    resolved_at,
                    response_ms: response.or(resolved.map(|_| 0)),
                    resolution_ms: resolved.map(|(r, _)| r),
                    lead_ms: resolved.map(|(r, l)| r.saturating_add(l)),
                    reopened: reopened && resolved.is_some(),
                    fcr_exclusions: if resolved.is_some() {
                        exclusions
                    } else {
                        Vec::new()
                    },
                    complaint: complaint.map(|service_recovery| Complaint { service_recovery }),
                    repair: repair.map(|re_repair| Repair { re_repair }),
                    survey,
                    sla: SlaOutcomes {
                        response: sla.0,
                        resolution: sla.1,
                        on_site: sla.2,
                    },
                    field: FieldWork {
                        visits: field.0,
                        part_lines: field.1,
                        parts_filled: field.2.min(field.1),
                    },
                }
            },
        )
}

/// Split `facts` into consecutive "days" at the given cut points.
fn days(facts: &[TicketFacts], cuts: &[usize]) -> Vec<Summary> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (facts.len() + 1)).collect();
    cuts.push(0);
    cuts.push(facts.len());
    cuts.sort_unstable();
    cuts.windows(2)
        .map(|w| Summary::of(&facts[w[0]..w[1]]))
        .collect()
}

proptest! {
    #[test]
    fn merging_daily_summaries_equals_one_summary_over_all_facts(
        facts in prop::collection::vec(facts(), 0..120),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let whole = Summary::of(&facts);
        let mut merged = Summary::new();
        for day in days(&facts, &cuts) {
            merged.merge(&day);
        }
        prop_assert_eq!(&merged, &whole);
        prop_assert_eq!(Report::from(&merged), Report::from(&whole));
    }

    #[test]
    fn a_merger_gives_what_merging_one_by_one_gives(
        facts in prop::collection::vec(facts(), 0..120),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut merged = Summary::new();
        let mut merger = SummaryMerger::new();
        for day in days(&facts, &cuts) {
            merged.merge(&day);
            merger.add(&day);
        }
        prop_assert_eq!(merger.finish(), merged);
    }

    #[test]
    fn merge_is_associative_and_commutative(
        a in prop::collection::vec(facts(), 0..40),
        b in prop::collection::vec(facts(), 0..40),
        c in prop::collection::vec(facts(), 0..40),
    ) {
        let (a, b, c) = (Summary::of(&a), Summary::of(&b), Summary::of(&c));
        // (a ∘ b) ∘ c
        let mut left = a.clone();
        left.merge(&b);
        left.merge(&c);
        // a ∘ (b ∘ c)
        let mut bc = b.clone();
        bc.merge(&c);
        let mut right = a.clone();
        right.merge(&bc);
        prop_assert_eq!(&left, &right);
        // c ∘ b ∘ a
        let mut reversed = c.clone();
        reversed.merge(&b);
        reversed.merge(&a);
        prop_assert_eq!(&left, &reversed);
    }

    #[test]
    fn a_stored_summary_reads_back_unchanged(facts in prop::collection::vec(facts(), 0..60)) {
        let summary = Summary::of(&facts);
        let json = serde_json::to_string(&summary).expect("serializes");
        let back: Summary = serde_json::from_str(&json).expect("deserializes");
        prop_assert_eq!(back, summary);
    }
}

#[test]
fn an_attribute_renamed_between_two_days_merges() {
    // Day 1 asks about "attitude"; on day 2 the tenant has renamed it
    // "courtesy".
    let day1 = [surveyed_by(&[("timeliness", 5), ("attitude", 3)]).facts()];
    let day2 = [surveyed_by(&[("timeliness", 4), ("courtesy", 5)]).facts()];
    let mut merged = Summary::of(&day1);
    merged.merge(&Summary::of(&day2));
    assert_eq!(merged, Summary::of(day1.iter().chain(&day2)));

    let r = Report::from(&merged);
    let means: Vec<(&str, f64)> = r
        .mean_ratings
        .iter()
        .map(|(a, m)| (a.as_str(), *m))
        .collect();
    assert_eq!(
        means,
        vec![("attitude", 3.0), ("courtesy", 5.0), ("timeliness", 4.5)],
        "old and new names both present"
    );
    // CSI over both: (4.5 + 3 + 5) / 3 = 4.1667 → 3.1667 / 4 × 100 = 79.17.
    assert_eq!(r.csi, Some(79.17));
    // 5, 3, 4, 5: three of four ratings are 4 or 5.
    assert_eq!(r.satisfaction_rate, Some(0.75));
    assert_eq!(r.surveys, 2);

    // Weights configured after the rename name only the new attribute; the
    // old name still counts, with weight 1:
    // (4.5 + 3 + 3 × 5) / 5 = 4.5 → 87.5.
    let renamed = weights(&[("timeliness", 1.0), ("courtesy", 3.0)]);
    assert_eq!(Report::with_weights(&merged, &renamed).csi, Some(87.5));

    // The merged summary, stored and read back, reports the same.
    let json = serde_json::to_string(&merged).expect("serializes");
    let back: Summary = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, merged);
}

#[test]
fn a_summary_stores_ratings_by_attribute_name() {
    let facts = [surveyed_by(&[("result", 5), ("cleanliness", 2)]).facts()];
    let json = serde_json::to_value(Summary::of(&facts)).expect("serializes");
    assert_eq!(
        json["ratings"],
        serde_json::json!({"cleanliness": [0, 1, 0, 0, 0], "result": [0, 0, 0, 0, 1]})
    );
}

#[test]
fn an_all_zero_tally_merges_as_no_tally() {
    let facts = [surveyed_by(&[("result", 4)]).facts()];
    let summary = Summary::of(&facts);
    let mut json = serde_json::to_value(&summary).expect("serializes");
    json["ratings"]["attitude"] = serde_json::json!([0, 0, 0, 0, 0]);
    let padded: Summary = serde_json::from_value(json).expect("deserializes");
    let mut merged = Summary::new();
    merged.merge(&padded);
    assert_eq!(merged, summary);
    assert_eq!(Report::from(&padded), Report::from(&summary));
}

#[test]
fn merging_an_empty_summary_changes_nothing() {
    let facts = [Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T09:30:00Z")
        .resolved("2026-03-02T11:00:00Z")
        .rated([4, 5, 3, 5])
        .recommends(9)
        .facts()];
    let mut summary = Summary::of(&facts);
    let before = summary.clone();
    summary.merge(&Summary::new());
    assert_eq!(summary, before);
}

#[test]
fn summarize_groups_by_a_dimension() {
    let tickets = [
        Ticket::created("2026-03-02T09:00:00Z"),
        Ticket::created("2026-03-02T09:00:00Z").with(|h| h.dimensions.kind = "installation".into()),
        Ticket::created("2026-03-02T09:00:00Z"),
    ];
    let facts: Vec<TicketFacts> = tickets.iter().map(Ticket::facts).collect();
    let groups = summarize(&facts, Some(Dimension::Kind));
    let counts: Vec<(&str, u64)> = groups
        .iter()
        .map(|(g, s)| (g.as_str(), s.tickets()))
        .collect();
    assert_eq!(counts, vec![("installation", 1), ("repair", 2)]);

    let by_channel = summarize(&facts, Some(Dimension::Channel));
    assert_eq!(by_channel.keys().collect::<Vec<_>>(), vec!["phone"]);
    let all = summarize(&facts, None);
    assert_eq!(all.get("").map(Summary::tickets), Some(3));
}

#[test]
fn a_history_round_trips_to_facts_to_csv() {
    let facts = Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T09:30:00Z")
        .resolved("2026-03-02T11:00:00Z")
        .recommends(3)
        .facts();
    let json = serde_json::to_string(&facts).expect("serializes");
    let back: TicketFacts = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, facts);
    let csv = to_csv(&[("repair".to_owned(), Report::from(&Summary::of([&back])))]);
    let row = csv.split("\r\n").nth(1).expect("a row");
    assert!(row.starts_with("repair,1,1,1,1800,"), "{row}");
    assert!(row.ends_with(",1,,,-100"), "{row}");
}
