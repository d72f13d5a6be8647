//! The plugin contract's types in idiomatic Rust.
//!
//! Each type mirrors one of `wit/1.2.0/plugin.wit`; the WIT file documents the
//! meaning of every field. These types also define the JSON form of a snapshot
//! that `aftersale plugin run --input` and the native test harness read.

use std::borrow::Cow;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::json::{Attributes, Json};
use crate::period;

/// An instant in time (UTC); the [`jiff`] crate's type, so local dates in the
/// tenant's zone ([`Snapshot::time_zone`]) are one call away.
pub use jiff::Timestamp;

/// What a workflow state means to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    New,
    Active,
    Waiting,
    Resolved,
    Closed,
    Cancelled,
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Agent,
    Technician,
    Partner,
    Viewer,
    Customer,
    System,
}

/// The service touch point through which a request came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Online,
    WalkIn,
    Onsite,
    Email,
    Api,
}

/// Ticket priority, `P1` most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    P5,
}

/// The person the service is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The product the service concerns. Dates are ISO 8601, the price a decimal
/// string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_invoice: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_warranty_card: Option<bool>,
}

impl Product {
    /// `invoice_date` as a calendar date in the tenant's zone `zone`; an
    /// instant's date is taken in that zone. A malformed value is an
    /// `invalid-input` rejection naming `product.invoice_date`.
    pub fn invoice_date_in(&self, zone: &str) -> Result<Option<Date>, Rejection> {
        date_field(self.invoice_date.as_deref(), "product.invoice_date", zone)
    }

    /// `purchase_date` as a calendar date in the tenant's zone `zone`, like
    /// [`Product::invoice_date_in`].
    pub fn purchase_date_in(&self, zone: &str) -> Result<Option<Date>, Rejection> {
        date_field(self.purchase_date.as_deref(), "product.purchase_date", zone)
    }
}

fn date_field(text: Option<&str>, name: &str, zone: &str) -> Result<Option<Date>, Rejection> {
    period::read_named(text, name, |text| period::parse_local_date(text, zone))
}

/// A ticket as the host stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub id: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    pub priority: Priority,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default)]
    pub attributes: Attributes,
    #[serde(default)]
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub role: Role,
}

impl Actor {
    /// The host itself (timers, requested transitions).
    pub fn system() -> Self {
        Actor {
            id: "system".into(),
            role: Role::System,
        }
    }
}

/// One entry of a ticket's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub at: Timestamp,
    pub actor: Actor,
    pub kind: String,
    #[serde(default)]
    pub data: Json,
}

impl Event {
    /// The data of a `transitioned` event; `None` for any other kind, or
    /// data that does not parse (the host wrote it, and a rule should not
    /// fail on an event it cannot read).
    pub fn transitioned(&self) -> Option<Transitioned<'_>> {
        if self.kind != "transitioned" {
            return None;
        }
        serde_json::from_str(self.data.as_text()).ok()
    }
}

/// The data of a `transitioned` event: which transition moved the ticket
/// from which state into which.
///
/// The names are borrowed from the event's JSON text where they can be, so
/// reading a long history does not allocate per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transitioned<'a> {
    /// The transition's name, e.g. `install`.
    #[serde(borrow)]
    pub transition: Cow<'a, str>,
    /// The state before.
    #[serde(borrow)]
    pub from: Cow<'a, str>,
    /// The state after.
    #[serde(borrow)]
    pub to: Cow<'a, str>,
    /// What the state after means to the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The note given with the transition.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub note: Option<Cow<'a, str>>,
}

/// Everything a plugin may base a decision on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub tenant: String,
    pub time_zone: String,
    pub now: Timestamp,
    pub actor: Actor,
    pub ticket: Ticket,
    #[serde(default)]
    pub history: Vec<Event>,
    #[serde(default)]
    pub config: Json,
    /// The unit's earlier tickets (same product serial), newest first, at
    /// most 20 (contract 1.2.0).
    #[serde(default)]
    pub unit_history: Vec<PriorTicket>,
    /// The appointment booked for the ticket, if one stands (contract
    /// 1.2.0).
    #[serde(default)]
    pub appointment: Option<Appointment>,
}

