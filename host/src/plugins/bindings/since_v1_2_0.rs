//! Bindings for `aftersale:plugin@1.2.0`: the hooks of 1.1.0, and the
//! `context` import that answers a plugin's questions about the unit's
//! earlier tickets and the ticket's appointment.
//!
//! `types` and `host` map onto the 1.0.0 bindings with `with`; the hooks
//! and the survey hook are those of 1.1.0 under this version's names, and
//! are called through [`since_v1_1_0::Pre`]. What this module adds is the
//! import: the answers are what the host put in the call's
//! [`CallState`] from the snapshot before the call, so they cannot change
//! during it.

use aftersale_sdk as c;
use wasmtime::component::{HasSelf, InstancePre, Linker};

use super::since_v1_1_0;
use super::size::TextSize;
use crate::plugins::sandbox::CallState;

wasmtime::component::bindgen!({
    path: "../wit/1.2.0",
    world: "plugin-with-surveys",
    exports: { default: async },
    with: {
        "aftersale:plugin/types@1.2.0": crate::plugins::bindings::since_v1_0_0::aftersale::plugin::types,
        "aftersale:plugin/host@1.2.0": crate::plugins::bindings::since_v1_0_0::aftersale::plugin::host,
    },
});

use self::aftersale::plugin::context as wc;
use self::exports::aftersale::plugin::hooks::GuestIndices as HooksIndices;
use self::exports::aftersale::plugin::survey_hooks::GuestIndices as SurveyHooksIndices;

pub const VERSION: &str = "1.2.0";

/// The interface whose functions are the hooks.
pub const HOOKS: &str = "aftersale:plugin/hooks@1.2.0";

/// The export that marks a plugin as one that hears of surveys.
pub const SURVEY_HOOKS: &str = "aftersale:plugin/survey-hooks@1.2.0";

/// Define the `context` import (the rest of 1.2.0's imports are 1.0.0's).
pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    wc::add_to_linker::<CallState, HasSelf<CallState>>(linker, |state| state)
}

/// A component of this version, ready to instantiate.
pub fn pre(pre: InstancePre<CallState>) -> wasmtime::Result<since_v1_1_0::Pre> {
    // Checks the type of every hook once, here (the imports were checked
    // when the component was linked); the survey hook is optional.
    HooksIndices::new(&pre)?;
    if pre
        .component()
        .get_export_index(None, SURVEY_HOOKS)
        .is_some()
    {
        SurveyHooksIndices::new(&pre)?;
    }
    since_v1_1_0::Pre::of(pre, HOOKS, SURVEY_HOOKS)
}

/// What `context` answers during one call.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub unit_history: Vec<c::PriorTicket>,
    pub appointment: Option<c::Appointment>,
}

impl Context {
    pub fn of(snapshot: &c::Snapshot) -> Self {
        Context {
            unit_history: snapshot.unit_history.clone(),
            appointment: snapshot.appointment.clone(),
        }
    }
}

impl TextSize for Context {
    fn text_size(&self) -> usize {
        let prior: usize = self
            .unit_history
            .iter()
            .map(|p| p.id.len() + p.kind.len() + p.state.len() + p.attributes.to_text().len())
            .sum();
        prior + self.appointment.as_ref().map_or(0, |a| a.technician.len())
    }
}

impl wc::Host for CallState {
    fn unit_history(&mut self) -> Vec<wc::PriorTicket> {
        self.context
            .unit_history
            .iter()
            .map(|p| wc::PriorTicket {
                id: p.id.clone(),
                kind: p.kind.clone(),
                state: p.state.clone(),
                category: p.category.into(),
                created_at: p.created_at.as_millisecond(),
                resolved_at: p.resolved_at.map(|at| at.as_millisecond()),
                attributes: p.attributes.to_text(),
            })
            .collect()
    }

    fn appointment(&mut self) -> Option<wc::Visit> {
        self.context.appointment.as_ref().map(|a| wc::Visit {
            technician: a.technician.clone(),
            starts_at: a.starts_at.as_millisecond(),
            ends_at: a.ends_at.as_millisecond(),
        })
    }
}
