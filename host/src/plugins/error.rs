//! Everything that can go wrong with a plugin, as values.

use std::fmt;

use serde::Serialize;

/// The hooks of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hook {
    Manifest,
    OnCreate,
    Guard,
    After,
    OnTimer,
    Action,
    /// Optional, since contract 1.1.0.
    OnSurvey,
}

impl Hook {
    pub const ALL: [Hook; 7] = [
        Hook::Manifest,
        Hook::OnCreate,
        Hook::Guard,
        Hook::After,
        Hook::OnTimer,
        Hook::Action,
        Hook::OnSurvey,
    ];

    /// The hook's name in the contract, e.g. `on-create`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hook::Manifest => "manifest",
            Hook::OnCreate => "on-create",
            Hook::Guard => "guard",
            Hook::After => "after",
            Hook::OnTimer => "on-timer",
            Hook::Action => "action",
            Hook::OnSurvey => "on-survey",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Hook {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hook::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Hook::ALL.iter().map(|h| h.as_str()).collect();
                format!("unknown hook `{s}` (hooks: {})", names.join(", "))
            })
    }
}

/// Why a call failed. Rejections are not failures: they are answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Failure {
    #[error("fuel exhausted: the call used its budget of {limit} units")]
    FuelExhausted { limit: u64 },
    #[error("deadline exceeded: the call ran longer than {limit_ms} ms")]
    Deadline { limit_ms: u32 },
    #[error(
        "memory limit exceeded: linear memory would grow to {desired} bytes, the limit is {limit}"
    )]
    MemoryLimit { desired: u64, limit: u64 },
    #[error("stack overflow (unbounded recursion?)")]
    StackOverflow,
    #[error("trap: {message}")]
    Trap { message: String },
    #[error("input too large: the snapshot is {size} bytes, the limit is {limit}")]
    InputTooLarge { size: usize, limit: usize },
    #[error("output too large: the answer is {size} bytes, the limit is {limit}")]
    OutputTooLarge { size: usize, limit: usize },
    #[error("malformed output: {reason}")]
    MalformedOutput { reason: String },
    #[error("invalid manifest: {reason}")]
    InvalidManifest { reason: String },
    #[error("could not instantiate: {reason}")]
    Instantiation { reason: String },
    /// No call slot was free within the wait (`scope` `tenant`: the
    /// tenant's own share; `host`: every slot of the host), or the call got
    /// no core to run on before its deadline and the slot wait were over
    /// (`cores`). The plugin did not run.
    #[error("busy: {} stayed taken for {waited_ms} ms", busy_what(scope, *slots))]
    Busy {
        scope: String,
        slots: u32,
        waited_ms: u64,
    },
    /// A call, or the change it is part of, asked more of the host than its
    /// budget allows.
    #[error("budget exceeded: at most {limit} {budget}")]
    BudgetExceeded { budget: String, limit: u32 },
}

fn busy_what(scope: &str, slots: u32) -> String {
    match scope {
        "cores" => format!("the host's {slots} turns to run plugins (one per core)"),
        _ => format!("the {scope}'s {slots} plugin call slots"),
    }
}

impl Failure {
    /// A stable, machine-readable name of the cause.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::FuelExhausted { .. } => "fuel_exhausted",
            Failure::Deadline { .. } => "deadline",
            Failure::MemoryLimit { .. } => "memory_limit",
            Failure::StackOverflow => "stack_overflow",
            Failure::Trap { .. } => "trap",
            Failure::InputTooLarge { .. } => "input_too_large",
            Failure::OutputTooLarge { .. } => "output_too_large",
            Failure::MalformedOutput { .. } => "malformed_output",
            Failure::InvalidManifest { .. } => "invalid_manifest",
            Failure::Instantiation { .. } => "instantiation",
            Failure::Busy { .. } => "busy",
            Failure::BudgetExceeded { .. } => "budget_exceeded",
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        Failure::MalformedOutput {
            reason: reason.into(),
        }
    }
}

/// A failed call, naming the plugin, its version and the hook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("plugin {plugin}@{version}, hook {hook}: {failure}")]
pub struct PluginError {
    pub plugin: String,
    pub version: String,
    pub hook: Hook,
    pub failure: Failure,
}

/// Why a component cannot be loaded as a plugin.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a WebAssembly component: {0}")]
    NotAComponent(String),
    #[error("the component does not compile: {0}")]
    Invalid(String),
    #[error(
        "forbidden import {}: a plugin may import only aftersale:plugin and the \
         sandbox's empty WASI (cli, io, clocks, random)",
        quoted(.imports)
    )]
    ForbiddenImport { imports: Vec<String> },
    #[error(
        "the component exports no supported version of aftersale:plugin/hooks (supported: {supported}; exported: {exported})"
    )]
    UnsupportedContract { supported: String, exported: String },
    /// The host is too busy compiling to take the component now.
    #[error("busy: {0}")]
    Busy(String),
    #[error(transparent)]
    Plugin(#[from] PluginError),
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
