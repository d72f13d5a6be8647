//! Tickets from a CSV document, one per row after the header, in the
//! columns [`export`](super::export) writes: a queue exported from one
//! tenant opens as new tickets in another, and another desk's export comes
//! in once its headers are renamed. What the host decides for a new ticket
//! (its id, state, priority, assignee, times) is read past.

use serde_json::{Map, Value};

use super::{Channel, Customer, NewTicket, Product};

/// Most rows one import takes.
pub const MAX_ROWS: usize = 1_000;

/// The columns an import understands; `kind`, `title` and
/// `customer_name` are required.
pub const COLUMNS: [&str; 17] = [
    "kind",
    "title",
    "description",
    "channel",
    "team",
    "customer_name",
    "customer_phone",
    "customer_email",
    "customer_address",
    "product_sku",
    "product_category",
    "product_model",
    "product_serial",
    "product_price",
    "purchase_date",
    "invoice_date",
    "attributes",
];

/// Columns of an export a new ticket does not take.
const IGNORED: [&str; 7] = [
    "id",
    "state",
    "category",
    "priority",
    "assignee",
    "created_at",
    "updated_at",
];

const REQUIRED: [&str; 3] = ["kind", "title", "customer_name"];

/// A row as a new ticket, with its line in the document (the header is
/// line 1), or why it is none.
pub type Row = (usize, Result<NewTicket, String>);

/// A document's rows as new tickets; `Err` when the document itself is
/// wrong.
pub fn rows(rows: Vec<Vec<String>>) -> Result<Vec<Row>, String> {
    let mut rows = rows.into_iter();
    let header = rows
        .next()
        .ok_or("the document is empty: the first row names the columns")?;
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let known = |h: &String| COLUMNS.contains(&h.as_str()) || IGNORED.contains(&h.as_str());
    if let Some(unknown) = header.iter().find(|h| !known(h)) {
        return Err(format!(
            "unknown column `{unknown}`; the columns are {}",
            COLUMNS.join(", ")
        ));
    }
    for required in REQUIRED {
        if !header.iter().any(|h| h == required) {
            return Err(format!("the column `{required}` is missing"));
        }
    }
    let body: Vec<Vec<String>> = rows.collect();
    if body.is_empty() {
        return Err("the document has no row after the header".into());
    }
    if body.len() > MAX_ROWS {
        return Err(format!(
            "{} rows; one import takes at most {MAX_ROWS}",
            body.len()
        ));
    }
    Ok(body
        .into_iter()
        .enumerate()
        .map(|(i, fields)| (i + 2, ticket(&header, &fields)))
        .collect())
}

fn ticket(header: &[String], fields: &[String]) -> Result<NewTicket, String> {
    if fields.len() != header.len() {
        return Err(format!(
            "{} fields where the header has {}",
            fields.len(),
            header.len()
        ));
    }
    let get = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .map(|i| fields[i].trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let channel = match get("channel") {
        None => Channel::Api,
        Some(c) => serde_json::from_value(Value::String(c.clone())).map_err(|_| {
            format!("`{c}` is not a channel: phone, online, walk_in, onsite, email, api")
        })?,
    };
    let attributes = match get("attributes") {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => map,
            _ => return Err("`attributes` is not a JSON object".into()),
        },
    };
    let product = Product {
        sku: get("product_sku"),
        category: get("product_category"),
        model: get("product_model"),
        serial: get("product_serial"),
        price: get("product_price"),
        purchase_date: get("purchase_date"),
        invoice_date: get("invoice_date"),
        ..Product::default()
    };
    Ok(NewTicket {
        kind: get("kind").ok_or("`kind` is empty")?,
        title: get("title").unwrap_or_default(),
        description: get("description").unwrap_or_default(),
        channel,
        customer: Customer {
            name: get("customer_name").unwrap_or_default(),
            phone: get("customer_phone"),
            email: get("customer_email"),
            address: get("customer_address"),
        },
        product: (product != Product::default()).then_some(product),
        attributes,
        team: get("team"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::csv::parse;

    #[test]
    fn each_row_is_a_ticket_or_says_why_not() {
        let doc = "kind,title,customer_name,customer_phone,product_serial,channel,attributes\n\
                   repair,Fridge warm,王芳,138,SN-1,,\"{\"\"region\"\": \"\"city\"\"}\"\n\
                   repair,No channel,Li,139,,fax,\n\
                   repair,Short row\n";
        let rows = rows(parse(doc).unwrap()).unwrap();
        let (line, first) = &rows[0];
        let first = first.as_ref().unwrap();
        assert_eq!((*line, first.channel), (2, Channel::Api));
        assert_eq!(
            first.product.as_ref().and_then(|p| p.serial.as_deref()),
            Some("SN-1")
        );
        assert_eq!(first.attributes["region"], "city");
        assert!(
            rows[1]
                .1
                .as_ref()
                .unwrap_err()
                .contains("`fax` is not a channel")
        );
        assert_eq!(rows[2].0, 4);
        assert!(
            rows[2]
                .1
                .as_ref()
                .unwrap_err()
                .contains("2 fields where the header has 7")
        );
    }

    #[test]
    fn an_export_reads_back_as_new_tickets() {
        let mut t = crate::domain::search::tests::ticket();
        t.attributes.insert("region".into(), "city".into());
        let doc = crate::domain::export::tickets_csv(std::slice::from_ref(&t));
        let rows = rows(parse(&doc).unwrap()).unwrap();
        let new = rows[0].1.as_ref().unwrap();
        assert_eq!(
            (new.title.as_str(), new.kind.as_str()),
            (t.title.as_str(), t.kind.as_str())
        );
        assert_eq!(new.customer.phone, t.customer.phone);
        assert_eq!(
            new.product.as_ref().and_then(|p| p.serial.clone()),
            Some("SN-2026-0001".into())
        );
        assert_eq!(new.attributes["region"], "city");
    }

    #[test]
    fn a_document_without_the_required_columns_is_refused_whole() {
        let unknown = rows(parse("kind,title,customer_name,colour\nr,t,c,red\n").unwrap());
        assert!(unknown.unwrap_err().contains("unknown column `colour`"));
        let missing = rows(parse("kind,title\nr,t\n").unwrap());
        assert!(missing.unwrap_err().contains("`customer_name` is missing"));
        assert!(rows(parse("kind,title,customer_name\n").unwrap()).is_err());
    }
}
