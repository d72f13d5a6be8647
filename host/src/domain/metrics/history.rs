//! What the metrics read about one ticket: a neutral history the host builds
//! from its event log, the policy that says how to count time, and the
//! [`Elapsed`] clock through which the host's business calendar counts it.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::survey::SurveyAnswer;
use crate::domain::{Category, Channel, Priority, SlaMetric};

/// Counts the time between two instants, on the calendar or in business
/// hours. The host implements it with the tenant's business calendar (time
/// zone, working hours, holidays); the metrics never read a calendar
/// themselves.
///
/// The metrics call it only for spans in which the ticket was not paused and
/// add the results up, so an implementation must be additive: `between(a, c)
/// == between(a, b) + between(b, c)` for `a ≤ b ≤ c`, and never negative for
/// `from ≤ to`.
pub trait Elapsed {
    /// The time from `from` to `to`; working time only when `business`.
    fn between(&self, from: Timestamp, to: Timestamp, business: bool) -> SignedDuration;
}

/// Which clock a duration runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Every second counts.
    #[default]
    Calendar,
    /// Only the business calendar's working time counts.
    Business,
}

impl Clock {
    /// The `business` argument of [`Elapsed::between`].
    pub fn is_business(self) -> bool {
        self == Clock::Business
    }
}

/// How the metrics count time for one ticket; the host derives it from the
/// SLA policy that matched the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsPolicy {
    /// The clock of the response time (the policy's response target).
    pub response: Clock,
    /// The clock of the resolution time (the policy's resolution target).
    /// Lead time runs on it too: it has no target of its own, and it answers
    /// the same question from the customer's side.
    pub resolution: Clock,
    /// A reopen within this many days of the first resolution spoils
    /// first-contact resolution. Days are counted as the Civil Code does
    /// (T1/T2): day 1 is the day after the resolution, and the last day ends
    /// at 24:00 in [`MetricsPolicy::time_zone`].
    pub reopen_window_days: u32,
    /// The tenant's IANA time zone, for counting days.
    pub time_zone: String,
}

impl Default for MetricsPolicy {
    fn default() -> Self {
        MetricsPolicy {
            response: Clock::Calendar,
            resolution: Clock::Calendar,
            reopen_window_days: 7,
            time_zone: "Asia/Shanghai".to_owned(),
        }
    }
}

/// One ticket's history, as the metrics need it. The host builds it from the
/// event log; every list is oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketHistory {
    /// When the customer's request was recorded (the ticket's `created`
    /// event).
    pub created_at: Timestamp,
    /// What reports group by.
    pub dimensions: Dimensions,
    /// Every entry into a state, with the state's category: the `created`
    /// event (initial state) and each `transitioned` event. Before the first
    /// phase the ticket counts as `new`. First resolution and reopens are read
    /// from here, so they cannot disagree with the pauses.
    pub phases: Vec<Phase>,
    /// The start of handling: the first staff response (a reply to the
    /// customer) or acceptance, whichever came first. `None` for a ticket
    /// nobody has handled yet; a ticket resolved without an earlier response
    /// counts as handled when it was resolved.
    pub handling_started_at: Option<Timestamp>,
    /// Every `assigned` event, including an assignment at creation.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// When the ticket was escalated (to a higher tier, a group lead, a
    /// manager).
    #[serde(default)]
    pub escalations: Vec<Timestamp>,
    /// When a technician was dispatched on site.
    #[serde(default)]
    pub on_site_dispatches: Vec<Timestamp>,
    /// Set when the ticket is a complaint.
    #[serde(default)]
    pub complaint: Option<Complaint>,
    /// Set when the ticket is a repair.
    #[serde(default)]
    pub repair: Option<Repair>,
    /// The customer's survey answer, if they gave one.
    #[serde(default)]
    pub survey: Option<SurveyAnswer>,
    /// The verdicts of the host's SLA clocks.
    #[serde(default)]
    pub sla: SlaOutcomes,
    /// Technicians' visits and the parts they needed.
    #[serde(default)]
    pub field: FieldWork,
}

/// The values a report can group tickets by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dimensions {
    /// The ticket kind (`repair`, `incident`, …).
    pub kind: String,
    /// The service touch point.
    pub channel: Channel,
    /// The priority (the current one).
    pub priority: Priority,
    /// The current assignee.
    #[serde(default)]
    pub assignee: Option<String>,
    /// The service region (e.g. the appliance plugin's `city|county|rural`).
    #[serde(default)]
    pub region: Option<String>,
    /// The plugin that owns the kind.
    #[serde(default)]
    pub plugin: Option<String>,
    /// The team whose queue the ticket is in.
    #[serde(default)]
    pub team: Option<String>,
    /// The technician last dispatched to it.
    #[serde(default)]
    pub technician: Option<String>,
    /// The service point that technician came from.
    #[serde(default)]
    pub service_point: Option<String>,
}

