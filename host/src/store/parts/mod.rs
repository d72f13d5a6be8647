//! Spare parts: the catalogue, the ledger and each point's balance (see
//! [`crate::domain::part`]). Movements are written by a [`super::Commit`]
//! — a ticket's change, or stock recorded by hand — so a reservation is
//! taken in the same transaction as the change that asks for it.

mod sql;

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::{instant, parse};
use crate::domain::part::{Balance, Movement, Part};

/// Which parts to list.
#[derive(Debug, Clone, Default)]
pub struct PartFilter {
    pub category: Option<String>,
    /// Parts that fit this product model.
    pub model: Option<String>,
    /// Inactive parts too.
    pub inactive: bool,
}

/// The tenant's parts and their stock.
#[async_trait]
pub trait Parts: Send + Sync {
    /// Add a part; [`StoreError::Duplicate`] when its SKU is taken.
    async fn create_part(&self, part: &Part) -> Result<(), StoreError>;
    /// Replace a part's fields; `false` when there is no such part.
    async fn update_part(&self, part: &Part) -> Result<bool, StoreError>;
    async fn part(&self, tenant: Uuid, sku: &str) -> Result<Option<Part>, StoreError>;
    /// By SKU.
    async fn parts(&self, tenant: Uuid, filter: &PartFilter) -> Result<Vec<Part>, StoreError>;
    /// A part's stock at every point that has held it.
    async fn stock(&self, tenant: Uuid, sku: &str) -> Result<Vec<(Uuid, Balance)>, StoreError>;
    /// Every part's stock at every point, by SKU.
    async fn all_stock(&self, tenant: Uuid) -> Result<Vec<(String, Uuid, Balance)>, StoreError>;
    /// A part's stock at one point (nothing when it never held it).
    async fn balance(&self, tenant: Uuid, sku: &str, point: Uuid) -> Result<Balance, StoreError>;
    /// A part's ledger, newest first, at most `limit` lines.
    async fn movements(
        &self,
        tenant: Uuid,
        sku: &str,
        limit: u32,
    ) -> Result<Vec<Movement>, StoreError>;
    /// A ticket's lines of the ledger, oldest first.
    async fn movements_of(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Movement>, StoreError>;
}

fn taken(e: sqlx::Error, sku: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(format!("part `{sku}` is in the catalogue already"))
        }
        _ => StoreError::Database(e),
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct PartRow {
    tenant_id: Uuid,
    sku: String,
    name: String,
    category: String,
    unit: String,
    price: String,
    compatible_models: Json<Vec<String>>,
    reorder_point: i64,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PartRow> for Part {
    type Error = StoreError;
    fn try_from(r: PartRow) -> Result<Self, StoreError> {
        Ok(Part {
            tenant_id: r.tenant_id,
            price: r
                .price
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("price `{}`: {e}", r.price)))?,
            sku: r.sku,
            name: r.name,
            category: r.category,
            unit: r.unit,
            compatible_models: r.compatible_models.0,
            reorder_point: u32::try_from(r.reorder_point)
                .map_err(|_| StoreError::Corrupt(format!("reorder point {}", r.reorder_point)))?,
            active: r.active,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct MovementRow {
    tenant_id: Uuid,
    id: Uuid,
    sku: String,
    kind: String,
    service_point: Uuid,
    to_point: Option<Uuid>,
    quantity: i64,
    ticket_id: Option<Uuid>,
    actor: String,
    note: Option<String>,
    at: i64,
}

impl TryFrom<MovementRow> for Movement {
    type Error = StoreError;
    fn try_from(r: MovementRow) -> Result<Self, StoreError> {
        Ok(Movement {
            id: r.id,
            tenant_id: r.tenant_id,
            sku: r.sku,
            kind: parse(&r.kind, "stock_movements.kind")?,
            service_point: r.service_point,
            to_point: r.to_point,
            quantity: u32::try_from(r.quantity)
                .map_err(|_| StoreError::Corrupt(format!("quantity {}", r.quantity)))?,
            ticket: r.ticket_id,
            actor: r.actor,
            note: r.note,
            at: instant(r.at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct StockRow {
    #[sqlx(default)]
    sku: String,
    service_point: Uuid,
    on_hand: i64,
    reserved: i64,
}

impl StockRow {
    fn balance(&self) -> Balance {
        Balance {
            on_hand: self.on_hand,
            reserved: self.reserved,
        }
    }
}
