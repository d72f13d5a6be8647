//! A queue as CSV: one row per ticket, the columns a spreadsheet needs to
//! follow up on the desk's work. Times are UTC (RFC 3339); the attributes
//! are one JSON column, since each kind has its own.

use super::Ticket;
use super::csv::push_row;

/// The header, in the order of [`row`].
const COLUMNS: [&str; 17] = [
    "id",
    "kind",
    "state",
    "category",
    "priority",
    "title",
    "channel",
    "customer_name",
    "customer_phone",
    "customer_email",
    "product_model",
    "product_serial",
    "assignee",
    "team",
    "created_at",
    "updated_at",
    "attributes",
];

/// Every ticket as a CSV document, the header first.
pub fn tickets_csv(tickets: &[Ticket]) -> String {
    let mut out = String::new();
    push_row(&mut out, COLUMNS);
    for t in tickets {
        let cells = row(t);
        push_row(&mut out, cells.iter().map(String::as_str));
    }
    out
}

fn row(t: &Ticket) -> [String; 17] {
    let product = t.product.as_ref();
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    [
        t.id.to_string(),
        t.kind.clone(),
        t.state.clone(),
        name(&t.category),
        name(&t.priority),
        t.title.clone(),
        name(&t.channel),
        t.customer.name.clone(),
        text(t.customer.phone.as_ref()),
        text(t.customer.email.as_ref()),
        text(product.and_then(|p| p.model.as_ref())),
        text(product.and_then(|p| p.serial.as_ref())),
        text(t.assignee.as_ref()),
        text(t.team.as_ref()),
        t.created_at.to_string(),
        t.updated_at.to_string(),
        serde_json::Value::Object(t.attributes.clone()).to_string(),
    ]
}

/// A unit variant by its serialized name (`P3`, `resolved`, `walk_in`).
fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_and_each_row_have_every_column() {
        let csv = super::tickets_csv(&[]);
        assert_eq!(csv.split(',').count(), super::COLUMNS.len());
        assert!(csv.starts_with("id,kind,state,category,priority,title,"));
    }
}
