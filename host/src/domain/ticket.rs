//! Tickets: what a service request is, and what makes a new one valid.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::workflow::Category;

/// The service touch point through which a request came (the standard's
/// 服务接触点, plus e-mail and the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Online,
    WalkIn,
    Onsite,
    Email,
    Api,
}

/// Ticket priority, `P1` most urgent.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    P5,
}

/// The person the service is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The product the service concerns. Dates are ISO 8601, the price a decimal
/// string; plugins read them (the host only stores them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_invoice: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_warranty_card: Option<bool>,
}

/// Longest title a ticket may have, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 20_000;

/// A service request of one tenant. The row in the database is a projection
/// of the ticket's events (see [`crate::domain::event`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    pub product: Option<Product>,
    pub priority: Priority,
    pub state: String,
    /// The category of `state`, kept beside it so the host can reason about
    /// states without the owning plugin's manifest.
    pub category: Category,
    pub assignee: Option<String>,
    /// The team whose queue the ticket is in (see [`super::team`]).
    pub team: Option<String>,
    pub attributes: Map<String, Value>,
    /// Optimistic-concurrency version: the sequence number of the ticket's
    /// last event.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a client supplies to open a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub channel: Channel,
    pub customer: Customer,
    pub product: Option<Product>,
    pub attributes: Map<String, Value>,
    /// The team whose queue it starts in.
    pub team: Option<String>,
}

/// A new ticket that is malformed before any plugin looks at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("the title must not be empty")]
    EmptyTitle,
    #[error("the title is longer than {MAX_TITLE} characters")]
    TitleTooLong,
    #[error("the description is longer than {MAX_DESCRIPTION} characters")]
    DescriptionTooLong,
    #[error("the customer needs a name")]
    CustomerWithoutName,
    #[error(
        "the customer needs a phone number, an email address or a postal address to be reached"
    )]
    CustomerUnreachable,
    #[error("the product price `{0}` is not a decimal amount such as 3000.00")]
    BadPrice(String),
    #[error("the product date `{0}` is not a date such as 2026-01-10")]
    BadDate(String),
}

impl NewTicket {
    /// Check what the host itself requires of every ticket, whatever its kind.
    pub fn validate(&self) -> Result<(), TicketError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(TicketError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE {
            return Err(TicketError::TitleTooLong);
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            return Err(TicketError::DescriptionTooLong);
        }
        let customer = &self.customer;
        if customer.name.trim().is_empty() {
            return Err(TicketError::CustomerWithoutName);
        }
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&customer.phone) && blank(&customer.email) && blank(&customer.address) {
            return Err(TicketError::CustomerUnreachable);
        }
        if let Some(product) = &self.product {
            if let Some(price) = &product.price
                && !is_decimal(price)
            {
                return Err(TicketError::BadPrice(price.clone()));
            }
            for date in [&product.invoice_date, &product.purchase_date]
                .into_iter()
                .flatten()
            {
                if date.parse::<jiff::civil::Date>().is_err() {
                    return Err(TicketError::BadDate(date.clone()));
                }
            }
        }
        Ok(())
    }
}

/// Money is a decimal string with at most two decimals, never a float.
pub fn is_decimal(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() <= 2
        && fraction.chars().all(|c| c.is_ascii_digit())
        && !(text.contains('.') && fraction.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_ticket() -> NewTicket {
        NewTicket {
            kind: "repair".into(),
            title: "Fridge is warm".into(),
            description: String::new(),
            channel: Channel::Phone,
            customer: Customer {
                name: "Wang Fang".into(),
                phone: Some("13900000000".into()),
                ..Customer::default()
            },
            product: None,
            attributes: Map::new(),
            team: None,
        }
    }

    #[test]
    fn a_ticket_needs_a_title_and_a_reachable_customer() {
        assert_eq!(new_ticket().validate(), Ok(()));
        let mut t = new_ticket();
        t.title = "  ".into();
        assert_eq!(t.validate(), Err(TicketError::EmptyTitle));
        let mut t = new_ticket();
        t.customer.phone = None;
        assert_eq!(t.validate(), Err(TicketError::CustomerUnreachable));
    }

    #[test]
    fn prices_are_decimals_with_at_most_two_places() {
        for ok in ["3000", "3000.00", "0.5", "12.34"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "3,000", "1.234", "1e3", "-5", "3000.", ".5"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn product_dates_must_be_dates() {
        let mut t = new_ticket();
        t.product = Some(Product {
            invoice_date: Some("10/01/2026".into()),
            ..Product::default()
        });
        assert_eq!(t.validate(), Err(TicketError::BadDate("10/01/2026".into())));
    }
}
