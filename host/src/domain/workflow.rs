//! The workflow graph a plugin declares, enforced by the host.
//!
//! The plugin's `guard` adds business rules on top, but only for edges the
//! graph has and roles the edge allows.

use aftersale_sdk::{self as c, Kind, State, Transition};
use serde::{Deserialize, Serialize};

use super::access::Role;

/// What a workflow state means to the host: the clocks, the metrics and the
/// queue reason about categories, never about a plugin's state names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    New,
    Active,
    Waiting,
    Resolved,
    Closed,
    Cancelled,
}

/// A transition the graph allows from the current state for the acting role.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub transition: &'a Transition,
    pub to: &'a State,
    /// The category of `to`.
    pub category: Category,
}

/// Why the graph refuses a transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "`{name}` is not a transition from state `{state}`; allowed: {}",
        if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
    )]
    NotAllowed {
        name: String,
        state: String,
        allowed: Vec<String>,
    },
    #[error("the role {role:?} may not take `{name}` (allowed: {roles:?})")]
    RoleNotAllowed {
        name: String,
        role: Role,
        roles: Vec<Role>,
    },
}

/// Find transition `name` from `state` for `role`.
pub fn step<'a>(
    kind: &'a Kind,
    state: &str,
    name: &str,
    role: Role,
) -> Result<Step<'a>, WorkflowError> {
    let workflow = &kind.workflow;
    let transition = workflow
        .transitions
        .iter()
        .find(|t| t.name == name && t.from.iter().any(|s| s == state))
        .ok_or_else(|| WorkflowError::NotAllowed {
            name: name.to_string(),
            state: state.to_string(),
            allowed: from_state(kind, state).map(|t| t.name.clone()).collect(),
        })?;
    if !transition.roles.contains(&role.into()) {
        return Err(WorkflowError::RoleNotAllowed {
            name: name.to_string(),
            role,
            roles: transition.roles.iter().map(|&r| r.into()).collect(),
        });
    }
    let to = workflow
        .state(&transition.to)
        .expect("manifests are validated when plugins load: every transition leads to a state");
    Ok(Step {
        transition,
        to,
        category: to.category.into(),
    })
}

/// Transitions that leave `state`.
pub fn from_state<'a>(kind: &'a Kind, state: &'a str) -> impl Iterator<Item = &'a Transition> + 'a {
    kind.workflow
        .transitions
        .iter()
        .filter(move |t| t.from.iter().any(|s| s == state))
}

/// Transitions that leave `state` and `role` may take.
pub fn available<'a>(
    kind: &'a Kind,
    state: &'a str,
    role: Role,
) -> impl Iterator<Item = &'a Transition> + 'a {
    let role = c::Role::from(role);
    from_state(kind, state).filter(move |t| t.roles.contains(&role))
}

/// The initial state of a kind and its category.
pub fn initial(kind: &Kind) -> &State {
    kind.workflow
        .state(&kind.workflow.initial)
        .expect("manifests are validated when plugins load: the initial state exists")
}

/// The category of `state`, or `None` for a state the kind lacks (a ticket
/// whose plugin was replaced by one with another workflow).
pub fn category(kind: &Kind, state: &str) -> Option<Category> {
    kind.workflow.state(state).map(|s| s.category.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::KindBuilder;
    use c::Category as C;

    fn repair() -> Kind {
        KindBuilder::new("repair", "Repair")
            .state("open", "Open", C::New)
            .state("fixed", "Fixed", C::Resolved)
            .state("closed", "Closed", C::Closed)
            .transition(
                Transition::named("fix", "Fix")
                    .from(&["open"])
                    .to("fixed")
                    .by(&[c::Role::Technician]),
            )
            .transition(
                Transition::named("close", "Close")
                    .from(&["fixed"])
                    .to("closed")
                    .by(&[c::Role::Agent, c::Role::System]),
            )
            .build()
    }

    #[test]
    fn a_transition_the_graph_has_is_a_step() {
        let kind = repair();
        let step = step(&kind, "open", "fix", Role::Technician).unwrap();
        assert_eq!(step.to.name, "fixed");
        assert_eq!(step.category, Category::Resolved);
    }

    #[test]
    fn a_missing_edge_names_the_allowed_ones() {
        let kind = repair();
        let error = step(&kind, "open", "close", Role::Agent).unwrap_err();
        assert_eq!(
            error,
            WorkflowError::NotAllowed {
                name: "close".into(),
                state: "open".into(),
                allowed: vec!["fix".into()],
            }
        );
        assert!(error.to_string().ends_with("allowed: fix"));
    }

    #[test]
    fn a_role_the_edge_does_not_list_is_refused() {
        let kind = repair();
        assert!(matches!(
            step(&kind, "open", "fix", Role::Viewer),
            Err(WorkflowError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn available_lists_what_a_role_may_do_now() {
        let kind = repair();
        let names: Vec<_> = available(&kind, "fixed", Role::Agent)
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["close"]);
        assert_eq!(available(&kind, "fixed", Role::Technician).count(), 0);
    }
}
