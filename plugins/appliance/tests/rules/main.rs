//! Rule tests of the appliance plugin, run natively through the SDK's
//! harness: each test is named after the rule it checks.

use aftersale_sdk::Product;
use aftersale_sdk::prelude::*;
use aftersale_sdk::testing::{Harness, SnapshotBuilder};

use appliance::Appliance;

mod installation;
mod manifest;
mod quote;
mod repair;
mod visit;
mod warranty;

fn plugin() -> Harness<Appliance> {
    Harness::new()
}

/// An installation in `state`, worked by a technician.
fn installation(state: &str) -> SnapshotBuilder {
    plugin()
        .snapshot("installation")
        .state(state)
        .actor(Role::Technician)
}

/// A repair in `state`, handled at the desk.
fn repair(state: &str) -> SnapshotBuilder {
    plugin().snapshot("repair").state(state)
}

/// A product of `category` invoiced on `invoice_date`.
fn product(category: &str, invoice_date: &str) -> Product {
    Product {
        category: Some(category.into()),
        model: Some("KFR-35GW".into()),
        serial: Some("SN-0001".into()),
        price: Some("3000.00".into()),
        invoice_date: Some(invoice_date.into()),
        purchase_date: Some(invoice_date.into()),
        has_invoice: Some(true),
        has_warranty_card: Some(true),
        ..Product::default()
    }
}

/// A `transitioned` event as the host records it.
fn transitioned(
    builder: SnapshotBuilder,
    at: &str,
    transition: &str,
    from: &str,
    to: &str,
) -> SnapshotBuilder {
    builder.event(
        "transitioned",
        at,
        json!({"transition": transition, "from": from, "to": to, "note": null}),
    )
}
