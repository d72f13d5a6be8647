//! A native test harness: run a plugin's hooks with plain `cargo test`.
//!
//! The harness calls the same trait methods the component exports, with
//! snapshots built the way the host builds them: the configuration is the
//! manifest's defaults with the test's overrides merged in, and a transition is
//! looked up in the kind's workflow, so a test cannot ask for an edge the host
//! would refuse.
//!
//! ```
//! use aftersale_sdk::prelude::*;
//! use aftersale_sdk::testing::Harness;
//! # struct Desk;
//! # impl Plugin for Desk {
//! #     fn manifest() -> Manifest {
//! #         ManifestBuilder::new("desk", "0.1.0", "")
//! #             .kind(KindBuilder::new("incident", "Incident")
//! #                 .state("new", "New", Category::New)
//! #                 .state("resolved", "Resolved", Category::Resolved)
//! #                 .transition(
//! #                     Transition::named("resolve", "Resolve")
//! #                         .from(&["new"])
//! #                         .to("resolved")
//! #                         .by(&[Role::Agent]),
//! #                 ))
//! #             .build()
//! #     }
//! # }
//! let desk = Harness::<Desk>::new();
//! let snapshot = desk.snapshot("incident").attr("impact", "high").build();
//! assert!(desk.guard(&snapshot, "resolve").is_ok());
//! ```

use std::marker::PhantomData;

use serde::Serialize;
use serde_json::Value;

use crate::json::{Attributes, Json, merge};
use crate::types::{
    ActionOutput, Actor, Appointment, Audience, Category, Channel, Customer, Effect, Event,
    FiredTimer, FollowUp, Manifest, PriorTicket, Priority, Product, Rating, Rejection, Role,
    Snapshot, SurveyAnswer, Ticket, Timestamp, TransitionRequest,
};
use crate::{Decision, Plugin};

/// Runs the hooks of plugin `P` natively.
pub struct Harness<P> {
    manifest: Manifest,
    plugin: PhantomData<P>,
}

