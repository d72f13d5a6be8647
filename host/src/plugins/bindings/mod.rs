//! One module of bindings per released contract version, and [`Bindings`],
//! which hides from the rest of the host which version a plugin was built
//! against.
//!
//! Adding a version: freeze its WIT folder under `wit/`, add a module here
//! that points `bindgen!` at it with conversions to the host's types (or, for
//! interfaces unchanged since an older version, a `with` onto that version's
//! module), add a variant to [`Bindings`], and list it in [`SUPPORTED`]. The
//! hooks every 1.x version shares are called through [`HookCalls`]; a new
//! version adds code only for what it adds.

use aftersale_sdk as c;
use wasmtime::Store;
use wasmtime::component::{InstancePre, Linker};

use super::error::Failure;
use super::sandbox::CallState;

mod hooks;
pub mod since_v1_0_0;
pub mod since_v1_1_0;
pub mod since_v1_2_0;
mod size;

pub use hooks::HookCalls;

/// The newest contract version, the one the SDK builds.
pub use since_v1_2_0 as latest;

/// Contract versions the host runs, oldest first.
pub const SUPPORTED: &[&str] = &[
    since_v1_0_0::VERSION,
    since_v1_1_0::VERSION,
    since_v1_2_0::VERSION,
];

/// Make every supported version's host imports available. Each 1.x release
/// imports the same `host` interface, and the linker resolves a 1.x import
/// to any semver-compatible definition, so defining 1.0.0 serves them all;
/// 1.2.0 adds `context`.
pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    since_v1_0_0::add_to_linker(linker)?;
    since_v1_2_0::add_to_linker(linker)
}

/// Whether contract `version` has everything `since` has: it is `since`
/// or a later supported version.
pub fn at_least(version: &str, since: &str) -> bool {
    let position = |v: &str| SUPPORTED.iter().position(|s| *s == v);
    matches!((position(version), position(since)), (Some(v), Some(s)) if v >= s)
}

/// The contract version a component exports, from its export names.
pub fn detect<'a>(exports: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    let exports: Vec<&str> = exports.into_iter().collect();
    SUPPORTED.iter().rev().copied().find(|version| {
        let hooks = format!("aftersale:plugin/hooks@{version}");
        exports.contains(&hooks.as_str())
    })
}

/// A value a plugin returned, with the size of the text it carried.
pub struct Measured<T> {
    pub value: T,
    pub bytes: usize,
}

impl<T> Measured<T> {
    pub fn new(value: T, bytes: usize) -> Self {
        Measured { value, bytes }
    }
}

/// Why a hook call did not produce a value.
pub enum HookError {
    /// Instantiation failed (pool exhausted, start function trapped, …).
    Instantiate(wasmtime::Error),
    /// The guest trapped or hit a limit; the runtime classifies it.
    Wasm(wasmtime::Error),
    /// The host refused the input or the output.
    Failure(Failure),
}

impl From<wasmtime::Error> for HookError {
    fn from(error: wasmtime::Error) -> Self {
        HookError::Wasm(error)
    }
}

impl From<Failure> for HookError {
    fn from(failure: Failure) -> Self {
        HookError::Failure(failure)
    }
}

/// A component bound to one contract version, ready to instantiate.
pub enum Bindings {
    V1_0_0(since_v1_0_0::Pre),
    V1_1_0(since_v1_1_0::Pre),
    /// 1.2.0's hooks are 1.1.0's; only its imports differ.
    V1_2_0(since_v1_1_0::Pre),
}

impl Bindings {
    pub fn new(version: &str, pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        match version {
            since_v1_0_0::VERSION => since_v1_0_0::Pre::new(pre).map(Bindings::V1_0_0),
            since_v1_1_0::VERSION => since_v1_1_0::Pre::new(pre).map(Bindings::V1_1_0),
            since_v1_2_0::VERSION => since_v1_2_0::pre(pre).map(Bindings::V1_2_0),
            other => wasmtime::bail!("unsupported contract version {other}"),
        }
    }

    pub fn version(&self) -> &'static str {
        match self {
            Bindings::V1_0_0(_) => since_v1_0_0::VERSION,
            Bindings::V1_1_0(_) => since_v1_1_0::VERSION,
            Bindings::V1_2_0(_) => since_v1_2_0::VERSION,
        }
    }

    /// The hooks every 1.x version has.
    pub fn hooks(&self) -> &HookCalls {
        match self {
            Bindings::V1_0_0(pre) => &pre.calls,
            Bindings::V1_1_0(pre) | Bindings::V1_2_0(pre) => &pre.calls,
        }
    }

    /// Whether the component exports `on-survey` (1.1.0 and later, optional).
    pub fn answers_surveys(&self) -> bool {
        match self {
            Bindings::V1_0_0(_) => false,
            Bindings::V1_1_0(pre) | Bindings::V1_2_0(pre) => pre.answers_surveys(),
        }
    }

    /// Run `on-survey`; `None` when the component does not export it.
    pub async fn on_survey(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        answer: &c::SurveyAnswer,
        input_limit: usize,
    ) -> Option<Result<Measured<Vec<c::Effect>>, HookError>> {
        match self {
            Bindings::V1_0_0(_) => None,
            Bindings::V1_1_0(pre) | Bindings::V1_2_0(pre) => {
                pre.on_survey(store, snapshot, answer, input_limit).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_version_a_component_exports_wins() {
        let v1_0 = "aftersale:plugin/hooks@1.0.0";
        let v1_1 = "aftersale:plugin/hooks@1.1.0";
        assert_eq!(detect([v1_0]), Some("1.0.0"));
        assert_eq!(detect([v1_1, since_v1_1_0::SURVEY_HOOKS]), Some("1.1.0"));
        assert_eq!(detect([v1_0, v1_1]), Some("1.1.0"));
        assert_eq!(detect([since_v1_2_0::HOOKS]), Some("1.2.0"));
        assert_eq!(detect(["aftersale:plugin/hooks@2.0.0"]), None);
        assert_eq!(latest::VERSION, *SUPPORTED.last().unwrap());
        assert!(at_least("1.2.0", "1.1.0") && at_least("1.2.0", "1.2.0"));
        assert!(!at_least("1.1.0", "1.2.0") && !at_least("9.9.9", "1.0.0"));
    }
}
