//! Spare parts (备件保障): a tenant's parts catalogue and the stock each
//! service point holds.
//!
//! Stock is an append-only ledger of movements — received, transferred,
//! reserved for a ticket, consumed by its repair, released when it is
//! cancelled, returned — and a point's stock is what the ledger adds up to
//! ([`balances`]). A reservation takes from what is on hand and not yet
//! reserved; nothing takes more than that, so stock never goes negative.

use std::collections::BTreeMap;

use aftersale_sdk::money::Decimal;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::service_point::text;

/// The most one movement moves.
pub const MAX_QUANTITY: u32 = 100_000;
/// The most compatible models a part lists.
pub const MAX_MODELS: usize = 500;
/// The key of a plugin's configuration that says what a `reserve-part`
/// does when stock is short: [`Shortage`].
pub const SHORTAGE_KEY: &str = "part_shortage";

/// A part of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Part {
    /// Stock-keeping unit, unique within the tenant: letters, digits,
    /// `-`, `_`, `.`.
    pub sku: String,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub name: String,
    pub category: String,
    /// The unit it is counted in: `piece`, `set`, `m`.
    pub unit: String,
    /// Unit price, a decimal amount.
    #[schema(value_type = String, example = "128.50")]
    pub price: Decimal,
    /// Product models it fits; any model when empty.
    pub compatible_models: Vec<String>,
    /// A point whose available stock falls to this or below raises a
    /// `stock_low` alert; 0 for none.
    pub reorder_point: u32,
    /// An inactive part keeps its ledger but is not reserved any more.
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Part {
    /// Whether every field is within bounds.
    pub fn check(&self) -> Result<(), String> {
        check_sku(&self.sku)?;
        text("name", &self.name)?;
        text("category", &self.category)?;
        text("unit", &self.unit)?;
        if self.price.is_sign_negative() {
            return Err(format!("price {} is negative", self.price));
        }
        if self.compatible_models.len() > MAX_MODELS {
            return Err(format!(
                "a part lists at most {MAX_MODELS} compatible models"
            ));
        }
        for model in &self.compatible_models {
            text("a compatible model", model)?;
        }
        if self.reorder_point > MAX_QUANTITY {
            return Err(format!("reorder_point is above {MAX_QUANTITY}"));
        }
        Ok(())
    }

    /// Whether the part fits `model`.
    pub fn fits(&self, model: &str) -> bool {
        self.compatible_models.is_empty() || self.compatible_models.iter().any(|m| m == model)
    }
}

