//! IT service desk: incidents, service requests and problems.
//!
//! See `README.md` for the rules it decides and its configuration.

use aftersale_sdk::log;
use aftersale_sdk::prelude::*;

mod auto_close;
mod change;
pub mod config;
mod escalation;
mod major_incident;
mod manifest;
mod priority;

pub use config::Config;

/// The it-support plugin.
pub struct ItSupport;

impl Plugin for ItSupport {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn on_create(snapshot: &Snapshot) -> Decision {
        change::on_create(snapshot)
    }

    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        change::guard(snapshot, transition)
    }

    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        let config = Config::read_or_default(snapshot);
        match timer.name.as_str() {
            auto_close::AUTO_CLOSE => auto_close::on_due(snapshot),
            major_incident::STAKEHOLDER_UPDATE => {
                major_incident::on_update_due(snapshot, &config, timer)
            }
            name if name.starts_with(escalation::SLA_TIMER_PREFIX) => {
                escalation::on_sla_timer(snapshot, &config, name)
            }
            other => {
                log::debug(&format!("no timer `{other}` in this plugin; ignored"));
                Vec::new()
            }
        }
    }

    fn action(snapshot: &Snapshot, name: &str, input: &Json) -> Result<ActionOutput, Rejection> {
        match name {
            manifest::PRIORITY_ACTION => {
                priority::answer(snapshot, &Config::read(snapshot)?, input)
            }
            _ => Err(Rejection::unknown_action(name)),
        }
    }
}

export_plugin!(ItSupport);