/// An earlier ticket of the same unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorTicket {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub category: Category,
    pub created_at: Timestamp,
    /// When it first entered a `resolved` state.
    #[serde(default)]
    pub resolved_at: Option<Timestamp>,
    #[serde(default)]
    pub attributes: Attributes,
}

/// A technician booked for the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub technician: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

impl Snapshot {
    /// The unit's earlier tickets of `kind` that were resolved, newest
    /// first (contract 1.2.0): its past repairs, say.
    pub fn resolved_earlier<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a PriorTicket> {
        self.unit_history
            .iter()
            .filter(move |prior| prior.kind == kind && prior.resolved_at.is_some())
    }

    /// The transitions taken in the ticket's history, oldest first, each
    /// with when it was taken. Events whose data does not parse are skipped
    /// (see [`Event::transitioned`]).
    pub fn transitions(&self) -> impl Iterator<Item = (Timestamp, Transitioned<'_>)> {
        self.history
            .iter()
            .filter_map(|event| event.transitioned().map(|data| (event.at, data)))
    }
}

/// A requested change of workflow state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub name: String,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub changed_attributes: Vec<String>,
}

/// A timer that has come due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiredTimer {
    pub name: String,
    pub due: Timestamp,
    #[serde(default)]
    pub payload: Json,
}

/// A customer's answer to a ticket's satisfaction survey (contract 1.1.0,
/// `on-survey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// Id of the survey.
    pub survey: String,
    /// One rating per attribute of the tenant's survey.
    pub ratings: Vec<Rating>,
    /// Recommendation score 0–10, when the survey asks for it.
    #[serde(default)]
    pub nps: Option<u8>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl SurveyAnswer {
    /// The score given for `attribute`, if the survey rated it.
    pub fn score(&self, attribute: &str) -> Option<u8> {
        self.ratings
            .iter()
            .find(|r| r.attribute == attribute)
            .map(|r| r.score)
    }

    /// The lowest score of the answer; `None` when nothing was rated.
    pub fn lowest(&self) -> Option<&Rating> {
        self.ratings.iter().min_by_key(|r| r.score)
    }
}

/// One rated aspect of the service, 1 (very dissatisfied) to 5 (very
/// satisfied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The survey attribute, e.g. `timeliness`.
    pub attribute: String,
    pub score: u8,
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Customer,
    Assignee,
    GroupLead,
    Manager,
    Stakeholders,
    Admins,
}

/// A new ticket linked to the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub attributes: Attributes,
    pub relation: String,
}

/// Something the plugin wants the host to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "effect", deny_unknown_fields)]
pub enum Effect {
    SetAttribute {
        name: String,
        value: serde_json::Value,
    },
    SetPriority {
        priority: Priority,
    },
    ScheduleTimer {
        name: String,
        at: Timestamp,
        #[serde(default)]
        payload: Json,
    },
    CancelTimer {
        name: String,
    },
    CreateTicket(FollowUp),
    Notify {
        audience: Audience,
        template: String,
        subject: String,
        body: String,
    },
    AddNote {
        body: String,
        internal: bool,
    },
    RequestTransition {
        transition: String,
    },
    Escalate {
        tier: u8,
        reason: String,
    },
    ReservePart {
        sku: String,
        quantity: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<String>,
    },
}

impl Effect {
    /// Set attribute `name` to `value` (`null` removes it).
    pub fn set_attribute(name: impl Into<String>, value: impl Serialize) -> Self {
        Effect::SetAttribute {
            name: name.into(),
            value: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
        }
    }

    /// Schedule (or replace) the timer `name`.
    pub fn schedule_timer(name: impl Into<String>, at: Timestamp, payload: impl Serialize) -> Self {
        Effect::ScheduleTimer {
            name: name.into(),
            at,
            payload: Json::from_value(payload),
        }
    }