impl<P: Plugin> Default for Harness<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Plugin> Harness<P> {
    /// Read the plugin's manifest.
    pub fn new() -> Self {
        Harness {
            manifest: P::manifest(),
            plugin: PhantomData,
        }
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// A snapshot of a new ticket of `kind`: initial state, default priority,
    /// default configuration, acting agent, `now` 2026-01-10 10:00 Shanghai.
    ///
    /// # Panics
    /// If the plugin does not declare `kind`.
    pub fn snapshot(&self, kind: &str) -> SnapshotBuilder {
        let declared = self
            .manifest
            .kind(kind)
            .unwrap_or_else(|| panic!("the manifest declares no kind `{kind}`"));
        SnapshotBuilder::new(kind)
            .state(&declared.workflow.initial)
            .priority(declared.default_priority)
            .defaults(self.manifest.default_config.clone())
    }

    /// Run `on-create`.
    pub fn on_create(&self, snapshot: &Snapshot) -> Decision {
        P::on_create(snapshot)
    }

    /// Run `guard` for the transition called `name` from the ticket's state.
    ///
    /// # Panics
    /// If the workflow has no such transition from the current state: the host
    /// would refuse it before asking the plugin.
    pub fn guard(&self, snapshot: &Snapshot, name: &str) -> Decision {
        self.guard_with(snapshot, self.transition(snapshot, name))
    }

    /// Run `guard` with a note and the names of changed attributes.
    pub fn guard_noted(
        &self,
        snapshot: &Snapshot,
        name: &str,
        note: Option<&str>,
        changed: &[&str],
    ) -> Decision {
        let mut request = self.transition(snapshot, name);
        request.note = note.map(str::to_string);
        request.changed_attributes = changed.iter().map(|s| s.to_string()).collect();
        self.guard_with(snapshot, request)
    }

    /// Run `guard` for an edit of attributes that moves no state, as the host
    /// asks it: the name `edit`, `from` equal to `to`.
    pub fn edit(&self, snapshot: &Snapshot, note: Option<&str>, changed: &[&str]) -> Decision {
        let state = snapshot.ticket.state.clone();
        self.guard_with(
            snapshot,
            TransitionRequest {
                name: crate::EDIT.into(),
                from: state.clone(),
                to: state,
                note: note.map(str::to_string),
                changed_attributes: changed.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    /// Run `guard` with a hand-made request.
    pub fn guard_with(&self, snapshot: &Snapshot, request: TransitionRequest) -> Decision {
        P::guard(snapshot, &request)
    }

    /// The request the host would build for transition `name`.
    ///
    /// # Panics
    /// If the workflow has no such transition from the current state.
    pub fn transition(&self, snapshot: &Snapshot, name: &str) -> TransitionRequest {
        let ticket = &snapshot.ticket;
        let workflow = &self
            .manifest
            .kind(&ticket.kind)
            .unwrap_or_else(|| panic!("the manifest declares no kind `{}`", ticket.kind))
            .workflow;
        let transition = workflow
            .transition(name)
            .unwrap_or_else(|| panic!("kind `{}` has no transition `{name}`", ticket.kind));
        assert!(
            transition.from.iter().any(|s| s == &ticket.state),
            "transition `{name}` cannot be taken from state `{}` (only from {:?})",
            ticket.state,
            transition.from
        );
        TransitionRequest {
            name: name.into(),
            from: ticket.state.clone(),
            to: transition.to.clone(),
            note: None,
            changed_attributes: Vec::new(),
        }
    }

    /// Run `after` for an event.
    pub fn after(&self, snapshot: &Snapshot, event: &Event) -> Vec<Effect> {
        P::after(snapshot, event)
    }

    /// Run `on-timer` for the timer `name`, due now.
    pub fn on_timer(&self, snapshot: &Snapshot, name: &str, payload: Value) -> Vec<Effect> {
        let timer = FiredTimer {
            name: name.into(),
            due: snapshot.now,
            payload: Json::from(payload),
        };
        P::on_timer(snapshot, &timer)
    }

    /// Run the named action.
    pub fn action(
        &self,
        snapshot: &Snapshot,
        name: &str,
        input: Value,
    ) -> Result<ActionOutput, Rejection> {
        P::action(snapshot, name, &Json::from(input))
    }

    /// Run `on-survey` for a customer's answer.
    pub fn on_survey(&self, snapshot: &Snapshot, answer: &SurveyAnswer) -> Vec<Effect> {
        P::on_survey(snapshot, answer)
    }
}

/// A survey answer with these ratings (attribute, 1–5) and recommendation
/// score, as the host hands it to `on-survey`.
pub fn survey_answer(ratings: &[(&str, u8)], nps: Option<u8>) -> SurveyAnswer {
    SurveyAnswer {
        survey: "survey-1".into(),
        ratings: ratings
            .iter()
            .map(|(attribute, score)| Rating {
                attribute: (*attribute).into(),
                score: *score,
            })
            .collect(),
        nps,
        comment: None,
    }
}

/// Builds a [`Snapshot`] for a test.
#[derive(Debug, Clone)]
pub struct SnapshotBuilder {
    snapshot: Snapshot,
    defaults: Value,
    overrides: Value,
}

/// Parse an RFC 3339 instant, e.g. `2026-03-08T23:59:00+08:00`.
///
/// # Panics
/// On text that is not an instant: it is a mistake in the test.
pub fn at(rfc3339: &str) -> Timestamp {
    rfc3339
        .parse()
        .unwrap_or_else(|e| panic!("`{rfc3339}` is not an RFC 3339 instant: {e}"))
}

impl SnapshotBuilder {
    /// A snapshot of a ticket of `kind` in state `new`.
    pub fn new(kind: &str) -> Self {
        let now = at("2026-01-10T10:00:00+08:00");
        SnapshotBuilder {
            snapshot: Snapshot {
                tenant: "tenant-test".into(),
                time_zone: "Asia/Shanghai".into(),
                now,
                actor: Actor {
                    id: "agent-1".into(),
                    role: Role::Agent,
                },
                ticket: Ticket {
                    id: "01900000-0000-7000-8000-000000000001".into(),
                    kind: kind.into(),
                    title: format!("test {kind}"),
                    description: String::new(),
                    channel: Channel::Phone,
                    customer: Customer {
                        name: "Li Lei".into(),
                        phone: Some("13800000000".into()),
                        ..Customer::default()
                    },
                    product: None,
                    priority: Priority::P3,
                    state: "new".into(),
                    assignee: None,
                    attributes: Attributes::default(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
                history: Vec::new(),
                config: Json::from_text("{}"),
                unit_history: Vec::new(),
                appointment: None,
            },
            defaults: Value::Object(Default::default()),
            overrides: Value::Object(Default::default()),
        }
    }

    fn defaults(mut self, defaults: Value) -> Self {
        self.defaults = defaults;
        self
    }

    /// The ticket's workflow state.
    pub fn state(mut self, state: &str) -> Self {
        self.snapshot.ticket.state = state.into();
        self
    }

    /// Set one attribute.
    pub fn attr(mut self, name: &str, value: impl Serialize) -> Self {
        self.snapshot.ticket.attributes.insert(name, value);
        self
    }

    /// Set attributes from a JSON object.
    ///
    /// # Panics
    /// If `attributes` is not an object.
    pub fn attrs(mut self, attributes: Value) -> Self {
        let Value::Object(map) = attributes else {
            panic!("attributes must be a JSON object");
        };
        for (name, value) in map {
            self.snapshot.ticket.attributes.insert(&name, value);
        }
        self
    }

    /// The product.
    pub fn product(mut self, product: Product) -> Self {
        self.snapshot.ticket.product = Some(product);
        self
    }

    /// The priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.snapshot.ticket.priority = priority;
        self
    }

    /// The channel.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.snapshot.ticket.channel = channel;
        self
    }

    /// The assignee.
    pub fn assignee(mut self, assignee: &str) -> Self {
        self.snapshot.ticket.assignee = Some(assignee.into());
        self
    }

    /// The current instant (RFC 3339).
    pub fn now(mut self, rfc3339: &str) -> Self {
        self.snapshot.now = at(rfc3339);
        self
    }

    /// When the ticket was created (RFC 3339).
    pub fn created(mut self, rfc3339: &str) -> Self {
        self.snapshot.ticket.created_at = at(rfc3339);
        self
    }

    /// The tenant's time zone.
    pub fn time_zone(mut self, zone: &str) -> Self {
        self.snapshot.time_zone = zone.into();
        self
    }

    /// Who acts.
    pub fn actor(mut self, role: Role) -> Self {
        self.snapshot.actor = Actor {
            id: format!("{role:?}-1").to_lowercase(),
            role,
        };
        self
    }

    /// Tenant overrides of the plugin configuration, merged over the
    /// manifest's defaults as the host merges them.
    pub fn config(mut self, overrides: Value) -> Self {
        merge(&mut self.overrides, overrides);
        self
    }

    /// Append an event to the history.
    pub fn event(mut self, kind: &str, rfc3339: &str, data: Value) -> Self {
        let n = self.snapshot.history.len() + 1;
        self.snapshot.history.push(Event {
            id: format!("event-{n}"),
            at: at(rfc3339),
            actor: self.snapshot.actor.clone(),
            kind: kind.into(),
            data: Json::from(data),
        });
        self
    }

    /// Add an earlier ticket of the same unit, newest first as the host
    /// lists them: call it for the latest first. `resolved` is when it was
    /// resolved, if it was.
    pub fn prior(mut self, kind: &str, resolved: Option<&str>, attributes: Value) -> Self {
        let n = self.snapshot.unit_history.len() + 1;
        let resolved_at = resolved.map(at);
        let Value::Object(map) = attributes else {
            panic!("attributes must be a JSON object");
        };
        self.snapshot.unit_history.push(PriorTicket {
            id: format!("prior-{n}"),
            kind: kind.into(),
            state: if resolved_at.is_some() {
                "resolved"
            } else {
                "new"
            }
            .into(),
            category: if resolved_at.is_some() {
                Category::Resolved
            } else {
                Category::New
            },
            created_at: resolved_at.unwrap_or(self.snapshot.now),
            resolved_at,
            attributes: Attributes::from(map),
        });
        self
    }

    /// The appointment booked for the ticket.
    pub fn appointment(mut self, technician: &str, starts: &str, ends: &str) -> Self {
        self.snapshot.appointment = Some(Appointment {
            technician: technician.into(),
            starts_at: at(starts),
            ends_at: at(ends),
        });
        self
    }

    pub fn build(mut self) -> Snapshot {
        let mut config = self.defaults;
        merge(&mut config, self.overrides);
        self.snapshot.config = Json::from(config);
        self.snapshot
    }
}

/// Questions tests ask about a list of effects.
pub trait EffectsExt {
    /// The timer scheduled under `name`: when, and its payload.
    fn timer(&self, name: &str) -> Option<(Timestamp, &Json)>;
    /// The value an attribute is set to.
    fn attribute(&self, name: &str) -> Option<&Value>;
    /// The priority set, if any.
    fn priority(&self) -> Option<Priority>;
    /// The follow-up ticket of `kind`, if any.
    fn follow_up(&self, kind: &str) -> Option<&FollowUp>;
    /// Whether a transition is requested.
    fn requests_transition(&self, name: &str) -> bool;
    /// Whether the timer `name` is cancelled.
    fn cancels_timer(&self, name: &str) -> bool;
    /// Who is notified, with which template, in order.
    fn notices(&self) -> Vec<(Audience, &str)>;
}

impl EffectsExt for [Effect] {
    fn timer(&self, name: &str) -> Option<(Timestamp, &Json)> {
        self.iter().find_map(|e| match e {
            Effect::ScheduleTimer {
                name: n,
                at,
                payload,
            } if n == name => Some((*at, payload)),
            _ => None,
        })
    }

    fn attribute(&self, name: &str) -> Option<&Value> {
        self.iter().find_map(|e| match e {
            Effect::SetAttribute { name: n, value } if n == name => Some(value),
            _ => None,
        })
    }

    fn priority(&self) -> Option<Priority> {
        self.iter().find_map(|e| match e {
            Effect::SetPriority { priority } => Some(*priority),
            _ => None,
        })
    }

    fn follow_up(&self, kind: &str) -> Option<&FollowUp> {
        self.iter().find_map(|e| match e {
            Effect::CreateTicket(f) if f.kind == kind => Some(f),
            _ => None,
        })
    }

    fn requests_transition(&self, name: &str) -> bool {
        self.iter()
            .any(|e| matches!(e, Effect::RequestTransition { transition } if transition == name))
    }

    fn cancels_timer(&self, name: &str) -> bool {
        self.iter()
            .any(|e| matches!(e, Effect::CancelTimer { name: n } if n == name))
    }

    fn notices(&self) -> Vec<(Audience, &str)> {
        self.iter()
            .filter_map(|e| match e {
                Effect::Notify {
                    audience, template, ..
                } => Some((*audience, template.as_str())),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snapshot_json_round_trips() {
        let snapshot = SnapshotBuilder::new("repair")
            .attr("region", "city")
            .event(
                "created",
                "2026-01-10T09:00:00+08:00",
                json!({"state": "new"}),
            )
            .build();
        let text = serde_json::to_string(&snapshot).unwrap();
        let back: Snapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, snapshot);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["ticket"]["attributes"]["region"], "city");
        assert_eq!(value["now"], "2026-01-10T02:00:00Z");
    }

    /// Tells the manager about any rating of 2 or lower.
    struct Recovery;

    impl Plugin for Recovery {
        fn manifest() -> Manifest {
            crate::ManifestBuilder::new("recovery", "0.1.0", "service recovery")
                .kind(crate::KindBuilder::new("repair", "Repair").state(
                    "open",
                    "Open",
                    crate::Category::New,
                ))
                .build()
        }

        fn on_survey(_: &Snapshot, answer: &SurveyAnswer) -> Vec<Effect> {
            match answer.lowest() {
                Some(worst) if worst.score <= 2 => vec![Effect::notify(
                    Audience::Manager,
                    "service-recovery",
                    "Dissatisfied customer",
                    format!("{} rated {}", worst.attribute, worst.score),
                )],
                _ => Vec::new(),
            }
        }
    }

    /// Keeps every default hook.
    struct Quiet;

    impl Plugin for Quiet {
        fn manifest() -> Manifest {
            Recovery::manifest()
        }
    }

    #[test]
    fn on_survey_sees_the_answer_and_a_poor_rating_alerts_the_manager() {
        let recovery = Harness::<Recovery>::new();
        let snapshot = recovery.snapshot("repair").build();
        let poor = survey_answer(&[("timeliness", 4), ("attitude", 2)], Some(6));
        assert_eq!(poor.score("attitude"), Some(2));
        let effects = recovery.on_survey(&snapshot, &poor);
        assert_eq!(effects.notices(), [(Audience::Manager, "service-recovery")]);

        let happy = survey_answer(&[("timeliness", 5), ("attitude", 4)], Some(10));
        assert!(recovery.on_survey(&snapshot, &happy).is_empty());
    }

    #[test]
    fn on_survey_does_nothing_by_default() {
        let quiet = Harness::<Quiet>::new();
        let snapshot = quiet.snapshot("repair").build();
        let poor = survey_answer(&[("result", 1)], None);
        assert!(quiet.on_survey(&snapshot, &poor).is_empty());
    }

    #[test]
    fn survey_answers_read_from_json_as_the_cli_takes_them() {
        let answer: SurveyAnswer = serde_json::from_value(json!({
            "survey": "s-1",
            "ratings": [{"attribute": "result", "score": 3}],
            "nps": 7
        }))
        .unwrap();
        assert_eq!(answer.score("result"), Some(3));
        assert_eq!(answer.comment, None);
    }

    #[test]
    fn effects_answer_what_is_cancelled_and_who_is_told() {
        let effects = [
            Effect::cancel_timer("follow_up"),
            Effect::notify(Audience::Manager, "overdue", "Overdue", "..."),
            Effect::note("seen", true),
            Effect::notify(Audience::Customer, "received", "Received", "..."),
        ];
        assert!(effects.cancels_timer("follow_up"));
        assert!(!effects.cancels_timer("on_site_due"));
        assert_eq!(
            effects.notices(),
            [
                (Audience::Manager, "overdue"),
                (Audience::Customer, "received")
            ]
        );
    }
}
