//! Spare parts as the desk manages them: the catalogue (admin), stock per
//! service point and its ledger (everyone of the tenant reads), and stock
//! received, transferred or returned by hand (people in the field).
//! Reservations, consumption and releases are made by tickets' changes
//! (`change/parts.rs`).

use aftersale_sdk::money::Decimal;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::domain::part::{Balance, Movement, MovementKind, Part, StockLow};
use crate::store::{Commit, PartFilter};

/// The most ledger lines one read returns.
pub const MAX_LEDGER_PAGE: u32 = 500;

/// A new part as an admin describes it.
#[derive(Debug, Clone)]
pub struct NewPart {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: String,
    pub price: Decimal,
    pub compatible_models: Vec<String>,
    pub reorder_point: u32,
}

/// What to change of a part; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct PartChange {
    pub name: Option<String>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub price: Option<Decimal>,
    pub compatible_models: Option<Vec<String>>,
    pub reorder_point: Option<u32>,
    pub active: Option<bool>,
}

/// Stock recorded by hand.
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub sku: String,
    pub kind: MovementKind,
    pub service_point: Uuid,
    pub to_point: Option<Uuid>,
    pub quantity: u32,
    pub note: Option<String>,
}

/// A part's stock at one service point.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PointStock {
    pub service_point: Uuid,
    /// The point's name.
    pub name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    /// At or below the part's reorder point.
    pub low: bool,
}

/// A part's stock across the network, low points first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PartStock {
    pub sku: String,
    pub reorder_point: u32,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub points: Vec<PointStock>,
}

impl Services {
    pub async fn parts(
        &self,
        caller: &Caller,
        filter: &PartFilter,
    ) -> Result<Vec<Part>, ServiceError> {
        Ok(self.store.parts(caller.tenant_id, filter).await?)
    }

    pub async fn part(&self, caller: &Caller, sku: &str) -> Result<Part, ServiceError> {
        self.store
            .part(caller.tenant_id, sku)
            .await?
            .ok_or(ServiceError::NotFound("part"))
    }

    /// Add a part to the catalogue (admin).
    pub async fn create_part(&self, caller: &Caller, new: NewPart) -> Result<Part, ServiceError> {
        caller.may(Permission::ManageParts)?;
        let now = super::now();
        let part = Part {
            sku: new.sku,
            tenant_id: caller.tenant_id,
            name: new.name.trim().to_string(),
            category: new.category.trim().to_string(),
            unit: new.unit.trim().to_string(),
            price: new.price,
            compatible_models: new.compatible_models,
            reorder_point: new.reorder_point,
            active: true,
            created_at: now,
            updated_at: now,
        };
        part.check().map_err(ServiceError::Invalid)?;
        self.store
            .create_part(&part)
            .await
            .map_err(super::accounts::name_taken)?;
        self.record(caller, "part.create", &part.sku, json!(part))
            .await;
        Ok(part)
    }

    /// Change a part of the catalogue (admin).
    pub async fn change_part(
        &self,
        caller: &Caller,
        sku: &str,
        change: PartChange,
    ) -> Result<Part, ServiceError> {
        caller.may(Permission::ManageParts)?;
        let mut part = self.part(caller, sku).await?;
        if let Some(name) = change.name {
            part.name = name.trim().to_string();
        }
        if let Some(category) = change.category {
            part.category = category.trim().to_string();
        }
        if let Some(unit) = change.unit {
            part.unit = unit.trim().to_string();
        }
        if let Some(price) = change.price {
            part.price = price;
        }
        if let Some(models) = change.compatible_models {
            part.compatible_models = models;
        }
        if let Some(reorder_point) = change.reorder_point {
            part.reorder_point = reorder_point;
        }
        if let Some(active) = change.active {
            part.active = active;
        }
        part.updated_at = super::now();
        part.check().map_err(ServiceError::Invalid)?;
        if !self.store.update_part(&part).await? {
            return Err(ServiceError::NotFound("part"));
        }
        self.record(caller, "part.change", &part.sku, json!(part))
            .await;
        Ok(part)
    }

