//! Rows of the service-level tables, decoded alike from both backends.

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Delivery, DeliveryState, DirtyFacts, Rollup, SlaPolicy, Survey, Webhook};
use crate::store::StoreError;

use crate::store::codec::{instant, parse};

/// `*` in the table means "any".
pub const ANY: &str = "*";

#[derive(sqlx::FromRow)]
pub struct PolicyRow {
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

#[derive(sqlx::FromRow)]
pub struct WebhookRow {
    id: Uuid,
    tenant_id: Uuid,
    url: String,
    secret: String,
    events: Json<Vec<String>>,
    created_at: i64,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(r: WebhookRow) -> Result<Self, StoreError> {
        Ok(Webhook {
            id: r.id,
            tenant_id: r.tenant_id,
            url: r.url,
            secret: r.secret,
            events: r.events.0,
            created_at: instant(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DeliveryRow {
    id: Uuid,
    tenant_id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid,
    event_type: String,
    payload: Json<Value>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(Delivery {
            id: r.id,
            tenant_id: r.tenant_id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            event_type: r.event_type,
            payload: r.payload.0,
            state: parse::<DeliveryState>(&r.state, "delivery state")?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            next_attempt_at: instant(r.next_attempt_at)?,
            last_error: r.last_error,
            created_at: instant(r.created_at)?,
            delivered_at: r.delivered_at.map(instant).transpose()?,
        })
    }
}

pub fn state_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Dead => "dead",
    }
}

#[derive(sqlx::FromRow)]
pub struct SurveyRow {
    id: Uuid,
    tenant_id: Uuid,
    ticket_id: Uuid,
    token: String,
    issued_at: i64,
    expires_at: i64,
    answered_at: Option<i64>,
    answer: Option<Json<Value>>,
}

impl TryFrom<SurveyRow> for Survey {
    type Error = StoreError;
    fn try_from(r: SurveyRow) -> Result<Self, StoreError> {
        Ok(Survey {
            id: r.id,
            tenant_id: r.tenant_id,
            ticket_id: r.ticket_id,
            token_key: r.token,
            issued_at: instant(r.issued_at)?,
            expires_at: instant(r.expires_at)?,
            answered_at: r.answered_at.map(instant).transpose()?,
            answer: r.answer.map(|a| a.0),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DirtyRow {
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
pub struct RollupRow {
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
