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
use wasmtime::component::InstancePre;

use super::hooks::{HookCalls, effects, guest_snapshot, lift};
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
    self as survey, Guest as SurveyHooks, GuestIndices as SurveyHooksIndices,
};

pub const VERSION: &str = "1.1.0";

/// The export that marks a 1.1.0 plugin as one that hears of surveys.
pub const SURVEY_HOOKS: &str = "aftersale:plugin/survey-hooks@1.1.0";

/// The interface whose functions are the hooks.
pub const HOOKS: &str = "aftersale:plugin/hooks@1.1.0";

/// A component of this version, ready to instantiate. The survey hooks are
/// looked up once, here; a component without them is never asked.
pub struct Pre {
    pub(super) calls: HookCalls,
    surveys: Option<SurveyHooksIndices>,
}

impl Pre {
    pub fn new(pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        // Checks the type of every hook once, here.
        HooksIndices::new(&pre)?;
        let exports_surveys = pre
            .component()
            .get_export_index(None, SURVEY_HOOKS)
            .is_some();
        // A component that exports the interface but not the hook in it is
        // malformed, not a plugin without surveys.
        let surveys = if exports_surveys {
            Some(SurveyHooksIndices::new(&pre)?)
        } else {
            None
        };
        Ok(Pre {
            calls: HookCalls::new(pre, HOOKS)?,
            surveys,
        })
    }

    /// Whether the component exports `survey-hooks`.
    pub fn answers_surveys(&self) -> bool {
        self.surveys.is_some()
    }

    /// Run `on-survey`; `None` when the component does not export it.
    pub async fn on_survey(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
        input_limit: usize,
    ) -> Option<Result<Measured<Vec<c::Effect>>, HookError>> {
        let indices = self.surveys.as_ref()?;
        Some(
            self.call_on_survey(indices, store, snapshot, answer, input_limit)
                .await,
        )
    }

    async fn call_on_survey(
        &self,
        indices: &SurveyHooksIndices,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
        input_limit: usize,
    ) -> Result<Measured<Vec<c::Effect>>, HookError> {
        // The answer travels with the snapshot, so it counts against the same
        // input limit.
        let a = survey::SurveyAnswer::from(answer);
        let s = guest_snapshot(snapshot, input_limit.saturating_sub(a.text_size()))?;
        let instance = self
            .calls
            .pre()
            .instantiate_async(&mut *store)
            .await
            .map_err(HookError::Instantiate)?;
        let hooks: SurveyHooks = indices
            .load(&mut *store, &instance)
            .map_err(HookError::Instantiate)?;
        lift(hooks.call_on_survey(&mut *store, &s, &a).await?, effects)
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
