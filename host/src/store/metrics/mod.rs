//! The standard's metrics as stored: per-ticket facts, written with each
//! change, and their daily rollups per dimension, rebuilt by the rollup job
//! when facts change.

mod sql;

use async_trait::async_trait;
use serde_json::Value;
use uuid::Uuid;

use super::StoreError;

/// The metric facts of one ticket, as JSON, and the tenant-local day they
/// count for.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsRow {
    pub ticket_id: Uuid,
    pub tenant_id: Uuid,
    /// `YYYY-MM-DD` in the tenant's time zone.
    pub day: String,
    pub facts: Value,
}

/// A facts row whose day's rollups are out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyFacts {
    pub ticket_id: Uuid,
    pub revision: i64,
    pub day: String,
}

/// The metrics of one day for one value of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub dimension: String,
    pub day: String,
    pub value: String,
    /// The summary as JSON text. A report over a year merges thousands of
    /// these, so the reader decodes the text straight into its type rather
    /// than through a `Value` first.
    pub summary: String,
}

/// Metric facts and their rollups.
#[async_trait]
pub trait Rollups: Send + Sync {
    /// Facts of a tenant's days, for rebuilding their rollups, as JSON text
    /// (decoded straight into their type by the reader).
    async fn facts_of_days(&self, tenant: Uuid, days: &[String])
    -> Result<Vec<String>, StoreError>;
    /// Rollups of a dimension over `[from, to]` (days, inclusive).
    async fn rollups(
        &self,
        tenant: Uuid,
        dimension: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Rollup>, StoreError>;

    /// Tenants with facts whose rollups are out of date.
    async fn dirty_tenants(&self) -> Result<Vec<Uuid>, StoreError>;
    /// How many facts rows of a tenant are out of date.
    async fn dirty_count(&self, tenant: Uuid) -> Result<u64, StoreError>;
    /// Out-of-date facts rows of a tenant, earliest days first: the rows of
    /// the days holding the first `limit` of them, so every day comes whole
    /// (there can be more than `limit` rows, never fewer unless that is all).
    async fn dirty_facts(&self, tenant: Uuid, limit: u32) -> Result<Vec<DirtyFacts>, StoreError>;
    /// Replace the rollups of some days and mark the facts they were built
    /// from clean (unless they changed again meanwhile), in one transaction.
    async fn replace_rollups(
        &self,
        tenant: Uuid,
        days: &[String],
        rollups: &[Rollup],
        built_from: &[DirtyFacts],
    ) -> Result<(), StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct DirtyRow {
    ticket_id: Uuid,
    revision: i64,
    day: String,
}

impl From<DirtyRow> for DirtyFacts {
    fn from(r: DirtyRow) -> Self {
        DirtyFacts {
            ticket_id: r.ticket_id,
            revision: r.revision,
            day: r.day,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct RollupRow {
    dimension: String,
    day: String,
    value: String,
    summary: String,
}

impl From<RollupRow> for Rollup {
    fn from(r: RollupRow) -> Self {
        Rollup {
            dimension: r.dimension,
            day: r.day,
            value: r.value,
            summary: r.summary,
        }
    }
}
