//! Structural checks of the effects a plugin returns.
//!
//! What can be checked without the database is checked here, right after
//! the call: names are identifiers, requested transitions exist in the
//! workflow, numbers are in range. What needs the ticket's current state
//! (is the transition allowed now? does the attribute value match the
//! schema?) is checked where the effects are applied.

use aftersale_sdk::{Effect, Manifest};

use crate::domain::part;

const MAX_NAME: usize = 128;

/// Check `effects` returned for a ticket of `kind`; `Err` names the first
/// malformed one.
pub fn validate(manifest: &Manifest, kind: &str, effects: &[Effect]) -> Result<(), String> {
    for (i, effect) in effects.iter().enumerate() {
        check(manifest, kind, effect).map_err(|e| format!("effect #{}: {e}", i + 1))?;
    }
    Ok(())
}

fn check(manifest: &Manifest, kind: &str, effect: &Effect) -> Result<(), String> {
    match effect {
        Effect::SetAttribute { name, .. } => identifier(name, "set-attribute name"),
        Effect::SetPriority { .. } => Ok(()),
        Effect::ScheduleTimer { name, .. } | Effect::CancelTimer { name } => timer_name(name),
        Effect::CreateTicket(follow_up) => {
            identifier(&follow_up.kind, "create-ticket kind")?;
            identifier(&follow_up.relation, "create-ticket relation")?;
            if follow_up.title.trim().is_empty() {
                return Err("create-ticket needs a title".into());
            }
            Ok(())
        }
        Effect::Notify {
            template, subject, ..
        } => {
            if template.trim().is_empty() || subject.trim().is_empty() {
                return Err("notify needs a template and a subject".into());
            }
            Ok(())
        }
        Effect::AddNote { body, .. } => {
            if body.trim().is_empty() {
                return Err("add-note needs a body".into());
            }
            Ok(())
        }
        Effect::RequestTransition { transition } => {
            let known = manifest
                .kind(kind)
                .is_some_and(|k| k.workflow.transition(transition).is_some());
            if known {
                Ok(())
            } else {
                Err(format!(
                    "request-transition names `{transition}`, which the workflow of `{kind}` lacks"
                ))
            }
        }
        Effect::Escalate { tier, reason } => {
            if *tier == 0 {
                return Err("escalate: tiers start at 1".into());
            }
            if reason.trim().is_empty() {
                return Err("escalate needs a reason".into());
            }
            Ok(())
        }
        Effect::ReservePart {
            sku,
            quantity,
            node,
        } => {
            part::check_sku(sku).map_err(|e| format!("reserve-part: {e}"))?;
            if *quantity == 0 || *quantity > part::MAX_QUANTITY {
                return Err(format!(
                    "reserve-part: quantity {quantity} is not between 1 and {}",
                    part::MAX_QUANTITY
                ));
            }
            if let Some(node) = node
                && uuid::Uuid::parse_str(node).is_err()
            {
                return Err(format!(
                    "reserve-part: node `{node}` is not a service point id"
                ));
            }
            Ok(())
        }
    }
}

fn identifier(name: &str, what: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("{what} `{name}` is not a snake_case identifier"))
    }
}

fn timer_name(name: &str) -> Result<(), String> {
    if name.starts_with("sla:") {
        return Err(format!(
            "timer name `{name}`: the prefix `sla:` is the host's"
        ));
    }
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "timer name `{name}` must be 1–{MAX_NAME} characters of a-z, 0-9, '_', '-', ':', '.'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::{Category, KindBuilder, ManifestBuilder, Role, Transition};

    fn manifest() -> Manifest {
        ManifestBuilder::new("demo", "1.0.0", "")
            .kind(
                KindBuilder::new("repair", "Repair")
                    .state("open", "Open", Category::New)
                    .state("done", "Done", Category::Resolved)
                    .transition(
                        Transition::named("finish", "Finish")
                            .from(&["open"])
                            .to("done")
                            .by(&[Role::Agent]),
                    ),
            )
            .build()
    }

    #[test]
    fn a_requested_transition_must_exist() {
        let m = manifest();
        assert!(validate(&m, "repair", &[Effect::request_transition("finish")]).is_ok());
        let error = validate(&m, "repair", &[Effect::request_transition("teleport")]).unwrap_err();
        assert!(error.contains("teleport"), "{error}");
    }

    #[test]
    fn attribute_names_are_identifiers() {
        let m = manifest();
        let error = validate(&m, "repair", &[Effect::set_attribute("Bad Name", 1)]).unwrap_err();
        assert!(error.starts_with("effect #1"), "{error}");
    }

    #[test]
    fn a_part_reservation_names_a_sku_a_quantity_and_maybe_a_point() {
        let m = manifest();
        let reserve = |sku: &str, quantity: u32, node: Option<&str>| Effect::ReservePart {
            sku: sku.into(),
            quantity,
            node: node.map(Into::into),
        };
        assert!(validate(&m, "repair", &[reserve("CMP-1", 2, None)]).is_ok());
        let point = uuid::Uuid::now_v7().to_string();
        assert!(validate(&m, "repair", &[reserve("CMP-1", 2, Some(&point))]).is_ok());
        for (bad, why) in [
            (reserve("", 1, None), "not a SKU"),
            (reserve("CMP 1", 1, None), "not a SKU"),
            (reserve("CMP-1", 0, None), "quantity 0"),
            (reserve("CMP-1", 100_001, None), "quantity 100001"),
            (
                reserve("CMP-1", 1, Some("outlet-7")),
                "not a service point id",
            ),
        ] {
            let error = validate(&m, "repair", &[bad]).unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }
}
