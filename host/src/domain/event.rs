//! The append-only event log, and the ticket as a projection of it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::attachment::MediaType;
use super::notification::{Audience, Fallback, Recipient};
use super::part::MovementKind;
use super::ticket::Ticket;
use crate::domain::{Actor, Category, Channel, Customer, Priority, Product, SlaMetric};

/// One change of one ticket. Events are never updated or deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ticket_id: Uuid,
    /// 1 for `created`, then one more per event: the ticket's version after it.
    pub seq: i64,
    pub at: Timestamp,
    pub actor: Actor,
    /// The plugin version that decided this change (`name@version`), if one
    /// did.
    pub plugin: Option<String>,
    #[serde(flatten)]
    pub data: EventData,
}

/// What happened, with the before and after where it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum EventData {
    Created(Box<Created>),
    Transitioned {
        transition: String,
        from: String,
        to: String,
        category: Category,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    AttributeSet {
        name: String,
        before: Value,
        after: Value,
    },
    PrioritySet {
        before: Priority,
        after: Priority,
    },
    Assigned {
        before: Option<String>,
        after: Option<String>,
    },
    /// The ticket moved to another team's queue (or out of any).
    TeamSet {
        before: Option<String>,
        after: Option<String>,
    },
    /// A technician was booked for the ticket (the assignment is the
    /// `assigned` that goes with it).
    Dispatched {
        appointment: Uuid,
        technician: String,
        starts_at: Timestamp,
        ends_at: Timestamp,
        /// The technician's home point, which serves the visit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_point: Option<Uuid>,
    },
    /// Stock moved for the ticket (see [`crate::domain::part`]): reserved
    /// by a plugin's `reserve-part`, consumed when the ticket is resolved,
    /// released when it is cancelled.
    PartMoved {
        movement: Uuid,
        kind: MovementKind,
        sku: String,
        quantity: u32,
        service_point: Uuid,
    },
    /// A `reserve-part` found less available than it asked for, and the
    /// plugin's configuration back-orders: the ticket waits for the part.
    PartBackOrdered {
        sku: String,
        quantity: u32,
        service_point: Uuid,
        available: i64,
    },
    /// A plugin's `escalate`: the ticket goes to the team serving `tier`,
    /// `None` when no team of the tenant serves it (the tenant's admins are
    /// told instead). The move itself is the `team_set` that follows.
    Escalated {
        tier: u8,
        reason: String,
        team: Option<String>,
    },
    Commented {
        body: String,
        internal: bool,
    },
    /// A file was attached (see [`crate::domain::attachment`]); plugins see
    /// what it is, never its bytes.
    Attached {
        attachment: Uuid,
        name: String,
        media_type: MediaType,
        size: u64,
        sha256: String,
        /// The comment it came with, by the comment's `seq`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<i64>,
    },
    /// Another ticket was linked to this one (e.g. a follow-up a plugin
    /// created).
    Linked {
        relation: String,
        ticket: Uuid,
        #[serde(default)]
        outgoing: bool,
    },
    /// An effect that changes nothing on the ticket row itself: a timer, a
    /// part reservation, a refused requested transition.
    PluginEffect {
        effect: Value,
    },
    /// A plugin's `notify`, its audience resolved to the people it reaches
    /// (see [`crate::domain::notification`]).
    Notification {
        audience: Audience,
        /// The plugin's template name, for the tenant's channels to pick a
        /// layout by.
        template: String,
        subject: String,
        body: String,
        recipients: Vec<Recipient>,
        /// Why the tenant's admins stand in for the audience, when they do.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fallback: Option<Fallback>,
    },
    /// A timer a plugin scheduled came due and was handed to `on-timer`.
    TimerFired {
        name: String,
        due: Timestamp,
    },
    /// An SLA clock passed a warning threshold.
    SlaWarning {
        metric: SlaMetric,
        percent: u8,
        due_at: Timestamp,
    },
    /// An SLA clock reached its target while still running.
    SlaBreached {
        metric: SlaMetric,
        due_at: Timestamp,
    },
    /// The customer was sent a satisfaction survey.
    SurveyIssued {
        survey: Uuid,
        expires_at: Timestamp,
    },
    /// The plugin version deciding this ticket failed too often in a row
    /// and is quarantined for the tenant.
    PluginQuarantined {
        plugin: String,
        version: String,
        hash: String,
        failures: u32,
        cause: String,
    },
    /// The customer answered the survey.
    SurveyAnswered {
        survey: Uuid,
        /// Attribute → rating 1–5.
        ratings: Map<String, Value>,
        nps: Option<u8>,
        comment: Option<String>,
    },
}

/// The full initial state of a ticket, so the log alone can rebuild it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    pub product: Option<Product>,
    pub priority: Priority,
    pub state: String,
    pub category: Category,
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub attributes: Map<String, Value>,
}

impl EventData {
    /// The event's kind as stored, e.g. `attribute_set`.
    pub fn kind(&self) -> &'static str {
        match self {
            EventData::Created(_) => "created",
            EventData::Transitioned { .. } => "transitioned",
            EventData::AttributeSet { .. } => "attribute_set",
            EventData::PrioritySet { .. } => "priority_set",
            EventData::Assigned { .. } => "assigned",
            EventData::TeamSet { .. } => "team_set",
            EventData::Escalated { .. } => "escalated",
            EventData::Dispatched { .. } => "dispatched",
            EventData::PartMoved { .. } => "part_moved",
            EventData::PartBackOrdered { .. } => "part_back_ordered",
            EventData::Commented { .. } => "commented",
            EventData::Attached { .. } => "attached",
            EventData::Linked { .. } => "linked",
            EventData::PluginEffect { .. } => "plugin_effect",
            EventData::Notification { .. } => "notification",
            EventData::TimerFired { .. } => "timer_fired",
            EventData::SlaWarning { .. } => "sla_warning",
            EventData::SlaBreached { .. } => "sla_breached",
            EventData::SurveyIssued { .. } => "survey_issued",
            EventData::SurveyAnswered { .. } => "survey_answered",
            EventData::PluginQuarantined { .. } => "plugin_quarantined",
        }
    }

    /// The event's details as a JSON object (the `data` of the contract).
    pub fn to_json(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut map)) => map.remove("data").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Rebuild from the stored kind and data.
    pub fn from_parts(kind: &str, data: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::json!({"kind": kind, "data": data}))
    }
}

