//! Bindings for `aftersale:plugin@1.0.0`: the types, the `host` import and
//! the hooks every 1.x version has.
//!
//! Later minor versions share this version's `types` and `host` interfaces
//! (their bindings map them here with `with`), so the conversions in
//! [`convert`] and the sizes in [`super::size`] serve them too.

mod convert;

use wasmtime::component::{HasSelf, InstancePre, Linker};

use super::hooks::HookCalls;
use crate::plugins::sandbox::CallState;

wasmtime::component::bindgen!({
    path: "../wit/1.0.0",
    world: "plugin",
    exports: { default: async },
});

use self::aftersale::plugin::host::Level;

pub const VERSION: &str = "1.0.0";

pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    Plugin::add_to_linker::<CallState, HasSelf<CallState>>(linker, |state| state)
}

impl self::aftersale::plugin::types::Host for CallState {}

impl self::aftersale::plugin::host::Host for CallState {
    fn log(&mut self, level: Level, message: String) {
        let level = match level {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        self.log.line(level, &message);
    }
}

/// The interface whose functions are the hooks.
pub const HOOKS: &str = "aftersale:plugin/hooks@1.0.0";

/// A component of this version, ready to instantiate.
pub struct Pre {
    pub(super) calls: HookCalls,
}

impl Pre {
    pub fn new(pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        // Checks the type of every export once, here.
        PluginPre::new(pre.clone())?;
        Ok(Pre {
            calls: HookCalls::new(pre, HOOKS)?,
        })
    }
}
