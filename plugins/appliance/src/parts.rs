//! Spare parts a visit needs: the parts the technician records
//! (`parts_needed`) at a repair's diagnosis, or for an installation whose
//! unboxing check fails, are reserved from stock through the host's
//! `reserve-part`, at the service point of the ticket's technician. The
//! host consumes them when the ticket is resolved and releases them when it
//! is cancelled; when a point has too little, the configuration's
//! `part_shortage` says whether the diagnosis is refused or the repair
//! waits for the parts.

use aftersale_sdk::prelude::*;
use serde::Deserialize;

/// One line of `parts_needed`.
#[derive(Debug, Deserialize)]
struct Needed {
    sku: String,
    quantity: u32,
}

/// Reserve every part the ticket's `parts_needed` lists.
pub fn reserve(snapshot: &Snapshot) -> Decision {
    let needed: Vec<Needed> = snapshot
        .ticket
        .attributes
        .parse("parts_needed")?
        .unwrap_or_default();
    Ok(needed
        .into_iter()
        .map(|n| Effect::ReservePart {
            sku: n.sku,
            quantity: n.quantity,
            node: None,
        })
        .collect())
}
