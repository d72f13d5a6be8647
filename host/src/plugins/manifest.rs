//! Validation of the manifest a plugin declares.
//!
//! The host trusts nothing in a manifest: every name is checked, every
//! reference between states, transitions, kinds and actions must resolve, and
//! every JSON Schema must compile. The first problem found is reported, with
//! enough context to find it in the plugin's source.

use std::collections::HashSet;

use aftersale_sdk::{Category, Manifest};
use serde_json::Value;

/// Check a manifest; `Err` names the first problem.
pub fn validate(manifest: &Manifest) -> Result<(), String> {
    if !is_kebab(&manifest.name) {
        return Err(format!(
            "plugin name `{}` must be kebab-case (a-z, 0-9, '-')",
            manifest.name
        ));
    }
    if !is_semver(&manifest.version) {
        return Err(format!(
            "version `{}` is not a semantic version like 1.2.0",
            manifest.version
        ));
    }
    if manifest.kinds.is_empty() {
        return Err("the plugin declares no ticket kinds".into());
    }
    let mut kinds = HashSet::new();
    for kind in &manifest.kinds {
        if !is_snake(&kind.name) {
            return Err(format!("kind name `{}` must be snake_case", kind.name));
        }
        if !kinds.insert(kind.name.as_str()) {
            return Err(format!("kind `{}` is declared twice", kind.name));
        }
        validate_workflow(&kind.workflow).map_err(|e| format!("kind `{}`: {e}", kind.name))?;
        compile_schema(&kind.attributes_schema)
            .map_err(|e| format!("kind `{}`: attributes schema: {e}", kind.name))?;
        for target in &kind.sla {
            crate::domain::sla::check_target_minutes(target.minutes).map_err(|e| {
                format!(
                    "kind `{}`: the SLA target of {:?}: {e}",
                    kind.name, target.metric
                )
            })?;
        }
    }
    let mut actions = HashSet::new();
    for action in &manifest.actions {
        if !is_snake(&action.name) {
            return Err(format!("action name `{}` must be snake_case", action.name));
        }
        if !actions.insert(action.name.as_str()) {
            return Err(format!("action `{}` is declared twice", action.name));
        }
        if let Some(kind) = action.kinds.iter().find(|k| !kinds.contains(k.as_str())) {
            return Err(format!(
                "action `{}` applies to kind `{kind}`, which the plugin does not declare",
                action.name
            ));
        }
        if action.roles.is_empty() {
            return Err(format!("action `{}` allows no role", action.name));
        }
        compile_schema(&action.input_schema)
            .map_err(|e| format!("action `{}`: input schema: {e}", action.name))?;
    }
    let config =
        compile_schema(&manifest.config_schema).map_err(|e| format!("config schema: {e}"))?;
    if !manifest.default_config.is_object() {
        return Err("the default configuration must be a JSON object".into());
    }
    if let Some(error) = config.iter_errors(&manifest.default_config).next() {
        return Err(format!(
            "the default configuration does not match the config schema at `{}`: {error}",
            error.instance_path()
        ));
    }
    Ok(())
}

fn validate_workflow(workflow: &aftersale_sdk::Workflow) -> Result<(), String> {
    let mut states = HashSet::new();
    for state in &workflow.states {
        if !is_snake(&state.name) {
            return Err(format!("state name `{}` must be snake_case", state.name));
        }
        if !states.insert(state.name.as_str()) {
            return Err(format!("state `{}` is declared twice", state.name));
        }
    }
    let initial = workflow
        .state(&workflow.initial)
        .ok_or_else(|| format!("unknown initial state `{}`", workflow.initial))?;
    if initial.category != Category::New {
        return Err(format!(
            "initial state `{}` must have the category `new`",
            initial.name
        ));
    }
    let mut transitions = HashSet::new();
    for transition in &workflow.transitions {
        let name = &transition.name;
        if !is_snake(name) {
            return Err(format!("transition name `{name}` must be snake_case"));
        }
        if name == aftersale_sdk::EDIT {
            return Err(format!(
                "the transition name `{name}` is reserved for edits that move no state"
            ));
        }
        if !transitions.insert(name.as_str()) {
            return Err(format!("transition `{name}` is declared twice"));
        }
        if transition.from.is_empty() {
            return Err(format!("transition `{name}` has no source state"));
        }
        for from in &transition.from {
            if !states.contains(from.as_str()) {
                return Err(format!(
                    "transition `{name}` starts from unknown state `{from}`"
                ));
            }
        }
        if !states.contains(transition.to.as_str()) {
            return Err(format!(
                "transition `{name}` leads to unknown state `{}`",
                transition.to
            ));
        }
        if transition.roles.is_empty() {
            return Err(format!("transition `{name}` allows no role"));
        }
    }
    Ok(())
}

/// Compile a JSON Schema, so a broken one is caught when the plugin loads
/// rather than when the first ticket arrives.
pub fn compile_schema(schema: &Value) -> Result<jsonschema::Validator, String> {
    if !(schema.is_object() || schema.is_boolean()) {
        return Err("a JSON Schema must be an object or a boolean".into());
    }
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_kebab(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<_> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::{KindBuilder, ManifestBuilder, Role, Transition};
    use serde_json::json;

    fn minimal() -> KindBuilder {
        KindBuilder::new("repair", "Repair")
            .state("open", "Open", Category::New)
            .state("done", "Done", Category::Resolved)
            .transition(
                Transition::named("finish", "Finish")
                    .from(&["open"])
                    .to("done")
                    .by(&[Role::Agent]),
            )
    }

    fn check(kind: KindBuilder) -> Result<(), String> {
        validate(&ManifestBuilder::new("demo", "1.0.0", "").kind(kind).build())
    }

    #[test]
    fn accepts_a_consistent_manifest() {
        assert_eq!(check(minimal()), Ok(()));
    }

    #[test]
    fn refuses_a_transition_to_an_unknown_state() {
        let kind = minimal().transition(
            Transition::named("lose", "Lose")
                .from(&["open"])
                .to("limbo")
                .by(&[Role::Agent]),
        );
        let error = check(kind).unwrap_err();
        assert!(error.contains("unknown state `limbo`"), "{error}");
    }

    #[test]
    fn refuses_an_initial_state_that_is_not_new() {
        let error = check(minimal().initial("done")).unwrap_err();
        assert!(error.contains("category `new`"), "{error}");
    }

    #[test]
    fn refuses_a_schema_that_does_not_compile() {
        let error =
            check(minimal().attributes_schema(json!({"type": "no-such-type"}))).unwrap_err();
        assert!(error.contains("attributes schema"), "{error}");
    }

    #[test]
    fn refuses_defaults_that_break_the_config_schema() {
        let manifest = ManifestBuilder::new("demo", "1.0.0", "")
            .kind(minimal())
            .config(
                json!({"type": "object", "properties": {"days": {"type": "integer"}}}),
                json!({"days": "three"}),
            )
            .build();
        let error = validate(&manifest).unwrap_err();
        assert!(error.contains("/days"), "{error}");
    }

    #[test]
    fn names_must_be_identifiers() {
        assert!(!is_snake("Repair"));
        assert!(!is_kebab("retail_returns"));
        assert!(is_semver("1.10.0-beta.1"));
        assert!(!is_semver("1.0"));
    }
}
