//! The service metrics of T/GXDSL259—2025, as the standard defines them:
//! response, resolution and lead time, SLA compliance, first-contact
//! resolution, reopen, re-repair and complaint rates, service recoveries,
//! CSI, satisfaction rate and NPS. Pure logic, no I/O.
//!
//! Data flows in three steps, each a type:
//!
//! 1. [`TicketFacts::from`] turns one ticket's [`TicketHistory`] (built by the
//!    host from its event log) into one row of facts. Time is counted through
//!    the host's [`Elapsed`] (calendar or business hours, as the
//!    [`MetricsPolicy`] says) and only outside `waiting`, which is how paused
//!    time is subtracted.
//! 2. [`Summary`] adds facts up into counts, sums and histograms. Summaries
//!    merge exactly, so the host stores one per (tenant, day, dimension
//!    value) and merges them at query time.
//! 3. [`Report`] turns a summary into the numbers the endpoint answers, and
//!    [`to_csv`] writes a list of them.
//!
//! The definitions:
//! - **Response time** (服务响应时间): creation → start of handling (first
//!   staff response or acceptance).
//! - **Resolution time** (服务解决时间): start of handling → first entry into
//!   a `resolved` state. **Lead time**: creation → the same instant.
//! - All three leave out time in `waiting`.
//! - **First-contact resolution rate** (首次解决率): resolved tickets with no
//!   reassignment, escalation or on-site dispatch before resolution, not
//!   reopened within 7 days (T1/T2 day counting), and no attribute rated 1–2,
//!   ÷ resolved tickets.
//! - **Survey attributes** are the tenant's own, identified by a `snake_case`
//!   [`Attribute`] name (by default timeliness, attitude, professionalism
//!   and result). Ratings, summaries and reports carry the names, so a
//!   tenant can add, remove or rename attributes without invalidating what
//!   is stored: a day before the change simply has no ratings for the new
//!   name.
//! - **CSI** (顾客满意度指数): weighted mean of the attributes' mean ratings,
//!   `(mean − 1)/(5 − 1) × 100`, over the attributes rated; [`CsiWeights`]
//!   weigh them by name, 1 when not configured. **Satisfaction rate**:
//!   ratings of 4–5 ÷ all attribute ratings. **NPS**: % of 9–10 − % of 0–6.
//! - **SLA compliance** per target: met ÷ (met + breached), as the host's SLA
//!   clocks decided.
//! - **Re-repair rate** (返修率): re-repairs ÷ repairs. **Complaint rate**:
//!   complaints ÷ tickets. **Service-recovery count**: complaints with a
//!   recovery. **Reopen rate**: reopened ÷ resolved tickets.

mod csv;
mod facts;
mod histogram;
mod history;
mod report;
mod summary;
mod survey;

#[cfg(test)]
mod tests;

pub use csv::to_csv;
pub use facts::{FactsError, FcrExclusion, TicketFacts};
pub use histogram::{LogHistogram, nearest_rank};
pub use history::{
    Assignment, Clock, Complaint, Dimension, Dimensions, Elapsed, FieldWork, MetricsPolicy, Phase,
    Repair, SlaOutcome, SlaOutcomes, TicketHistory,
};
pub use report::{DurationStats, Report, SlaCompliance};
pub use summary::{DurationTally, MetBreached, SlaTally, Summary, SummaryMerger, summarize};
pub use survey::{
    Attribute, CsiWeights, Rating, Ratings, Recommendation, ScoreError, SurveyAnswer,
};
