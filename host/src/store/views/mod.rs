//! Saved views of the queue (see [`crate::domain::view`]).

mod sql;

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;
use crate::domain::view::{SavedView, ViewFilter};

/// The tenant's saved views.
#[async_trait]
pub trait Views: Send + Sync {
    /// Keep a view; [`StoreError::Duplicate`] when its owner has one of
    /// that name.
    async fn create_view(&self, view: &SavedView) -> Result<(), StoreError>;
    /// The views `owner` saved and those shared with any of `teams`, by
    /// name.
    async fn views(
        &self,
        tenant: Uuid,
        owner: &str,
        teams: &[String],
    ) -> Result<Vec<SavedView>, StoreError>;
    /// How many views `owner` keeps.
    async fn view_count(&self, tenant: Uuid, owner: &str) -> Result<u64, StoreError>;
    async fn view(&self, tenant: Uuid, id: Uuid) -> Result<Option<SavedView>, StoreError>;
    /// `false` when there is no such view.
    async fn delete_view(&self, tenant: Uuid, id: Uuid) -> Result<bool, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct ViewRow {
    tenant_id: Uuid,
    id: Uuid,
    owner: String,
    name: String,
    team: Option<String>,
    filter: Json<ViewFilter>,
    created_at: i64,
}

impl TryFrom<ViewRow> for SavedView {
    type Error = StoreError;
    fn try_from(r: ViewRow) -> Result<Self, StoreError> {
        Ok(SavedView {
            id: r.id,
            tenant_id: r.tenant_id,
            owner: r.owner,
            name: r.name,
            team: r.team,
            filter: r.filter.0,
            created_at: instant(r.created_at)?,
        })
    }
}