/// The dimension a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// [`Dimensions::kind`].
    Kind,
    /// [`Dimensions::channel`].
    Channel,
    /// [`Dimensions::priority`].
    Priority,
    /// [`Dimensions::assignee`].
    Assignee,
    /// [`Dimensions::region`].
    Region,
    /// [`Dimensions::plugin`].
    Plugin,
    /// [`Dimensions::team`].
    Team,
    /// [`Dimensions::technician`].
    Technician,
    /// [`Dimensions::service_point`].
    ServicePoint,
}

impl Dimensions {
    /// The group a ticket falls in for `dimension`, spelled as the API spells
    /// the value (`walk_in`, `P2`); an absent value is the empty string.
    pub fn value(&self, dimension: Dimension) -> String {
        match dimension {
            Dimension::Kind => self.kind.clone(),
            Dimension::Channel => channel_name(self.channel).to_owned(),
            Dimension::Priority => priority_name(self.priority).to_owned(),
            Dimension::Assignee => self.assignee.clone().unwrap_or_default(),
            Dimension::Region => self.region.clone().unwrap_or_default(),
            Dimension::Plugin => self.plugin.clone().unwrap_or_default(),
            Dimension::Team => self.team.clone().unwrap_or_default(),
            Dimension::Technician => self.technician.clone().unwrap_or_default(),
            Dimension::ServicePoint => self.service_point.clone().unwrap_or_default(),
        }
    }
}

// Spelled out rather than read back through serde so that a new variant in
// the SDK is a compile error here instead of a silently empty group.
fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => "phone",
        Channel::Online => "online",
        Channel::WalkIn => "walk_in",
        Channel::Onsite => "onsite",
        Channel::Email => "email",
        Channel::Api => "api",
    }
}

fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "P1",
        Priority::P2 => "P2",
        Priority::P3 => "P3",
        Priority::P4 => "P4",
        Priority::P5 => "P5",
    }
}

/// The ticket entered a state of `category` at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// When the state was entered.
    pub at: Timestamp,
    /// What the state means to the host.
    pub category: Category,
}

/// The ticket's assignee became `assignee` at `at` (`None`: unassigned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// When the assignment changed.
    pub at: Timestamp,
    /// The new assignee.
    pub assignee: Option<String>,
}

/// The ticket is a complaint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// A service recovery (补救: apology, compensation, redo) was recorded.
    pub service_recovery: bool,
}

/// Field service on a ticket: how often a technician came, and how the
/// parts the work needed were supplied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldWork {
    /// Entries into the `on_site` state: a technician's visits.
    pub visits: u32,
    /// Part lines requested (`reserve-part`): reserved from stock or
    /// back-ordered.
    pub part_lines: u32,
    /// Of those, reserved from stock at once.
    pub parts_filled: u32,
}

impl FieldWork {
    /// Fixed at the first visit: exactly one visit and no part back-ordered
    /// (一次修复).
    pub fn first_time_fix(&self) -> bool {
        self.visits == 1 && self.parts_filled == self.part_lines
    }
}

/// The ticket is a repair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// The host marked it a re-repair (返修): the same unit with the same
    /// fault within 30 days of an earlier repair (W5).
    pub re_repair: bool,
}

/// What the host's SLA clock decided for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaOutcome {
    /// The measured event happened before the deadline.
    Met,
    /// The deadline passed first (whether or not the event has happened
    /// since).
    Breached,
}

/// The verdict per SLA target. `None` means the ticket has no such target,
/// or its clock is still running with the deadline ahead: it is counted
/// neither way until it is decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaOutcomes {
    /// First response target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<SlaOutcome>,
    /// Resolution target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<SlaOutcome>,
    /// On-site arrival target (field service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_site: Option<SlaOutcome>,
}

impl SlaOutcomes {
    /// The verdict for one target.
    pub fn get(&self, metric: SlaMetric) -> Option<SlaOutcome> {
        match metric {
            SlaMetric::Response => self.response,
            SlaMetric::Resolution => self.resolution,
            SlaMetric::OnSite => self.on_site,
        }
    }
}
