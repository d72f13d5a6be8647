//! Attachments: a file goes with a ticket (or one of its comments) as an
//! `attached` event, in a change like any other, so plugins' `after` hooks
//! and webhooks see it; its bytes go to the object store first, under the
//! tenant and their SHA-256, with a thumbnail beside a photo.
//!
//! The host decides what a file is from its bytes ([`attachment::sniff`]),
//! and bounds each file, each ticket and each tenant
//! ([`attachment::Limits`]). Two uploads racing for a tenant's last bytes
//! of quota can both be taken: the quota is read before the change, not
//! under its lock.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::change::Change;
use super::{Caller, ServiceError, Services};
use crate::domain::access::Permission;
use crate::domain::attachment::{self, Attachment, MediaType};
use crate::domain::{EventData, thumbnail};
use crate::store::objects::{self, Download, Objects};

/// Where attachments' bytes go, and how much each tenant may keep.
#[derive(Debug, Clone)]
pub struct Files {
    pub objects: Objects,
    pub limits: attachment::Limits,
    /// Thumbnails decode one photo per core at most.
    decoders: Arc<Semaphore>,
}

impl Files {
    pub fn new(objects: Objects, limits: attachment::Limits) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Files {
            objects,
            limits,
            decoders: Arc::new(Semaphore::new(cores)),
        }
    }
}

impl Default for Files {
    fn default() -> Self {
        Files::new(Objects::in_memory(), attachment::Limits::default())
    }
}

/// A file to attach.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the client gave it.
    pub name: String,
    pub bytes: Bytes,
    /// The `seq` of the ticket's comment it belongs to.
    pub comment: Option<i64>,
}

impl Services {
    /// Attach `upload` to ticket `id`.
    pub async fn attach(
        &self,
        caller: &Caller,
        id: Uuid,
        upload: Upload,
    ) -> Result<Attachment, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let limits = self.files.limits;
        let size = upload.bytes.len() as u64;
        if size == 0 {
            return Err(ServiceError::Invalid("the file is empty".into()));
        }
        if size > limits.max_file {
            return Err(ServiceError::TooLarge(format!(
                "the file has {size} bytes; a ticket takes files of at most {} bytes",
                limits.max_file
            )));
        }
        let media = attachment::sniff(&upload.bytes).ok_or_else(|| {
            let kinds: Vec<&str> = MediaType::ALL.iter().map(|m| m.as_str()).collect();
            ServiceError::UnsupportedMedia(format!(
                "the file's bytes are not of a kind a ticket takes ({})",
                kinds.join(", ")
            ))
        })?;
        // Everything is checked before anything is kept: the ticket is the
        // caller's tenant's, the comment is one of its comments (events are
        // never deleted, so it stays one).
        self.ticket(caller, id).await?;
        if let Some(seq) = upload.comment {
            let commented = self
                .store
                .events(caller.tenant_id, id)
                .await?
                .iter()
                .any(|e| e.seq == seq && matches!(e.data, EventData::Commented { .. }));
            if !commented {
                return Err(ServiceError::Invalid(format!(
                    "event {seq} of the ticket is not a comment"
                )));
            }
        }
        let usage = self.store.attachment_usage(caller.tenant_id, id).await?;
        if usage.ticket_files >= limits.per_ticket {
            return Err(ServiceError::QuotaExceeded {
                quota: "ticket_attachments",
                usage: u64::from(usage.ticket_files),
                limit: u64::from(limits.per_ticket),
            });
        }
        if usage.tenant_bytes + size > limits.tenant_quota {
            return Err(ServiceError::QuotaExceeded {
                quota: "attachment_bytes",
                usage: usage.tenant_bytes,
                limit: limits.tenant_quota,
            });
        }
        let sha256 = super::tenants::sha256_hex(&upload.bytes);
        let thumbnail = self
            .keep(caller.tenant_id, &sha256, media, &upload.bytes)
            .await?;
        let attachment = Attachment {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            ticket_id: id,
            comment: upload.comment,
            name: attachment::clean_name(&upload.name, media),
            media_type: media,
            size,
            sha256,
            thumbnail,
            uploaded_by: caller.actor.clone(),
            created_at: super::now(),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ticket = self.ticket(caller, id).await?;
            let bundle = self.catalog.bundle(caller.tenant_id).await?;
            let history = self.store.events(caller.tenant_id, id).await?;
            let mut change = Change::new(self, &bundle, super::now());
            let slot = change.open(ticket, history);
            change.attach(slot, &caller.actor, attachment.clone());
            change.after(slot, 0, caller).await?;
            match self.commit(caller, change, slot).await {
                Err(ServiceError::StaleVersion { .. }) if attempt < super::tickets::RETRIES => {
                    continue;
                }
                Err(e) => return Err(e),
                Ok(_) => return Ok(attachment),
            }
        }
    }

    /// Keep a file's bytes, and a photo's thumbnail; whether it has one.
    async fn keep(
        &self,
        tenant: Uuid,
        sha256: &str,
        media: MediaType,
        bytes: &Bytes,
    ) -> Result<bool, ServiceError> {
        let files = &self.files;
        files
            .objects
            .put(&objects::key(tenant, sha256), bytes.clone())
            .await?;
        if !media.is_image() {
            return Ok(false);
        }
        let permit = files
            .decoders
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ServiceError::Busy("the host is shutting down".into()))?;
        let source = bytes.clone();
        let small = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            thumbnail::of(&source, media)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!("a thumbnail failed: {e}");
            None
        });
        let Some(small) = small else {
            return Ok(false);
        };
        files
            .objects
            .put(&objects::thumbnail_key(tenant, sha256), small.into())
            .await?;
        Ok(true)
    }

    /// The files of ticket `id`, oldest first.
    pub async fn attachments(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<Vec<Attachment>, ServiceError> {
        self.ticket(caller, id).await?;
        Ok(self.store.attachments_of(caller.tenant_id, id).await?)
    }

    /// One file of ticket `id` with its bytes, or its thumbnail's.
    pub async fn attachment_file(
        &self,
        caller: &Caller,
        id: Uuid,
        attachment: Uuid,
        thumbnail: bool,
    ) -> Result<(Attachment, Download), ServiceError> {
        let found = self
            .store
            .attachment(caller.tenant_id, attachment)
            .await?
            .filter(|a| a.ticket_id == id)
            .ok_or(ServiceError::NotFound("attachment"))?;
        let key = if thumbnail {
            if !found.thumbnail {
                return Err(ServiceError::NotFound("thumbnail"));
            }
            objects::thumbnail_key(caller.tenant_id, &found.sha256)
        } else {
            objects::key(caller.tenant_id, &found.sha256)
        };
        let download = self.files.objects.get(&key).await?.ok_or_else(|| {
            ServiceError::Store(crate::store::StoreError::Objects(format!(
                "the bytes of attachment {attachment} are missing ({key})"
            )))
        })?;
        Ok((found, download))
    }
}
