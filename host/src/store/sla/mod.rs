//! SLA policies: the targets a tenant sets over its plugins' defaults.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::StoreError;
use super::codec::parse;

/// A tenant's SLA target overriding a plugin's default. `None` matches any
/// kind or priority.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    pub kind: Option<String>,
    pub priority: Option<crate::domain::Priority>,
    pub metric: crate::domain::SlaMetric,
    pub minutes: u32,
    pub business_time: bool,
}

/// A tenant's SLA policies.
#[async_trait]
pub trait SlaPolicies: Send + Sync {
    async fn sla_policies(&self, tenant: Uuid) -> Result<Vec<SlaPolicy>, StoreError>;
    /// Replace every policy of the tenant.
    async fn set_sla_policies(
        &self,
        tenant: Uuid,
        policies: &[SlaPolicy],
        at: Timestamp,
    ) -> Result<(), StoreError>;
}

/// `*` in the table means "any".
pub(in crate::store) const ANY: &str = "*";

#[derive(sqlx::FromRow)]
pub(in crate::store) struct PolicyRow {
    kind: String,
    priority: String,
    metric: String,
    minutes: i64,
    business_time: bool,
}

impl TryFrom<PolicyRow> for SlaPolicy {
    type Error = StoreError;
    fn try_from(r: PolicyRow) -> Result<Self, StoreError> {
        Ok(SlaPolicy {
            kind: (r.kind != ANY).then_some(r.kind),
            priority: if r.priority == ANY {
                None
            } else {
                Some(parse(&r.priority, "priority")?)
            },
            metric: parse(&r.metric, "SLA metric")?,
            minutes: u32::try_from(r.minutes)
                .map_err(|_| StoreError::Corrupt(format!("{} minutes", r.minutes)))?,
            business_time: r.business_time,
        })
    }
}
