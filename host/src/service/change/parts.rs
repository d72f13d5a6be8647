//! Spare parts in a change: `reserve-part` takes stock for the ticket in
//! the change's own transaction, and a ticket that is resolved consumes
//! what it holds, one that is cancelled releases it.

use super::*;
use crate::domain::part::{self, Held, Movement, MovementKind, Shortage, StockLow};

/// What a plugin's `reserve-part` asked for.
pub(super) struct PartRequest {
    pub sku: String,
    pub quantity: u32,
    /// A service point id; the ticket's when absent.
    pub node: Option<String>,
}

impl<'a> Change<'a> {
    /// `reserve-part`: set the quantity aside at the named service point or
    /// the ticket's (its technician's home point). With too little
    /// available the plugin's configuration decides ([`Shortage`]): refuse
    /// the change, or record a back-order and return the transition that
    /// takes the ticket to `awaiting_parts`, for the caller to request.
    pub(super) async fn reserve_part(
        &mut self,
        slot: Slot,
        label: &str,
        request: PartRequest,
    ) -> Result<Option<String>, ServiceError> {
        let ticket = self.drafts[slot].ticket.clone();
        let tenant = ticket.tenant_id;
        let store = &self.services.store;
        let part = match store.part(tenant, &request.sku).await? {
            Some(part) if part.active => part,
            _ => {
                return Err(ServiceError::Invalid(format!(
                    "reserve-part asks for `{}`, which is not an active part of the catalogue \
                     (GET /parts)",
                    request.sku
                )));
            }
        };
        let point = self
            .reserving_point(&ticket, request.node.as_deref())
            .await?;
        let stored = store.balance(tenant, &part.sku, point).await?.available();
        // What this change has already set aside there is not available twice.
        let pending: i64 = self
            .movements
            .iter()
            .filter(|m| m.kind == MovementKind::Reserve && m.sku == part.sku)
            .filter(|m| m.service_point == point)
            .map(|m| i64::from(m.quantity))
            .sum();
        let available = stored - pending;
        let quantity = request.quantity;
        let plugin = || Some(label.to_string());
        if available >= i64::from(quantity) {
            let reserve = MovementKind::Reserve;
            let movement = self.movement(part.sku.clone(), reserve, point, quantity, &ticket);
            self.alerts
                .extend(StockLow::after(&part, &movement, available));
            let moved = moved(&movement);
            self.movements.push(movement);
            self.record(slot, &Actor::system(), plugin(), moved);
            return Ok(None);
        }
        let config = self
            .bundle
            .kind(&ticket.kind)?
            .config
            .value()
            .unwrap_or_default();
        match Shortage::of(&config).map_err(ServiceError::Invalid)? {
            Shortage::Refuse => Err(ServiceError::OutOfStock(format!(
                "service point {point} has {available} of `{}` available; the change reserves \
                 {quantity}. Receive stock there (POST /stock/movements) or transfer it from \
                 another point",
                part.sku
            ))),
            Shortage::BackOrder => {
                let back_order = EventData::PartBackOrdered {
                    sku: part.sku.clone(),
                    quantity,
                    service_point: point,
                    available,
                };
                self.record(slot, &Actor::system(), plugin(), back_order);
                Ok(self.to_awaiting_parts(slot)?)
            }
        }
    }

    /// The point a reservation takes from: the one named, or the home point
    /// of the technician the ticket is assigned to.
    async fn reserving_point(
        &self,
        ticket: &Ticket,
        node: Option<&str>,
    ) -> Result<Uuid, ServiceError> {
        let store = &self.services.store;
        let tenant = ticket.tenant_id;
        let point = match node {
            Some(node) => Uuid::parse_str(node).map_err(|_| {
                ServiceError::Invalid(format!(
                    "reserve-part names `{node}`, which is not a service point id"
                ))
            })?,
            None => {
                let technician = match &ticket.assignee {
                    Some(login) => store.technician(tenant, login).await?,
                    None => None,
                };
                technician.and_then(|t| t.home_point).ok_or_else(|| {
                    ServiceError::Invalid(
                        "reserve-part: the ticket has no service point to take the part from; \
                         dispatch it to a technician with a home point first"
                            .into(),
                    )
                })?
            }
        };
        match store.point(tenant, point).await? {
            Some(p) if p.active => Ok(point),
            _ => Err(ServiceError::Invalid(format!(
                "reserve-part: {point} is not an active service point of the tenant"
            ))),
        }
    }

    /// The transition the host may take from the ticket's state to
    /// `awaiting_parts`, if its workflow has one.
    fn to_awaiting_parts(&self, slot: Slot) -> Result<Option<String>, ServiceError> {
        let ticket = &self.drafts[slot].ticket;
        let kind = self.bundle.kind(&ticket.kind)?.kind();
        Ok(workflow::available(kind, &ticket.state, Role::System)
            .find(|t| t.to == part::AWAITING_PARTS)
            .map(|t| t.name.clone()))
    }

    /// A line of the ledger for the ticket, made by the host now.
    fn movement(
        &self,
        sku: String,
        kind: MovementKind,
        point: Uuid,
        quantity: u32,
        ticket: &Ticket,
    ) -> Movement {
        Movement {
            id: Uuid::now_v7(),
            tenant_id: ticket.tenant_id,
            sku,
            kind,
            service_point: point,
            to_point: None,
            quantity,
            ticket: Some(ticket.id),
            actor: Actor::system().id,
            note: None,
            at: self.now,
        }
    }

    /// A ticket this change resolves uses up the stock it holds; one it
    /// cancels puts it back on the shelf.
    pub(super) async fn settle_parts(&mut self) -> Result<(), ServiceError> {
        for slot in 0..self.drafts.len() {
            let draft = &self.drafts[slot];
            let last = draft.new.iter().rev().find_map(|e| match &e.data {
                EventData::Transitioned { category, .. } => Some(*category),
                _ => None,
            });
            let kind = match last {
                Some(Category::Resolved) => MovementKind::Consume,
                Some(Category::Cancelled) => MovementKind::Release,
                _ => continue,
            };
            let ticket = draft.ticket.clone();
            let mut ledger = match draft.base {
                Some(_) => {
                    self.services
                        .store
                        .movements_of(ticket.tenant_id, ticket.id)
                        .await?
                }
                None => Vec::new(),
            };
            ledger.extend(
                self.movements
                    .iter()
                    .filter(|m| m.ticket == Some(ticket.id))
                    .cloned(),
            );
            for Held {
                sku,
                service_point,
                quantity,
            } in part::held(&ledger)
            {
                let movement = self.movement(sku, kind, service_point, quantity, &ticket);
                let data = moved(&movement);
                self.movements.push(movement);
                self.record(slot, &Actor::system(), None, data);
            }
        }
        Ok(())
    }
}

/// The ticket's event for a movement of its stock.
fn moved(m: &Movement) -> EventData {
    EventData::PartMoved {
        movement: m.id,
        kind: m.kind,
        sku: m.sku.clone(),
        quantity: m.quantity,
        service_point: m.service_point,
    }
}
