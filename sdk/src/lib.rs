//! Write [aftersale](https://github.com/aftersale/aftersale) sector plugins in
//! Rust.
//!
//! A plugin is a struct that implements [`Plugin`] and one call of
//! [`export_plugin!`]. Every hook but [`Plugin::manifest`] has a default that
//! allows everything and does nothing, so a plugin implements only the
//! decisions it makes:
//!
//! ```
//! use aftersale_sdk::prelude::*;
//!
//! struct Warranty;
//!
//! impl Plugin for Warranty {
//!     fn manifest() -> Manifest {
//!         ManifestBuilder::new("warranty", "0.1.0", "Repairs under warranty")
//!             .kind(
//!                 KindBuilder::new("repair", "Repair")
//!                     .state("open", "Open", Category::New)
//!                     .state("fixed", "Fixed", Category::Resolved)
//!                     .transition(
//!                         Transition::named("fix", "Fix")
//!                             .from(&["open"])
//!                             .to("fixed")
//!                             .by(&[Role::Technician]),
//!                     ),
//!             )
//!             .build()
//!     }
//!
//!     fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
//!         if transition.name == "fix" && !snapshot.ticket.attributes.has("fault_code") {
//!             return Err(Rejection::new("fault-code-missing", "record the fault code first"));
//!         }
//!         Ok(vec![])
//!     }
//! }
//!
//! export_plugin!(Warranty);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2`; the `.wasm`
//! in `target/wasm32-wasip2/release/` is the component the host installs.
//! Test the same code natively with [`testing`].
//!
//! The contract itself, with the meaning of every field, is
//! `wit/1.2.0/plugin.wit`. Plugins built with this SDK export its
//! `plugin-with-surveys` world and see what its `context` import answers
//! as [`Snapshot::unit_history`] and [`Snapshot::appointment`]; the host
//! also runs plugins built against `wit/1.1.0` and `wit/1.0.0` (which has
//! no `on-survey`).

extern crate self as aftersale_sdk;

mod facts;
#[cfg(target_arch = "wasm32")]
mod guest;
mod json;
pub mod law;
pub mod log;
mod manifest;
pub mod money;
pub mod period;
pub mod testing;
mod types;
mod violations;

pub use facts::Facts;
pub use json::{Attributes, Json, merge};
pub use manifest::{KindBuilder, ManifestBuilder};
pub use types::*;
pub use violations::Violations;

/// Re-exported so plugins can declare schemas and build values with `json!`.
pub use serde_json;

/// The answer of `on-create` and `guard`: effects to apply, or a rejection.
pub type Decision = Result<Vec<Effect>, Rejection>;

/// The name `guard` sees for an edit of attributes or priority that moves no
/// state. No workflow transition may use it.
pub const EDIT: &str = "edit";

/// Everything a plugin usually needs.
pub mod prelude {
    pub use crate::{
        Action, ActionOutput, Actor, Attributes, Audience, Category, Channel, Decision, Effect,
        Event, FiredTimer, FollowUp, Json, Kind, KindBuilder, Manifest, ManifestBuilder, Plugin,
        Priority, Rating, Rejection, Role, SlaMetric, SlaTarget, Snapshot, SurveyAnswer, Ticket,
        Timestamp, Transition, TransitionRequest, export_plugin,
    };
    pub use serde_json::json;
}

/// The decisions of a sector plugin. See the hooks in `wit/1.2.0/plugin.wit`.
///
/// The host creates a fresh instance for every call, so there is no `self`:
/// everything a decision may depend on is in the [`Snapshot`].
pub trait Plugin {
    /// Describe the plugin: kinds, workflows, schemas, SLA defaults, actions.
    fn manifest() -> Manifest;

    /// A ticket of one of the plugin's kinds is being created.
    fn on_create(snapshot: &Snapshot) -> Decision {
        let _ = snapshot;
        Ok(Vec::new())
    }

