//! The transitions in a ticket's history, read cheaply.
//!
//! Every event's data crosses the boundary as JSON text. Parsing it into a
//! generic value allocates a map per event, which a long history pays for in
//! fuel; the two fields the rules need are read borrowed instead.

use aftersale_sdk::{Snapshot, Timestamp};
use serde::Deserialize;

/// One `transitioned` event: which transition, into which state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Transitioned<'a> {
    #[serde(borrow)]
    pub transition: &'a str,
    #[serde(borrow)]
    pub to: &'a str,
}

/// The transitions taken, oldest first, with when they were taken. Events
/// whose data does not parse are skipped: the host wrote them, and a rule
/// should not fail on one it cannot read.
pub fn transitions(snapshot: &Snapshot) -> impl Iterator<Item = (Timestamp, Transitioned<'_>)> {
    snapshot
        .history
        .iter()
        .filter(|event| event.kind == "transitioned")
        .filter_map(|event| {
            aftersale_sdk::serde_json::from_str::<Transitioned>(event.data.as_text())
                .ok()
                .map(|data| (event.at, data))
        })
}
