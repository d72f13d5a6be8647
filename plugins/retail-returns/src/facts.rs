//! The facts a decision reads: the ticket's attributes and product, with a
//! named action's `input` laid over them.

use aftersale_sdk::serde_json::{Map, Value};
use aftersale_sdk::{Attributes, Json, Product, Rejection, Ticket};

/// Attributes and product of one ticket, possibly overridden by an action's
/// input.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub attributes: Attributes,
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
    /// whose fields replace the product's. `null` or `{}` changes nothing.
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
    let mut merged = match aftersale_sdk::serde_json::to_value(product) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (field, value) in overrides {
        merged.insert(field, value);
    }
    // Unknown fields are refused (the SDK's `Product` denies them), so a
    // misspelt override cannot silently change nothing.
    aftersale_sdk::serde_json::from_value(Value::Object(merged)).map_err(|e| {
        Rejection::invalid_input(format!("`product` has the wrong shape: {e}")).details(["product"])
    })
}
