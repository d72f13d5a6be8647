//! Tests that pin each definition of the standard with hand-computed
//! vectors, plus the merge and histogram properties.

mod durations;
mod first_contact;
mod merge;
mod rates;
mod scores;

use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::domain::{Category, Channel, Priority};

/// An instant from RFC 3339 text.
fn at(text: &str) -> Timestamp {
    text.parse().expect("a valid RFC 3339 instant")
}

/// Milliseconds in `hours` hours (fractions allowed).
fn hours(hours: f64) -> u64 {
    (hours * 3_600_000.0) as u64
}

/// Counts calendar time as it is, and business time as Monday–Friday
/// 09:00–17:00 UTC: simple, additive, and easy to compute by hand.
struct OfficeHours;

impl Elapsed for OfficeHours {
    fn between(&self, from: Timestamp, to: Timestamp, business: bool) -> SignedDuration {
        if !business {
            return to.duration_since(from);
        }
        let mut total = SignedDuration::ZERO;
        let mut day = from.to_zoned_datetime(TimeZone::UTC).date();
        let last = to.to_zoned_datetime(TimeZone::UTC).date();
        while day <= last {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                let open = day
                    .at(9, 0, 0, 0)
                    .to_zoned_datetime(TimeZone::UTC)
                    .expect("UTC")
                    .timestamp();
                let close = day
                    .at(17, 0, 0, 0)
                    .to_zoned_datetime(TimeZone::UTC)
                    .expect("UTC")
                    .timestamp();
                let (start, end) = (open.max(from), close.min(to));
                if start < end {
                    total += end.duration_since(start);
                }
            }
            day = day.tomorrow().expect("not the end of time");
        }
        total
    }
}

/// A ticket history under construction, created at `created` in `new`.
struct Ticket(TicketHistory);

impl Ticket {
    fn created(created: &str) -> Self {
        let created_at = at(created);
        Ticket(TicketHistory {
            created_at,
            dimensions: Dimensions {
                kind: "repair".to_owned(),
                channel: Channel::Phone,
                priority: Priority::P3,
                assignee: None,
                region: None,
                plugin: Some("appliance".to_owned()),
                team: None,
                technician: None,
                service_point: None,
            },
            phases: vec![Phase {
                at: created_at,
                category: Category::New,
            }],
            handling_started_at: None,
            assignments: Vec::new(),
            escalations: Vec::new(),
            on_site_dispatches: Vec::new(),
            complaint: None,
            repair: None,
            survey: None,
            sla: SlaOutcomes::default(),
            field: FieldWork::default(),
        })
    }

    /// Enter a state of `category` at `when`.
    fn enter(mut self, when: &str, category: Category) -> Self {
        self.0.phases.push(Phase {
            at: at(when),
            category,
        });
        self
    }

    /// Handling starts at `when`, and the ticket becomes active.
    fn handled(mut self, when: &str) -> Self {
        self.0.handling_started_at = Some(at(when));
        self.enter(when, Category::Active)
    }

    fn resolved(self, when: &str) -> Self {
        self.enter(when, Category::Resolved)
    }

    fn assign(mut self, when: &str, who: Option<&str>) -> Self {
        self.0.assignments.push(Assignment {
            at: at(when),
            assignee: who.map(str::to_owned),
        });
        self
    }

    fn escalate(mut self, when: &str) -> Self {
        self.0.escalations.push(at(when));
        self
    }

    fn dispatch(mut self, when: &str) -> Self {
        self.0.on_site_dispatches.push(at(when));
        self
    }

    /// Rate the four standard attributes (timeliness, attitude,
    /// professionalism, result); 0 leaves one out.
    fn rated(self, ratings: [u8; 4]) -> Self {
        let named: Vec<(&str, u8)> = Attribute::STANDARD
            .into_iter()
            .zip(ratings)
            .filter(|(_, r)| *r != 0)
            .collect();
        self.rated_by(&named)
    }

    /// Rate attributes by name, replacing any earlier ratings.
    fn rated_by(mut self, ratings: &[(&str, u8)]) -> Self {
        let survey = self.0.survey.get_or_insert_with(SurveyAnswer::default);
        survey.ratings = ratings
            .iter()
            .map(|(name, r)| (attribute(name), Rating::try_from(*r).expect("1–5")))
            .collect();
        self
    }

    fn recommends(mut self, score: u8) -> Self {
        let survey = self.0.survey.get_or_insert_with(SurveyAnswer::default);
        survey.recommendation = Some(Recommendation::try_from(score).expect("0–10"));
        self
    }

    fn with(mut self, change: impl FnOnce(&mut TicketHistory)) -> Self {
        change(&mut self.0);
        self
    }

    /// The facts under the default policy (calendar time, Asia/Shanghai).
    fn facts(&self) -> TicketFacts {
        self.facts_with(&MetricsPolicy::default(), &OfficeHours)
    }

    fn facts_with(&self, policy: &MetricsPolicy, elapsed: &dyn Elapsed) -> TicketFacts {
        self.try_facts(policy, elapsed)
            .expect("a consistent history")
    }

    fn try_facts(
        &self,
        policy: &MetricsPolicy,
        elapsed: &dyn Elapsed,
    ) -> Result<TicketFacts, FactsError> {
        TicketFacts::from(&self.0, policy, elapsed)
    }
}

/// A resolved ticket rated by attribute name.
fn surveyed_by(ratings: &[(&str, u8)]) -> Ticket {
    Ticket::created("2026-03-02T09:00:00Z")
        .handled("2026-03-02T09:10:00Z")
        .resolved("2026-03-02T10:00:00Z")
        .rated_by(ratings)
}

/// The report over some tickets.
fn report(tickets: &[Ticket]) -> Report {
    let facts: Vec<TicketFacts> = tickets.iter().map(Ticket::facts).collect();
    Report::from(&Summary::of(&facts))
}

/// The attribute called `name`.
fn attribute(name: &str) -> Attribute {
    Attribute::new(name).expect("a snake_case name")
}

/// CSI weights by name.
fn weights(weights: &[(&str, f64)]) -> CsiWeights {
    CsiWeights::new(weights.iter().map(|(name, w)| (attribute(name), *w))).expect("valid weights")
}

/// `a` and `b` agree to within `1e-9`.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
