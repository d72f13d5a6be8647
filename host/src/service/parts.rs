//! Spare parts as the desk manages them: the catalogue (admin), stock per
//! service point and its ledger (everyone of the tenant reads), and stock
//! received, transferred or returned by hand (people in the field).
//! Reservations, consumption and releases are made by tickets' changes
//! (`change/parts.rs`).

use std::collections::HashMap;

use aftersale_sdk::money::Decimal;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::error::ServiceError;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::domain::part::{Balance, Movement, MovementKind, Part, StockLow};
use crate::store::{Commit, PartFilter, PointFilter};

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
        let names = self.point_names(caller).await?;
        Ok(stock_of(&part, balances, &names))
    }

    /// Every active part with its stock, in the catalogue's order.
    pub async fn parts_with_stock(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(Part, PartStock)>, ServiceError> {
        let parts = self.parts(caller, &PartFilter::default()).await?;
        let mut balances: HashMap<String, Vec<(Uuid, Balance)>> = HashMap::new();
        for (sku, point, balance) in self.store.all_stock(caller.tenant_id).await? {
            balances.entry(sku).or_default().push((point, balance));
        }
        let names = self.point_names(caller).await?;
        Ok(parts
            .into_iter()
            .map(|part| {
                let stock = stock_of(
                    &part,
                    balances.remove(&part.sku).unwrap_or_default(),
                    &names,
                );
                (part, stock)
            })
            .collect())
    }

    /// The names of the tenant's service points, inactive ones too.
    async fn point_names(&self, caller: &Caller) -> Result<HashMap<Uuid, String>, ServiceError> {
        let filter = PointFilter {
            inactive: true,
            ..PointFilter::default()
        };
        let points = self.store.points(caller.tenant_id, &filter).await?;
        Ok(points.into_iter().map(|p| (p.id, p.name)).collect())
    }

    /// The stock a ticket reserved, used up or gave back, oldest first.
    pub async fn ticket_parts(
        &self,
        caller: &Caller,
        ticket: Uuid,
    ) -> Result<Vec<Movement>, ServiceError> {
        Ok(self.store.movements_of(caller.tenant_id, ticket).await?)
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
        let movement = Movement {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            sku: new.sku,
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
        let part = match self.store.part(tenant, &movement.sku).await? {
            Some(part) => part,
            None => {
                return Err(ServiceError::Invalid(format!(
                    "`{}` is not a part of the catalogue (GET /parts)",
                    movement.sku
                )));
            }
        };
        // Where the stock arrives (only a transfer names a `to_point`): a
        // point that takes no new work takes no stock either, though stock
        // may still leave it.
        let arrives = movement.to_point.unwrap_or(movement.service_point);
        if !self
            .store
            .point(tenant, arrives)
            .await?
            .is_some_and(|p| p.active)
        {
            return Err(ServiceError::Invalid(format!(
                "{arrives} is not an active service point of the tenant"
            )));
        }
        let mut alert = None;
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
            alert = StockLow::after(&part, &movement, available);
        }
        // Only a transfer takes stock by hand, so only it can raise an alert.
        let deliveries = match &alert {
            Some(alert) => {
                let bundle = self.catalog.bundle(tenant).await?;
                super::webhooks::stock_low(&bundle.webhooks, alert, super::now())
            }
            None => Vec::new(),
        };
        let commit = Commit {
            tenant_id: tenant,
            movements: vec![movement.clone()],
            deliveries,
            ..Commit::default()
        };
        self.store.commit(&commit).await?;
        Ok(movement)
    }
}

/// `part`'s stock from its balances per point, low points first.
fn stock_of(
    part: &Part,
    balances: Vec<(Uuid, Balance)>,
    names: &HashMap<Uuid, String>,
) -> PartStock {
    let mut total = Balance::default();
    let mut points: Vec<PointStock> = balances
        .into_iter()
        .map(|(id, balance)| {
            total.on_hand += balance.on_hand;
            total.reserved += balance.reserved;
            PointStock {
                service_point: id,
                name: names.get(&id).cloned().unwrap_or_default(),
                on_hand: balance.on_hand,
                reserved: balance.reserved,
                available: balance.available(),
                low: balance.available() <= i64::from(part.reorder_point),
            }
        })
        .collect();
    points.sort_by(|a, b| b.low.cmp(&a.low).then(a.available.cmp(&b.available)));
    PartStock {
        sku: part.sku.clone(),
        reorder_point: part.reorder_point,
        on_hand: total.on_hand,
        reserved: total.reserved,
        available: total.available(),
        points,
    }
}
