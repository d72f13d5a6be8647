//! Attachments: the rows that name a ticket's files (see
//! [`crate::domain::attachment`]). They are written in the commit of the
//! change that records them (`tickets/commit.rs`); their bytes live in the
//! object store ([`super::objects`]).

mod sql;

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreError;
use super::codec::{instant, parse};
use crate::domain::Actor;
use crate::domain::attachment::{Attachment, MediaType};

/// Reading the tenant's attachments.
#[async_trait]
pub trait Attachments: Send + Sync {
    /// A ticket's attachments, oldest first.
    async fn attachments_of(
        &self,
        tenant: Uuid,
        ticket: Uuid,
    ) -> Result<Vec<Attachment>, StoreError>;
    async fn attachment(&self, tenant: Uuid, id: Uuid) -> Result<Option<Attachment>, StoreError>;
    /// Bytes the tenant's attachments count against its quota, and how
    /// many files `ticket` has.
    async fn attachment_usage(&self, tenant: Uuid, ticket: Uuid) -> Result<Usage, StoreError>;
}

/// What a tenant keeps, for its limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub tenant_bytes: u64,
    pub ticket_files: u32,
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct AttachmentRow {
    tenant_id: Uuid,
    id: Uuid,
    ticket_id: Uuid,
    comment_seq: Option<i64>,
    name: String,
    media_type: String,
    size: i64,
    sha256: String,
    thumbnail: bool,
    actor_id: String,
    actor_role: String,
    created_at: i64,
}

impl TryFrom<AttachmentRow> for Attachment {
    type Error = StoreError;
    fn try_from(r: AttachmentRow) -> Result<Self, StoreError> {
        Ok(Attachment {
            id: r.id,
            tenant_id: r.tenant_id,
            ticket_id: r.ticket_id,
            comment: r.comment_seq,
            name: r.name,
            media_type: MediaType::parse(&r.media_type).ok_or_else(|| {
                StoreError::Corrupt(format!("`{}` is not a media type", r.media_type))
            })?,
            size: u64::try_from(r.size)
                .map_err(|_| StoreError::Corrupt(format!("{} bytes is no size", r.size)))?,
            sha256: r.sha256,
            thumbnail: r.thumbnail,
            uploaded_by: Actor {
                id: r.actor_id,
                role: parse(&r.actor_role, "role")?,
            },
            created_at: instant(r.created_at)?,
        })
    }
}
