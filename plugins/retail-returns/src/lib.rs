//! Returns, exchanges and refunds for retail sales.
//!
//! Owns the kinds `return` and `exchange`; see `README.md` for the rules it
//! decides (R1–R7, N1–N5, W7) and its configuration.

use aftersale_sdk::prelude::*;

mod assess;
mod claim;
mod config;
mod manifest;
mod no_reason;
mod quality;
mod refund;
mod workflow;

pub use config::Config;

/// The retail-returns plugin.
pub struct RetailReturns;

impl Plugin for RetailReturns {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn on_create(snapshot: &Snapshot) -> Decision {
        // A malformed configuration is refused here rather than at approval.
        Config::of(snapshot)?;
        workflow::burden_of_proof(snapshot)
    }

    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        let config = Config::of(snapshot)?;
        match transition.name.as_str() {
            "approve" => workflow::approve(snapshot, &config),
            "receive" => workflow::receive(snapshot, &config),
            "refund" => workflow::refund(snapshot),
            "send_replacement" => workflow::send_replacement(snapshot),
            "reject" => Ok(vec![Effect::cancel_timer(workflow::REFUND_TIMER)]),
            aftersale_sdk::EDIT => edit(snapshot, transition),
            _ => Ok(Vec::new()),
        }
    }

    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        match timer.name.as_str() {
            workflow::REFUND_TIMER => workflow::refund_overdue(snapshot),
            // Host SLA timers (`sla:…`): the host notifies on its own.
            _ => Vec::new(),
        }
    }

    fn action(snapshot: &Snapshot, name: &str, input: &Json) -> Result<ActionOutput, Rejection> {
        match name {
            "assess" => assess::action(snapshot, input),
            _ => Err(Rejection::unknown_action(name)),
        }
    }
}

/// An edit that moves no state: W7 follows the facts it is decided on.
fn edit(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
    let relevant = ["reason", "delivered_at", "sold_at", "reported_at"];
    let changed = transition
        .changed_attributes
        .iter()
        .any(|c| relevant.contains(&c.as_str()));
    if changed && !snapshot.ticket.attributes.has("burden_of_proof") {
        workflow::burden_of_proof(snapshot)
    } else {
        Ok(Vec::new())
    }
}

export_plugin!(RetailReturns);
