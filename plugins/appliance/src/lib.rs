//! Installation and repair of household appliances.
//!
//! Owns the kinds `installation` and `repair`; see `README.md` for the rules
//! it decides (A1–A6, W1–W7) and its configuration.

use aftersale_sdk::prelude::*;

mod config;
mod installation;
mod manifest;
mod parts;
mod quote;
mod repair;
mod visit;
mod warranty;

pub use config::{Config, PartShortage};

/// The appliance plugin.
pub struct Appliance;

impl Plugin for Appliance {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn on_create(snapshot: &Snapshot) -> Decision {
        let config = Config::of(snapshot)?;
        let mut effects = visit::arrival_target(snapshot, &config)?;
        if snapshot.ticket.kind == "repair" {
            effects.extend(repair::on_create(snapshot)?);
            effects.extend(warranty::burden_of_proof(snapshot)?);
        }
        Ok(effects)
    }

    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        let config = Config::of(snapshot)?;
        let kind = snapshot.ticket.kind.as_str();
        match (kind, transition.name.as_str()) {
            (_, "check_in") => visit::check_in(snapshot),
            ("installation", "unbox") => installation::unbox(snapshot, &config),
            ("installation", "install") => installation::install(snapshot),
            ("installation", "accept") => {
                installation::accept(snapshot, &config)?;
                visit::follow_up_timer(snapshot, &config)
            }
            ("repair", "diagnose") => parts::reserve(snapshot),
            ("repair", "repair") => visit::follow_up_timer(snapshot, &config),
            ("repair", "reopen") => repair::reopen(snapshot),
            ("repair", "replace") => repair::replace(snapshot, &config),
            (_, "follow_up") => Ok(vec![Effect::cancel_timer(visit::FOLLOW_UP_TIMER)]),
            (_, "cancel") => Ok(vec![
                Effect::cancel_timer(visit::ON_SITE_TIMER),
                Effect::cancel_timer(repair::W4_TIMER),
            ]),
            (_, aftersale_sdk::EDIT) => edit(snapshot, transition, &config),
            _ => Ok(Vec::new()),
        }
    }

    fn after(snapshot: &Snapshot, event: &Event) -> Vec<Effect> {
        if event.kind != "dispatched" {
            return Vec::new();
        }
        // An `after` hook cannot refuse; a malformed target just says nothing.
        visit::booked(snapshot).unwrap_or_default()
    }

    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        match timer.name.as_str() {
            visit::ON_SITE_TIMER => visit::on_site_overdue(snapshot),
            visit::FOLLOW_UP_TIMER => visit::follow_up_due(snapshot),
            repair::W4_TIMER => repair::review(snapshot).unwrap_or_else(|rejection| {
                aftersale_sdk::log::warn(&format!("W4 review skipped: {rejection}"));
                Vec::new()
            }),
            // Host SLA timers (`sla:…`): the host notifies on its own.
            _ => Vec::new(),
        }
    }

    fn action(snapshot: &Snapshot, name: &str, input: &Json) -> Result<ActionOutput, Rejection> {
        match name {
            "warranty" => warranty::action(snapshot, input),
            "quote" => quote::action(snapshot, input),
            _ => Err(Rejection::unknown_action(name)),
        }
    }
}

/// An edit that moves no state: recompute what depends on the attributes it
/// changes.
fn edit(snapshot: &Snapshot, transition: &TransitionRequest, config: &Config) -> Decision {
    let changed = |name: &str| transition.changed_attributes.iter().any(|c| c == name);
    let mut effects = Vec::new();
    if changed("region") {
        effects.extend(visit::arrival_target(snapshot, config)?);
    }
    if snapshot.ticket.kind == "installation" && changed("unboxing") {
        effects.extend(installation::edit_unboxing(snapshot, config)?);
    }
    if snapshot.ticket.kind == "repair" && (changed("received_at") || changed("reported_at")) {
        effects.extend(warranty::burden_of_proof(snapshot)?);
    }
    Ok(effects)
}

/// `word` with its first letter in upper case, for titles.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

export_plugin!(Appliance);
