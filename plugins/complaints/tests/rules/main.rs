//! The complaints rules, one module per rule id, run through the hooks the
//! way the host calls them.

mod c1_acknowledgement;
mod c2_decision;
mod c3_service_recovery;
mod c4_amounts;
mod config;

use aftersale_sdk::prelude::*;
use aftersale_sdk::serde_json::Value;
use aftersale_sdk::testing::{Harness, SnapshotBuilder};
use complaints::Complaints;

fn desk() -> Harness<Complaints> {
    Harness::new()
}

/// A complaint received at `received` (RFC 3339), looked at then.
fn complaint(received: &str) -> SnapshotBuilder {
    desk().snapshot("complaint").created(received).now(received)
}

/// An attribute value as the host stores an instant.
fn instant(rfc3339: &str) -> Value {
    json!(aftersale_sdk::testing::at(rfc3339))
}
