//! Consultations and complaints, handled after ISO 10002.
//!
//! See `README.md` for the rules it decides and its configuration.

use aftersale_sdk::prelude::*;
use aftersale_sdk::{Violations, log};

pub mod config;
mod deadlines;
mod manifest;
mod recovery;

pub use config::Config;

use manifest::{ACKNOWLEDGED, CLOSED, COMPLAINT, RESPONDED};
use recovery::SERVICE_RECOVERY;

/// The complaints plugin.
pub struct Complaints;

impl Plugin for Complaints {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn on_create(snapshot: &Snapshot) -> Decision {
        if snapshot.ticket.kind != COMPLAINT {
            return Ok(Vec::new());
        }
        let config = Config::read(snapshot)?;
        let mut violations = Violations::default();
        recovery::check_valid(&snapshot.ticket.attributes, &mut violations);
        violations.into_result()?;
        deadlines::on_received(snapshot, &config)
    }

    fn guard(snapshot: &Snapshot, request: &TransitionRequest) -> Decision {
        if snapshot.ticket.kind != COMPLAINT {
            return Ok(Vec::new());
        }
        let config = Config::read(snapshot)?;
        let attributes = &snapshot.ticket.attributes;
        let closing = request.to == CLOSED && request.from != CLOSED;
        let recovery_changed = request
            .changed_attributes
            .iter()
            .any(|a| a == SERVICE_RECOVERY);

        let mut violations = Violations::default();
        if closing {
            recovery::check_complete(attributes, &mut violations);
        }
        if closing || recovery_changed {
            recovery::check_valid(attributes, &mut violations);
        }
        violations.into_result()?;

        if request.from == request.to {
            return Ok(Vec::new());
        }
        match request.to.as_str() {
            ACKNOWLEDGED => deadlines::on_acknowledged(snapshot, &config),
            RESPONDED => deadlines::on_responded(snapshot, &config),
            _ => Ok(Vec::new()),
        }
    }

    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        match timer.name.as_str() {
            name if name == deadlines::ACKNOWLEDGEMENT.timer => {
                deadlines::on_timer(snapshot, deadlines::ACKNOWLEDGEMENT)
            }
            name if name == deadlines::DECISION.timer => {
                deadlines::on_timer(snapshot, deadlines::DECISION)
            }
            other => {
                log::debug(&format!("no timer `{other}` in this plugin; ignored"));
                Vec::new()
            }
        }
    }
}

export_plugin!(Complaints);