    /// Cancel the pending timer `name`, if any.
    pub fn cancel_timer(name: impl Into<String>) -> Self {
        Effect::CancelTimer { name: name.into() }
    }

    /// Notify someone through the tenant's channels.
    pub fn notify(
        audience: Audience,
        template: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Effect::Notify {
            audience,
            template: template.into(),
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// Add a note to the timeline.
    pub fn note(body: impl Into<String>, internal: bool) -> Self {
        Effect::AddNote {
            body: body.into(),
            internal,
        }
    }

    /// Take the named transition after the current change.
    pub fn request_transition(transition: impl Into<String>) -> Self {
        Effect::RequestTransition {
            transition: transition.into(),
        }
    }

    /// Escalate to a support tier.
    pub fn escalate(tier: u8, reason: impl Into<String>) -> Self {
        Effect::Escalate {
            tier,
            reason: reason.into(),
        }
    }
}

/// A refusal naming the rule that decided and everything that is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Rejection {
    /// A rejection with a machine code (kebab-case) and a message for people.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Rejection {
            code: code.into(),
            message: message.into(),
            rule: None,
            details: Vec::new(),
        }
    }

    /// Name the business rule that decided, e.g. `A3`.
    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// List every individual problem.
    pub fn details<I, S>(mut self, details: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.details = details.into_iter().map(Into::into).collect();
        self
    }

    /// The answer for an action name the plugin does not know.
    pub fn unknown_action(name: &str) -> Self {
        Rejection::new(
            "unknown-action",
            format!("this plugin has no action `{name}`"),
        )
    }

    /// The answer for input that does not have the expected shape.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Rejection::new("invalid-input", message)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(rule) = &self.rule {
            write!(f, "[{rule}] ")?;
        }
        write!(f, "{}", self.message)?;
        if !self.details.is_empty() {
            write!(f, ": {}", self.details.join("; "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}

/// The answer of a named action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionOutput {
    pub output: serde_json::Value,
    #[serde(default)]
    pub effects: Vec<Effect>,
}

impl ActionOutput {
    /// An answer without effects.
    pub fn new(output: impl Serialize) -> Self {
        ActionOutput {
            output: serde_json::to_value(output).unwrap_or(serde_json::Value::Null),
            effects: Vec::new(),
        }
    }

    /// Add effects to the answer.
    pub fn with_effects(mut self, effects: Vec<Effect>) -> Self {
        self.effects = effects;
        self
    }
}

/// One state of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub name: String,
    pub label: String,
    pub category: Category,
}

impl State {
    pub fn new(name: &str, label: &str, category: Category) -> Self {
        State {
            name: name.into(),
            label: label.into(),
            category,
        }
    }
}

/// One named edge of a workflow graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub name: String,
    pub label: String,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<Role>,
}

impl Transition {
    /// A transition named `name`, shown as `label`; [`from`](Self::from),
    /// [`to`](Self::to) and [`by`](Self::by) say where it leads and who may
    /// take it:
    ///
    /// ```
    /// # use aftersale_sdk::{Role, Transition};
    /// let t = Transition::named("install", "Install")
    ///     .from(&["unboxed"])
    ///     .to("installed")
    ///     .by(&[Role::Technician]);
    /// assert_eq!((t.from[0].as_str(), t.to.as_str()), ("unboxed", "installed"));
    /// ```
    pub fn named(name: &str, label: &str) -> Self {
        Transition {
            name: name.into(),
            label: label.into(),
            from: Vec::new(),
            to: String::new(),
            roles: Vec::new(),
        }
    }

    /// The states it may be taken from.
    pub fn from(mut self, states: &[&str]) -> Self {
        self.from = states.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The state it leads to.
    pub fn to(mut self, state: &str) -> Self {
        self.to = state.into();
        self
    }

    /// The roles that may take it.
    pub fn by(mut self, roles: &[Role]) -> Self {
        self.roles = roles.to_vec();
        self
    }
}

/// The states and transitions of one ticket kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub initial: String,
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
}

