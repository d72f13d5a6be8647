//! What a new ticket, a transition or an edit must satisfy (I1, I4, I5), and
//! the effects that follow from it (priority, timers, follow-ups).

use aftersale_sdk::prelude::*;
use aftersale_sdk::{EDIT, Violations};

use crate::auto_close;
use crate::config::Config;
use crate::major_incident::{self, Start};
use crate::manifest::{RESOLVED, is_open};
use crate::priority::{self, Assessment};

/// The attributes the priority is derived from (I1); changing one needs a
/// work note (I4).
const PRIORITY_INPUTS: [&str; 2] = ["impact", "urgency"];

/// A ticket is being created: derive its priority; a major incident starts
/// its stakeholder updates.
pub fn on_create(snapshot: &Snapshot) -> Decision {
    let config = Config::read(snapshot)?;
    let ticket = &snapshot.ticket;
    let mut violations = Violations::default();
    let major = major_incident::check(ticket, &mut violations);
    let assessment = Assessment::of(&ticket.attributes, major, &mut violations);
    violations.into_result()?;

    let mut effects = vec![Effect::SetPriority {
        priority: assessment.priority(),
    }];
    if major {
        effects.extend(major_incident::start_updates(
            snapshot,
            &config,
            Start::Declared,
        )?);
    }
    Ok(effects)
}

/// A transition or an edit is requested.
pub fn guard(snapshot: &Snapshot, request: &TransitionRequest) -> Decision {
    let config = Config::read(snapshot)?;
    let ticket = &snapshot.ticket;
    let changed = |name: &str| request.changed_attributes.iter().any(|c| c == name);

    let mut violations = Violations::default();
    let major = major_incident::check(ticket, &mut violations);
    let assessment = Assessment::of(&ticket.attributes, major, &mut violations);
    if request.name == EDIT && request.changed_attributes.is_empty() {
        priority::refuse_typed(ticket, &assessment, &mut violations);
    }
    let reassessed: Vec<&str> = PRIORITY_INPUTS.into_iter().filter(|a| changed(a)).collect();
    let noted = request
        .note
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if !reassessed.is_empty() && !noted {
        violations.add(
            "I4",
            "work-note-required",
            "changing impact or urgency after creation needs a work note",
            format!(
                "work note: say why {} changed; the priority and SLA targets follow it",
                reassessed.join(" and ")
            ),
        );
    }
    violations.into_result()?;

    let mut effects = Vec::new();
    let priority = assessment.priority();
    if !reassessed.is_empty() || changed("major_incident") || priority != ticket.priority {
        effects.push(Effect::SetPriority { priority });
    }
    effects.extend(major_incident_effects(
        snapshot,
        &config,
        request,
        &assessment,
    )?);
    if request.to == RESOLVED && request.from != RESOLVED {
        effects.extend(auto_close::schedule(snapshot, &config)?);
    } else if request.from == RESOLVED && request.to != RESOLVED {
        effects.push(auto_close::cancel());
    }
    Ok(effects)
}

/// I5 around a change: stakeholder updates run exactly while the ticket is
/// an open major incident; resolving one opens its problem ticket.
fn major_incident_effects(
    snapshot: &Snapshot,
    config: &Config,
    request: &TransitionRequest,
    assessment: &Assessment,
) -> Result<Vec<Effect>, Rejection> {
    let major = assessment.major_incident;
    let flag_changed = request
        .changed_attributes
        .iter()
        .any(|c| c == "major_incident");
    // The host lists an attribute as changed only when its value differs,
    // so a changed flag was the opposite before.
    let was_major = if flag_changed { !major } else { major };
    let ran = was_major && is_open(&request.from);
    let runs = major && is_open(&request.to);

    let mut effects = Vec::new();
    if runs && !ran {
        let start = if flag_changed {
            Start::Declared
        } else {
            Start::Reopened
        };
        effects.extend(major_incident::start_updates(snapshot, config, start)?);
    } else if ran && !runs {
        effects.push(major_incident::stop_updates());
    }
    if major && request.to == RESOLVED && request.from != RESOLVED {
        effects.extend(major_incident::on_resolved(snapshot, assessment));
    }
    Ok(effects)
}
