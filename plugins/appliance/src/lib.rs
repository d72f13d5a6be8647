//! Installation and repair of household appliances.
//!
//! Owns the kinds `installation` and `repair`; see `README.md` for the rules
//! it decides and its configuration.

use aftersale_sdk::prelude::*;

mod manifest;

/// The appliance plugin.
pub struct Appliance;

impl Plugin for Appliance {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        match transition.name.as_str() {
            "check_in" => check_in(snapshot),
            _ => Ok(Vec::new()),
        }
    }
}

/// A1: a technician checks in on site only for an appointment that was made
/// and with a technician assigned to it.
fn check_in(snapshot: &Snapshot) -> Decision {
    let attributes = &snapshot.ticket.attributes;
    let mut missing = Vec::new();
    if !attributes.has("appointment_at") {
        missing.push("appointment_at");
    }
    if !attributes.has("technician") && snapshot.ticket.assignee.is_none() {
        missing.push("technician");
    }
    if missing.is_empty() {
        Ok(Vec::new())
    } else {
        Err(Rejection::new(
            "visit-not-arranged",
            "a technician can check in only for a booked appointment with an assigned technician",
        )
        .rule("A1")
        .details(missing))
    }
}

export_plugin!(Appliance);

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::testing::Harness;

    fn scheduled() -> aftersale_sdk::testing::SnapshotBuilder {
        Harness::<Appliance>::new()
            .snapshot("installation")
            .actor(Role::Technician)
    }

    #[test]
    fn a1_check_in_needs_appointment_and_technician() {
        let plugin = Harness::<Appliance>::new();
        let rejection = plugin
            .guard(&scheduled().build(), "check_in")
            .expect_err("nothing arranged");
        assert_eq!(rejection.rule.as_deref(), Some("A1"));
        assert_eq!(rejection.details, ["appointment_at", "technician"]);

        let only_time = scheduled()
            .attr("appointment_at", "2026-01-11T09:00:00+08:00")
            .build();
        let rejection = plugin.guard(&only_time, "check_in").unwrap_err();
        assert_eq!(rejection.details, ["technician"]);

        let arranged = scheduled()
            .attr("appointment_at", "2026-01-11T09:00:00+08:00")
            .attr("technician", "tech-7")
            .build();
        assert_eq!(plugin.guard(&arranged, "check_in"), Ok(vec![]));
    }

    #[test]
    fn workflows_start_in_their_new_state() {
        let manifest = Appliance::manifest();
        for kind in &manifest.kinds {
            let initial = kind.workflow.state(&kind.workflow.initial).unwrap();
            assert_eq!(initial.category, Category::New, "kind {}", kind.name);
        }
    }
}