impl Workflow {
    /// The state called `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The transition called `name`.
    pub fn transition(&self, name: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.name == name)
    }
}

/// Which clock an SLA target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaMetric {
    Response,
    Resolution,
    OnSite,
}

/// A default SLA target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub metric: SlaMetric,
    pub priority: Option<Priority>,
    pub minutes: u32,
    pub business_time: bool,
}

/// A ticket kind the plugin owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kind {
    pub name: String,
    pub label: String,
    pub workflow: Workflow,
    pub attributes_schema: serde_json::Value,
    pub default_priority: Priority,
    pub sla: Vec<SlaTarget>,
}

/// A named decision a client can ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub name: String,
    pub label: String,
    pub kinds: Vec<String>,
    pub roles: Vec<Role>,
    pub input_schema: serde_json::Value,
}

/// Resources a plugin asks for beyond the host's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRequest {
    pub fuel: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub deadline_ms: Option<u32>,
}

/// What a plugin declares about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: String,
    pub kinds: Vec<Kind>,
    pub actions: Vec<Action>,
    pub config_schema: serde_json::Value,
    pub default_config: serde_json::Value,
    #[serde(default)]
    pub resources: ResourceRequest,
}

impl Manifest {
    /// The kind called `name`.
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SnapshotBuilder, at};
    use serde_json::json;

    #[test]
    fn transitions_are_read_from_the_history_oldest_first() {
        let snapshot = SnapshotBuilder::new("repair")
            .event(
                "created",
                "2026-01-10T09:00:00+08:00",
                json!({"state": "new"}),
            )
            .event(
                "transitioned",
                "2026-01-11T09:00:00+08:00",
                json!({"transition": "book", "from": "new", "to": "booked",
                       "category": "active", "note": null}),
            )
            .event(
                "transitioned",
                "2026-01-12T09:00:00+08:00",
                json!({"transition": "repair", "from": "booked", "to": "repaired",
                       "note": "replaced the \"main\" board\nand tested it"}),
            )
            .event(
                "transitioned",
                "2026-01-13T09:00:00+08:00",
                json!({"to": 3}),
            )
            .build();
        let steps: Vec<_> = snapshot.transitions().collect();
        assert_eq!(steps.len(), 2);
        let (when, book) = &steps[0];
        assert_eq!(*when, at("2026-01-11T09:00:00+08:00"));
        assert_eq!(
            (
                book.transition.as_ref(),
                book.from.as_ref(),
                book.to.as_ref()
            ),
            ("book", "new", "booked")
        );
        assert_eq!(book.category, Some(Category::Active));
        assert_eq!(book.note, None);
        let (_, repair) = &steps[1];
        assert_eq!(repair.to, "repaired");
        assert_eq!(repair.category, None);
        assert_eq!(
            repair.note.as_deref(),
            Some("replaced the \"main\" board\nand tested it")
        );
        assert_eq!(snapshot.history[0].transitioned(), None);
    }

    #[test]
    fn product_dates_are_read_in_the_tenant_zone_and_named_when_malformed() {
        let product = Product {
            invoice_date: Some("2026-01-10T23:30:00+08:00".into()),
            purchase_date: Some("10/01/2026".into()),
            ..Product::default()
        };
        assert_eq!(
            product.invoice_date_in("Asia/Shanghai"),
            Ok(Some(Date::constant(2026, 1, 10)))
        );
        assert_eq!(
            product.invoice_date_in("Asia/Tokyo"),
            Ok(Some(Date::constant(2026, 1, 11)))
        );
        let rejection = product.purchase_date_in("Asia/Shanghai").unwrap_err();
        assert_eq!(rejection.details, ["product.purchase_date"]);
        assert_eq!(
            Product::default().purchase_date_in("Asia/Shanghai"),
            Ok(None)
        );
    }
}
