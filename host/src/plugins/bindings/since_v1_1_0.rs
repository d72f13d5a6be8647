//! Bindings for `aftersale:plugin@1.1.0`: the hooks of 1.0.0 plus the
//! optional `survey-hooks` interface.
//!
//! 1.1.0 declares `types` and `host` exactly as 1.0.0 does, so `with` maps
//! them onto the 1.0.0 bindings: the Rust types, the conversions and the
//! `log` import are shared. The linker resolves an import of
//! `aftersale:plugin/host@1.1.0` to the 1.0.0 definition because the versions
//! are semver-compatible, so this module adds nothing to the linker.

use aftersale_sdk as c;
use wasmtime::Store;
use wasmtime::component::{ComponentExportIndex, InstancePre};

use super::hooks::{HookCalls, call, effects, guest_snapshot, lift};
use super::since_v1_0_0::aftersale::plugin::types as w;
use super::size::TextSize;
use super::{HookError, Measured};
use crate::plugins::sandbox::CallState;

wasmtime::component::bindgen!({
    path: "../wit/1.1.0",
    world: "plugin-with-surveys",
    exports: { default: async },
    with: {
        "aftersale:plugin/types@1.1.0": crate::plugins::bindings::since_v1_0_0::aftersale::plugin::types,
        "aftersale:plugin/host@1.1.0": crate::plugins::bindings::since_v1_0_0::aftersale::plugin::host,
    },
});

use self::exports::aftersale::plugin::hooks::GuestIndices as HooksIndices;
use self::exports::aftersale::plugin::survey_hooks::{
    self as survey, GuestIndices as SurveyHooksIndices,
};

pub const VERSION: &str = "1.1.0";

/// The export that marks a 1.1.0 plugin as one that hears of surveys.
pub const SURVEY_HOOKS: &str = "aftersale:plugin/survey-hooks@1.1.0";

/// The interface whose functions are the hooks.
pub const HOOKS: &str = "aftersale:plugin/hooks@1.1.0";

/// A component of this version (or of a later one whose hooks are the
/// same), ready to instantiate. The survey hook is looked up once, here; a
/// component without it is never asked.
pub struct Pre {
    pub(super) calls: HookCalls,
    on_survey: Option<ComponentExportIndex>,
}

impl Pre {
    pub fn new(pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        // Checks the type of every hook once, here.
        HooksIndices::new(&pre)?;
        if pre
            .component()
            .get_export_index(None, SURVEY_HOOKS)
            .is_some()
        {
            SurveyHooksIndices::new(&pre)?;
        }
        Pre::of(pre, HOOKS, SURVEY_HOOKS)
    }

    /// The hooks of `hooks` and the survey hook of `survey_hooks`, types
    /// checked by the caller.
    pub(super) fn of(
        pre: InstancePre<CallState>,
        hooks: &str,
        survey_hooks: &str,
    ) -> wasmtime::Result<Self> {
        let component = pre.component();
        // A component that exports the interface but not the hook in it is
        // malformed, not a plugin without surveys.
        let on_survey = match component.get_export_index(None, survey_hooks) {
            Some(interface) => Some(
                component
                    .get_export_index(Some(&interface), "on-survey")
                    .ok_or_else(|| wasmtime::format_err!("`{survey_hooks}` has no `on-survey`"))?,
            ),
            None => None,
        };
        Ok(Pre {
            calls: HookCalls::new(pre, hooks)?,
            on_survey,
        })
    }

    /// Whether the component exports the survey hook.
    pub fn answers_surveys(&self) -> bool {
        self.on_survey.is_some()
    }

    /// Run `on-survey`; `None` when the component does not export it.
    pub async fn on_survey(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
        input_limit: usize,
    ) -> Option<Result<Measured<Vec<c::Effect>>, HookError>> {
        let export = self.on_survey.as_ref()?;
        Some(
            self.call_on_survey(export, store, snapshot, answer, input_limit)
                .await,
        )
    }

    async fn call_on_survey(
        &self,
        export: &ComponentExportIndex,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
        input_limit: usize,
    ) -> Result<Measured<Vec<c::Effect>>, HookError> {
        // The answer travels with the snapshot, so it counts against the same
        // input limit.
        let a = survey::SurveyAnswer::from(answer);
        let s = guest_snapshot(store, snapshot, input_limit.saturating_sub(a.text_size()))?;
        let (out,): (Vec<w::Effect>,) = call(self.calls.pre(), store, export, (&s, &a)).await?;
        lift(out, effects)
    }
}

impl TextSize for survey::SurveyAnswer {
    fn text_size(&self) -> usize {
        self.survey.len()
            + self.comment.text_size()
            + self
                .ratings
                .iter()
                .map(|r| r.attribute.len() + 1)
                .sum::<usize>()
    }
}

impl From<&c::SurveyAnswer> for survey::SurveyAnswer {
    fn from(answer: &c::SurveyAnswer) -> Self {
        survey::SurveyAnswer {
            survey: answer.survey.clone(),
            ratings: answer
                .ratings
                .iter()
                .map(|r| survey::Rating {
                    attribute: r.attribute.clone(),
                    score: r.score,
                })
                .collect(),
            nps: answer.nps,
            comment: answer.comment.clone(),
        }
    }
}