    /// A transition is requested: allow it (with effects) or reject it.
    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        let _ = (snapshot, transition);
        Ok(Vec::new())
    }

    /// An event has been recorded on the ticket.
    fn after(snapshot: &Snapshot, event: &Event) -> Vec<Effect> {
        let _ = (snapshot, event);
        Vec::new()
    }

    /// A timer has come due.
    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        let _ = (snapshot, timer);
        Vec::new()
    }

    /// Run the named action.
    fn action(snapshot: &Snapshot, name: &str, input: &Json) -> Result<ActionOutput, Rejection> {
        let _ = (snapshot, input);
        Err(Rejection::unknown_action(name))
    }

    /// A customer has answered the ticket's satisfaction survey (contract
    /// 1.1.0). The answer is recorded whatever this returns; return effects
    /// to react to it, e.g. a service-recovery follow-up for a poor rating.
    fn on_survey(snapshot: &Snapshot, answer: &SurveyAnswer) -> Vec<Effect> {
        let _ = (snapshot, answer);
        Vec::new()
    }
}

/// Export a [`Plugin`] as the component's hooks.
///
/// Call it once, at the top level of the plugin crate. On targets other than
/// WebAssembly it expands to nothing, so the same crate builds natively for
/// tests.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __AftersaleHooks;

            impl $crate::__private::Guest for __AftersaleHooks {
                fn manifest() -> $crate::__private::w::PluginManifest {
                    $crate::__private::manifest::<$plugin>()
                }
                fn on_create(
                    s: $crate::__private::w::Snapshot,
                ) -> ::core::result::Result<
                    $crate::__private::Vec<$crate::__private::w::Effect>,
                    $crate::__private::w::Rejection,
                > {
                    $crate::__private::on_create::<$plugin>(s)
                }
                fn guard(
                    s: $crate::__private::w::Snapshot,
                    t: $crate::__private::w::TransitionRequest,
                ) -> ::core::result::Result<
                    $crate::__private::Vec<$crate::__private::w::Effect>,
                    $crate::__private::w::Rejection,
                > {
                    $crate::__private::guard::<$plugin>(s, t)
                }
                fn after(
                    s: $crate::__private::w::Snapshot,
                    e: $crate::__private::w::Event,
                ) -> $crate::__private::Vec<$crate::__private::w::Effect> {
                    $crate::__private::after::<$plugin>(s, e)
                }
                fn on_timer(
                    s: $crate::__private::w::Snapshot,
                    t: $crate::__private::w::FiredTimer,
                ) -> $crate::__private::Vec<$crate::__private::w::Effect> {
                    $crate::__private::on_timer::<$plugin>(s, t)
                }
                fn action(
                    s: $crate::__private::w::Snapshot,
                    name: $crate::__private::String,
                    input: $crate::__private::String,
                ) -> ::core::result::Result<
                    $crate::__private::w::ActionOutput,
                    $crate::__private::w::Rejection,
                > {
                    $crate::__private::action::<$plugin>(s, name, input)
                }
            }

            impl $crate::__private::SurveyGuest for __AftersaleHooks {
                fn on_survey(
                    s: $crate::__private::w::Snapshot,
                    a: $crate::__private::ws::SurveyAnswer,
                ) -> $crate::__private::Vec<$crate::__private::w::Effect> {
                    $crate::__private::on_survey::<$plugin>(s, a)
                }
            }

            $crate::__private::wit::__export_hooks!(__AftersaleHooks with_types_in $crate::__private::wit);
        };
    };
}

#[doc(hidden)]
#[cfg(target_arch = "wasm32")]
pub mod __private {
    pub use crate::guest::wit::aftersale::plugin::types as w;
    pub use crate::guest::wit::exports::aftersale::plugin::survey_hooks as ws;
    pub use crate::guest::{
        Guest, SurveyGuest, action, after, guard, manifest, on_create, on_survey, on_timer, wit,
    };
    pub use std::string::String;
    pub use std::vec::Vec;
    pub use wit_bindgen::rt as wit_bindgen_rt;
}
