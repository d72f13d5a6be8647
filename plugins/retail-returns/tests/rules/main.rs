//! Rule tests of the retail-returns plugin, run natively through the SDK's
//! harness: each test is named after the rule or public example it checks.

use aftersale_sdk::Product;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{Harness, SnapshotBuilder};

use retail_returns::RetailReturns;

mod examples;
mod manifest;
mod no_reason;
mod quality;
mod workflow;

fn plugin() -> Harness<RetailReturns> {
    Harness::new()
}

/// A return ticket as the desk sees it when the customer asks.
fn return_ticket() -> SnapshotBuilder {
    plugin().snapshot("return")
}

/// An exchange ticket.
fn exchange_ticket() -> SnapshotBuilder {
    plugin().snapshot("exchange")
}

/// A product of `category` sold and invoiced on `invoice_date` for `price`.
fn product(category: &str, price: &str, invoice_date: &str) -> Product {
    Product {
        category: Some(category.into()),
        model: Some("L55M9".into()),
        serial: Some("SN-RETURNED".into()),
        price: Some(price.into()),
        invoice_date: Some(invoice_date.into()),
        purchase_date: Some(invoice_date.into()),
        has_invoice: Some(true),
        has_warranty_card: Some(true),
        ..Product::default()
    }
}

/// A quality fault on a colour TV sold on 2026-01-10 for 3000.00.
fn faulty_tv() -> SnapshotBuilder {
    return_ticket()
        .product(product("colour_tv", "3000.00", "2026-01-10"))
        .attr("reason", "quality_fault")
}

/// The `assess` answer for `builder` with `input`.
fn assess(builder: SnapshotBuilder, input: Value) -> Value {
    plugin()
        .action(&builder.build(), "assess", input)
        .expect("assessed")
        .output
}

/// The `allowed` list of an answer, as plain strings.
fn allowed(answer: &Value) -> Vec<String> {
    answer["allowed"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
