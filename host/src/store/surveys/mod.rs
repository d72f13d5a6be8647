//! Satisfaction surveys of resolved tickets, reached by the token of their link
//! (kept only as its hash).

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;

/// A satisfaction survey of a resolved ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ticket_id: Uuid,
    /// What the customer's link is looked up by: the SHA-256 (hex) of its
    /// token, or the token itself for a link issued before tokens were kept
    /// hashed. A current token is never stored.
    pub token_key: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub answer: Option<Value>,
}

/// An answer to record, once.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyAnswer {
    pub survey_id: Uuid,
    pub answer: Value,
    pub at: Timestamp,
}

/// Surveys; they are issued and answered as part of a change ([`crate::store::Commit`]).
#[async_trait]
pub trait Surveys: Send + Sync {
    async fn survey_by_token(&self, token: &str) -> Result<Option<Survey>, StoreError>;
    /// Replace every kept token `len` characters long by `rekey(token)`, in
    /// one transaction; how many were replaced.
    async fn rekey_survey_tokens(
        &self,
        len: usize,
        rekey: for<'t> fn(&'t str) -> String,
    ) -> Result<u64, StoreError>;
    async fn survey_of(&self, tenant: Uuid, ticket: Uuid) -> Result<Option<Survey>, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct SurveyRow {
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