    /// A part's stock at every point that has held it, low points first.
    pub async fn part_stock(&self, caller: &Caller, sku: &str) -> Result<PartStock, ServiceError> {
        let part = self.part(caller, sku).await?;
        let balances = self.store.stock(caller.tenant_id, sku).await?;
        let mut total = Balance::default();
        let mut points = Vec::with_capacity(balances.len());
        for (id, balance) in balances {
            total.on_hand += balance.on_hand;
            total.reserved += balance.reserved;
            let name = match self.store.point(caller.tenant_id, id).await? {
                Some(point) => point.name,
                None => String::new(),
            };
            points.push(PointStock {
                service_point: id,
                name,
                on_hand: balance.on_hand,
                reserved: balance.reserved,
                available: balance.available(),
                low: balance.available() <= i64::from(part.reorder_point),
            });
        }
        points.sort_by(|a, b| b.low.cmp(&a.low).then(a.available.cmp(&b.available)));
        Ok(PartStock {
            sku: part.sku,
            reorder_point: part.reorder_point,
            on_hand: total.on_hand,
            reserved: total.reserved,
            available: total.available(),
            points,
        })
    }

    /// A part's ledger, newest first.
    pub async fn part_movements(
        &self,
        caller: &Caller,
        sku: &str,
        limit: u32,
    ) -> Result<Vec<Movement>, ServiceError> {
        self.part(caller, sku).await?;
        let limit = limit.clamp(1, MAX_LEDGER_PAGE);
        Ok(self.store.movements(caller.tenant_id, sku, limit).await?)
    }

    /// Record stock received, transferred or returned. A transfer takes
    /// only what the point has available; one that takes it to the part's
    /// reorder point raises `stock_low`.
    pub async fn record_movement(
        &self,
        caller: &Caller,
        new: NewMovement,
    ) -> Result<Movement, ServiceError> {
        caller.may(Permission::MoveStock)?;
        if !new.kind.by_hand() {
            return Err(ServiceError::Invalid(format!(
                "a {} is made by a ticket's change (a plugin's reserve-part, the ticket's \
                 resolution or cancellation), not by hand",
                new.kind.as_str()
            )));
        }
        let tenant = caller.tenant_id;
        let part = self.part(caller, &new.sku).await?;
        let movement = Movement {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            sku: part.sku.clone(),
            kind: new.kind,
            service_point: new.service_point,
            to_point: new.to_point,
            quantity: new.quantity,
            ticket: None,
            actor: caller.actor.id.clone(),
            note: new.note,
            at: super::now(),
        };
        movement.check().map_err(ServiceError::Invalid)?;
        let arrives = match movement.kind {
            MovementKind::Transfer => movement.to_point,
            _ => Some(movement.service_point),
        };
        for point in [Some(movement.service_point), arrives]
            .into_iter()
            .flatten()
        {
            let active = self
                .store
                .point(tenant, point)
                .await?
                .is_some_and(|p| p.active);
            // Stock may leave an inactive point, not arrive at one.
            if !active && Some(point) == arrives {
                return Err(ServiceError::Invalid(format!(
                    "{point} is not an active service point of the tenant"
                )));
            }
        }
        let mut alerts = Vec::new();
        if movement.kind == MovementKind::Transfer {
            let available = self
                .store
                .balance(tenant, &part.sku, movement.service_point)
                .await?
                .available();
            if available < i64::from(movement.quantity) {
                return Err(ServiceError::OutOfStock(format!(
                    "service point {} has {available} of `{}` available; the transfer takes {}",
                    movement.service_point, part.sku, movement.quantity
                )));
            }
            alerts.extend(StockLow::after(&part, &movement, available));
        }
        let webhooks = self.catalog.bundle(tenant).await?.webhooks.clone();
        let now = super::now();
        let commit = Commit {
            tenant_id: tenant,
            movements: vec![movement.clone()],
            deliveries: alerts
                .iter()
                .flat_map(|a| super::webhooks::stock_low(&webhooks, a, now))
                .collect(),
            ..Commit::default()
        };
        self.store.commit(&commit).await?;
        Ok(movement)
    }
}
