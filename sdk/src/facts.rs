//! The facts a decision reads: a ticket's attributes and product, with a
//! named action's `input` laid over them.

use serde_json::{Map, Value};

use crate::json::{Attributes, Json};
use crate::types::{Product, Rejection, Ticket};

/// The attributes and product of one ticket, possibly overridden by an
/// action's input, so an action can answer "what if" questions with the
/// same code the hooks decide with.
///
/// ```
/// use aftersale_sdk::{Facts, Json};
/// use aftersale_sdk::testing::SnapshotBuilder;
///
/// let snapshot = SnapshotBuilder::new("repair").attr("region", "city").build();
/// let input = Json::from_text(r#"{"region": "rural", "product": {"category": "tv"}}"#);
/// let facts = Facts::with_input(&snapshot.ticket, &input).unwrap();
/// assert_eq!(facts.attributes.str("region"), Some("rural"));
/// assert_eq!(facts.product.category.as_deref(), Some("tv"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The ticket's attributes, with the input's keys laid over them.
    pub attributes: Attributes,
    /// The ticket's product (empty when it has none), with the input's
    /// `product` fields laid over it.
    pub product: Product,
}

impl Facts {
    /// The ticket as it is.
    pub fn of(ticket: &Ticket) -> Facts {
        Facts {
            attributes: ticket.attributes.clone(),
            product: ticket.product.clone().unwrap_or_default(),
        }
    }

    /// The ticket with `input` laid over it: every key but `product` replaces
    /// the attribute of that name (`null` removes it); `product` is an object
    /// whose fields replace the product's. Empty input, `null` or `{}`
    /// changes nothing; input that is not an object, and a `product` that is
    /// not one or has unknown fields, are `invalid-input` rejections.
    pub fn with_input(ticket: &Ticket, input: &Json) -> Result<Facts, Rejection> {
        let mut facts = Facts::of(ticket);
        if input.as_text().trim().is_empty() {
            // No input at all is the same as `null`.
            return Ok(facts);
        }
        let overrides = match input.value()? {
            Value::Null => return Ok(facts),
            Value::Object(map) => map,
            _ => {
                return Err(Rejection::invalid_input(
                    "the action input must be a JSON object",
                ));
            }
        };
        let mut attributes: Map<String, Value> = facts.attributes.as_map().clone();
        for (name, value) in overrides {
            if name == "product" {
                facts.product = overlay_product(&facts.product, value)?;
            } else if value.is_null() {
                attributes.remove(&name);
            } else {
                attributes.insert(name, value);
            }
        }
        facts.attributes = Attributes::from(attributes);
        Ok(facts)
    }
}

fn overlay_product(product: &Product, overrides: Value) -> Result<Product, Rejection> {
    let Value::Object(overrides) = overrides else {
        return Err(
            Rejection::invalid_input("`product` must be a JSON object").details(["product"])
        );
    };
    let mut merged = match serde_json::to_value(product) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (field, value) in overrides {
        merged.insert(field, value);
    }
    // Unknown fields are refused (`Product` denies them), so a misspelt
    // override cannot silently change nothing.
    serde_json::from_value(Value::Object(merged)).map_err(|e| {
        Rejection::invalid_input(format!("`product` has the wrong shape: {e}")).details(["product"])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SnapshotBuilder;
    use serde_json::json;

    fn ticket() -> Ticket {
        SnapshotBuilder::new("repair")
            .attr("region", "city")
            .attr("pipe_length_m", 4)
            .product(Product {
                category: Some("air_conditioner".into()),
                price: Some("3000.00".into()),
                ..Product::default()
            })
            .build()
            .ticket
    }

    fn with(input: serde_json::Value) -> Result<Facts, Rejection> {
        Facts::with_input(&ticket(), &Json::from(input))
    }

    #[test]
    fn without_input_the_facts_are_the_ticket() {
        let ticket = ticket();
        for input in [
            Json::from_text(""),
            Json::from_text(" null "),
            Json::from(json!({})),
        ] {
            let facts = Facts::with_input(&ticket, &input).unwrap();
            assert_eq!(facts.attributes, ticket.attributes);
            assert_eq!(Some(facts.product), ticket.product);
        }
        let bare = SnapshotBuilder::new("repair").build().ticket;
        assert_eq!(Facts::of(&bare).product, Product::default());
    }

    #[test]
    fn input_replaces_attributes_and_null_removes_them() {
        let facts = with(json!({"region": "rural", "pipe_length_m": null, "new": true})).unwrap();
        assert_eq!(facts.attributes.str("region"), Some("rural"));
        assert!(!facts.attributes.has("pipe_length_m"));
        assert_eq!(facts.attributes.bool("new"), Some(true));
    }

    #[test]
    fn input_replaces_product_fields_one_by_one() {
        let facts =
            with(json!({"product": {"category": "tv", "invoice_date": "2026-01-10"}})).unwrap();
        assert_eq!(facts.product.category.as_deref(), Some("tv"));
        assert_eq!(facts.product.invoice_date.as_deref(), Some("2026-01-10"));
        assert_eq!(facts.product.price.as_deref(), Some("3000.00"));
    }

    #[test]
    fn malformed_input_is_refused() {
        assert_eq!(with(json!([1])).unwrap_err().code, "invalid-input");
        for product in [json!("tv"), json!({"colour": "white"})] {
            let rejection = with(json!({ "product": product })).unwrap_err();
            assert_eq!(rejection.code, "invalid-input");
            assert_eq!(rejection.details, ["product"]);
        }
    }
}