/// A SKU is 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn check_sku(sku: &str) -> Result<(), String> {
    let ok = !sku.is_empty()
        && sku.len() <= 64
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{sku}` is not a SKU: 1 to 64 letters, digits, `-`, `_` or `.`"
        ))
    }
}

/// What a movement does to stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Stock arrives at a point.
    Receive,
    /// Stock moves from one point to another.
    Transfer,
    /// Stock is set aside for a ticket.
    Reserve,
    /// A ticket's reserved stock is used up by its repair.
    Consume,
    /// A ticket's reserved stock goes back to the shelf.
    Release,
    /// A part comes back from the field unused.
    Return,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receive => "receive",
            MovementKind::Transfer => "transfer",
            MovementKind::Reserve => "reserve",
            MovementKind::Consume => "consume",
            MovementKind::Release => "release",
            MovementKind::Return => "return",
        }
    }

    /// Movements a person records by hand; the others are made by tickets'
    /// changes.
    pub fn by_hand(self) -> bool {
        matches!(
            self,
            MovementKind::Receive | MovementKind::Transfer | MovementKind::Return
        )
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Movement {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub sku: String,
    pub kind: MovementKind,
    /// Where the stock is taken from or arrives.
    pub service_point: Uuid,
    /// The receiving point of a transfer.
    pub to_point: Option<Uuid>,
    pub quantity: u32,
    /// The ticket it was reserved for, consumed or released by.
    pub ticket: Option<Uuid>,
    /// Who recorded it (a user id, or `system`).
    pub actor: String,
    pub note: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

impl Movement {
    /// Whether the movement is well-formed for its kind.
    pub fn check(&self) -> Result<(), String> {
        check_sku(&self.sku)?;
        if self.quantity == 0 || self.quantity > MAX_QUANTITY {
            return Err(format!(
                "quantity {} is not between 1 and {MAX_QUANTITY}",
                self.quantity
            ));
        }
        match (self.kind, self.to_point) {
            (MovementKind::Transfer, None) => {
                return Err("a transfer names the point it goes to: to_point".into());
            }
            (MovementKind::Transfer, Some(to)) if to == self.service_point => {
                return Err("a transfer goes to another point than it comes from".into());
            }
            (MovementKind::Transfer, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err("only a transfer names a to_point".into()),
        }
        let for_ticket = matches!(
            self.kind,
            MovementKind::Reserve | MovementKind::Consume | MovementKind::Release
        );
        if for_ticket && self.ticket.is_none() {
            return Err("a reservation, consumption or release names its ticket".into());
        }
        if let Some(note) = &self.note {
            text("note", note)?;
        }
        Ok(())
    }
}

/// A point's stock of one part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// On the shelf, reserved or not.
    pub on_hand: i64,
    /// Set aside for tickets.
    pub reserved: i64,
}

impl Balance {
    /// On hand and not reserved: what a reservation can take.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// The stock the ledger adds up to, per service point.
pub fn balances(movements: &[Movement]) -> BTreeMap<Uuid, Balance> {
    let mut out: BTreeMap<Uuid, Balance> = BTreeMap::new();
    for m in movements {
        let q = i64::from(m.quantity);
        let at = out.entry(m.service_point).or_default();
        match m.kind {
            MovementKind::Receive | MovementKind::Return => at.on_hand += q,
            MovementKind::Transfer => at.on_hand -= q,
            MovementKind::Reserve => at.reserved += q,
            MovementKind::Release => at.reserved -= q,
            MovementKind::Consume => {
                at.reserved -= q;
                at.on_hand -= q;
            }
        }
        if let (MovementKind::Transfer, Some(to)) = (m.kind, m.to_point) {
            out.entry(to).or_default().on_hand += q;
        }
    }
    out
}

/// Stock a ticket holds: reserved, and neither consumed nor released yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub sku: String,
    pub service_point: Uuid,
    pub quantity: u32,
}

/// What a ticket still holds, from its lines of the ledger.
pub fn held(movements: &[Movement]) -> Vec<Held> {
    let mut by_line: BTreeMap<(&str, Uuid), i64> = BTreeMap::new();
    for m in movements {
        let q = i64::from(m.quantity);
        let line = by_line.entry((&m.sku, m.service_point)).or_default();
        match m.kind {
            MovementKind::Reserve => *line += q,
            MovementKind::Consume | MovementKind::Release => *line -= q,
            _ => {}
        }
    }
    by_line
        .into_iter()
        .filter_map(|((sku, service_point), q)| {
            Some(Held {
                sku: sku.to_string(),
                service_point,
                quantity: u32::try_from(q).ok().filter(|q| *q > 0)?,
            })
        })
        .collect()
}

/// Whether going from `before` to `after` available takes a point to its
/// reorder point or below: the moment to raise a `stock_low` alert.
pub fn falls_to_reorder(reorder_point: u32, before: i64, after: i64) -> bool {
    let point = i64::from(reorder_point);
    reorder_point > 0 && after <= point && before > point
}

/// A point's available stock of a part fell to its reorder point: the
/// `stock_low` webhook event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockLow {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub sku: String,
    pub name: String,
    pub service_point: Uuid,
    pub available: i64,
    pub reorder_point: u32,
    /// The ticket whose reservation took it there, if one did.
    pub ticket: Option<Uuid>,
    pub at: Timestamp,
}

impl StockLow {
    /// The alert when `movement` takes `part` at its point from `before`
    /// available to its reorder point or below.
    pub fn after(part: &Part, movement: &Movement, before: i64) -> Option<StockLow> {
        let after = before - i64::from(movement.quantity);
        falls_to_reorder(part.reorder_point, before, after).then(|| StockLow {
            id: Uuid::now_v7(),
            tenant_id: part.tenant_id,
            sku: part.sku.clone(),
            name: part.name.clone(),
            service_point: movement.service_point,
            available: after,
            reorder_point: part.reorder_point,
            ticket: movement.ticket,
            at: movement.at,
        })
    }
}

/// What a `reserve-part` does when the point has less available than asked:
/// the plugin's configuration says, under [`SHORTAGE_KEY`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortage {
    /// Refuse the whole change with `out-of-stock`.
    #[default]
    Refuse,
    /// Record a back-order and move the ticket to `awaiting_parts`.
    BackOrder,
}

impl Shortage {
    /// The behaviour a plugin's configuration chooses; refusal when it says
    /// nothing.
    pub fn of(config: &Value) -> Result<Shortage, String> {
        match config.get(SHORTAGE_KEY) {
            None | Some(Value::Null) => Ok(Shortage::default()),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| format!("`{SHORTAGE_KEY}` is {v}: say \"refuse\" or \"back_order\"")),
        }
    }
}

/// The state a back-ordered ticket waits in.
pub const AWAITING_PARTS: &str = "awaiting_parts";

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(kind: MovementKind, point: Uuid, quantity: u32) -> Movement {
        Movement {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            sku: "CMP-1".into(),
            kind,
            service_point: point,
            to_point: None,
            quantity,
            ticket: Some(Uuid::nil()),
            actor: "system".into(),
            note: None,
            at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_ledger_adds_up_to_each_points_stock() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut transfer = movement(MovementKind::Transfer, a, 3);
        transfer.to_point = Some(b);
        let ledger = vec![
            movement(MovementKind::Receive, a, 10),
            transfer,
            movement(MovementKind::Reserve, a, 4),
            movement(MovementKind::Consume, a, 2),
            movement(MovementKind::Release, a, 1),
            movement(MovementKind::Return, b, 1),
        ];
        let stock = balances(&ledger);
        assert_eq!(
            stock[&a],
            Balance {
                on_hand: 5,
                reserved: 1
            }
        );
        assert_eq!(stock[&a].available(), 4);
        assert_eq!(
            stock[&b],
            Balance {
                on_hand: 4,
                reserved: 0
            }
        );
    }

    #[test]
    fn a_ticket_holds_what_it_reserved_less_what_it_used_or_gave_back() {
        let a = Uuid::now_v7();
        let ledger = vec![
            movement(MovementKind::Reserve, a, 3),
            movement(MovementKind::Consume, a, 1),
            movement(MovementKind::Release, a, 2),
        ];
        assert!(held(&ledger).is_empty());
        let ledger = vec![
            movement(MovementKind::Reserve, a, 3),
            movement(MovementKind::Consume, a, 1),
        ];
        let held = held(&ledger);
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].sku.as_str(), held[0].quantity), ("CMP-1", 2));
    }

    #[test]
    fn the_alert_is_raised_once_when_the_reorder_point_is_reached() {
        assert!(falls_to_reorder(5, 6, 5));
        assert!(falls_to_reorder(5, 9, 0));
        assert!(!falls_to_reorder(5, 5, 4), "below already: raised before");
        assert!(!falls_to_reorder(5, 9, 6));
        assert!(!falls_to_reorder(0, 1, 0), "0 means no alert");
    }

    #[test]
    fn movements_are_checked_for_their_kind() {
        let a = Uuid::now_v7();
        let mut m = movement(MovementKind::Transfer, a, 1);
        assert!(m.check().unwrap_err().contains("to_point"));
        m.to_point = Some(a);
        assert!(m.check().unwrap_err().contains("another point"));
        let mut m = movement(MovementKind::Receive, a, 0);
        assert!(m.check().unwrap_err().contains("quantity 0"));
        m.quantity = 1;
        m.to_point = Some(Uuid::now_v7());
        assert!(m.check().unwrap_err().contains("only a transfer"));
        let mut m = movement(MovementKind::Reserve, a, 1);
        m.ticket = None;
        assert!(m.check().unwrap_err().contains("names its ticket"));
        assert!(check_sku("CMP/1").is_err());
        assert!(check_sku("CMP-1.a_b").is_ok());
    }

    #[test]
    fn shortage_behaviour_is_read_from_the_plugin_configuration() {
        use serde_json::json;
        assert_eq!(Shortage::of(&json!({})), Ok(Shortage::Refuse));
        let back = json!({ "part_shortage": "back_order" });
        assert_eq!(Shortage::of(&back), Ok(Shortage::BackOrder));
        let bad = json!({ "part_shortage": "wait" });
        assert!(Shortage::of(&bad).unwrap_err().contains("back_order"));
    }
}