/// Apply one event to the ticket it belongs to (`None` before `created`).
///
/// Returns `None` when the event cannot apply: anything but `created` on no
/// ticket.
pub fn apply(ticket: Option<Ticket>, event: &Event) -> Option<Ticket> {
    let mut ticket = match (&event.data, ticket) {
        (EventData::Created(c), _) => Ticket {
            id: event.ticket_id,
            tenant_id: event.tenant_id,
            kind: c.kind.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            channel: c.channel,
            customer: c.customer.clone(),
            product: c.product.clone(),
            priority: c.priority,
            state: c.state.clone(),
            category: c.category,
            assignee: c.assignee.clone(),
            team: c.team.clone(),
            attributes: c.attributes.clone(),
            version: 0,
            created_at: event.at,
            updated_at: event.at,
        },
        (_, None) => return None,
        (_, Some(ticket)) => ticket,
    };
    match &event.data {
        EventData::Created(_) => {}
        EventData::Transitioned { to, category, .. } => {
            ticket.state = to.clone();
            ticket.category = *category;
        }
        EventData::AttributeSet { name, after, .. } => {
            if after.is_null() {
                ticket.attributes.remove(name);
            } else {
                ticket.attributes.insert(name.clone(), after.clone());
            }
        }
        EventData::PrioritySet { after, .. } => ticket.priority = *after,
        EventData::Assigned { after, .. } => ticket.assignee = after.clone(),
        EventData::TeamSet { after, .. } => ticket.team = after.clone(),
        EventData::Commented { .. }
        | EventData::Attached { .. }
        | EventData::Escalated { .. }
        | EventData::Dispatched { .. }
        | EventData::PartMoved { .. }
        | EventData::PartBackOrdered { .. }
        | EventData::Linked { .. }
        | EventData::PluginEffect { .. }
        | EventData::Notification { .. }
        | EventData::TimerFired { .. }
        | EventData::SlaWarning { .. }
        | EventData::SlaBreached { .. }
        | EventData::SurveyIssued { .. }
        | EventData::SurveyAnswered { .. }
        | EventData::PluginQuarantined { .. } => {}
    }
    ticket.version = event.seq;
    ticket.updated_at = event.at;
    Some(ticket)
}

/// Rebuild a ticket from its whole log, oldest event first.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Ticket> {
    events.into_iter().fold(None, apply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use serde_json::json;

    fn event(seq: i64, data: EventData) -> Event {
        Event {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            ticket_id: Uuid::nil(),
            seq,
            at: Timestamp::from_second(1_700_000_000 + seq).unwrap(),
            actor: Actor {
                id: "agent-1".into(),
                role: Role::Agent,
            },
            plugin: None,
            data,
        }
    }

    fn created() -> EventData {
        EventData::Created(Box::new(Created {
            kind: "repair".into(),
            title: "Fridge".into(),
            description: String::new(),
            channel: Channel::Phone,
            customer: Customer {
                name: "Wang".into(),
                ..Customer::default()
            },
            product: None,
            priority: Priority::P3,
            state: "reported".into(),
            category: Category::New,
            assignee: None,
            team: None,
            attributes: Map::new(),
        }))
    }

    #[test]
    fn replaying_the_log_rebuilds_the_ticket() {
        let log = vec![
            event(1, created()),
            event(
                2,
                EventData::AttributeSet {
                    name: "region".into(),
                    before: Value::Null,
                    after: json!("city"),
                },
            ),
            event(
                3,
                EventData::Transitioned {
                    transition: "schedule".into(),
                    from: "reported".into(),
                    to: "scheduled".into(),
                    category: Category::Active,
                    note: None,
                },
            ),
            event(
                4,
                EventData::PrioritySet {
                    before: Priority::P3,
                    after: Priority::P2,
                },
            ),
            event(
                5,
                EventData::AttributeSet {
                    name: "region".into(),
                    before: json!("city"),
                    after: Value::Null,
                },
            ),
        ];
        let ticket = replay(&log).unwrap();
        assert_eq!(ticket.state, "scheduled");
        assert_eq!(ticket.category, Category::Active);
        assert_eq!(ticket.priority, Priority::P2);
        assert!(ticket.attributes.is_empty());
        assert_eq!(ticket.version, 5);
        assert_eq!(ticket.updated_at, log[4].at);
    }

    #[test]
    fn nothing_applies_before_created() {
        let orphan = event(
            1,
            EventData::Commented {
                body: "hi".into(),
                internal: false,
            },
        );
        assert_eq!(apply(None, &orphan), None);
    }

    #[test]
    fn kinds_and_data_round_trip_through_storage() {
        let data = EventData::Assigned {
            before: None,
            after: Some("tech-7".into()),
        };
        let back = EventData::from_parts(data.kind(), data.to_json()).unwrap();
        assert_eq!(back, data);
        assert_eq!(data.to_json(), json!({"before": null, "after": "tech-7"}));
    }
}
