//! Sector plugins: the sandboxed WebAssembly runtime that loads them and
//! runs their hooks.
//!
//! [`Runtime`] owns one wasmtime engine with a pooling allocator. A component
//! is compiled and checked once per content hash ([`Runtime::load`]); every
//! hook call takes a slot of its tenant's share, gets a fresh store with
//! fuel, a deadline charged on its CPU time (the wall clock ends it, waits
//! in host calls included, at the latest the slot wait later) and a memory cap,
//! and runs WebAssembly only while it holds one of the turns its tenant
//! shares fairly with the others,
//! and every way a call can go wrong comes back as a [`PluginError`]. Every
//! bound lives in [`limits`](RuntimeConfig).

mod artifacts;
mod bindings;
mod call;
mod cpu;
mod effects;
mod embedded;
mod engine;
mod error;
mod limits;
mod load;
mod log;
pub mod manifest;
mod offload;
mod sandbox;
mod slots;
mod turns;

pub use artifacts::CacheStats;
pub use bindings::SUPPORTED as SUPPORTED_CONTRACTS;
pub use bindings::at_least as contract_at_least;
pub use bindings::latest::VERSION as LATEST_CONTRACT;
pub use bindings::since_v1_2_0::VERSION as CONTEXT_CONTRACT;
pub use call::{CallReport, Called};
pub use embedded::DEFAULT_BUNDLE;
pub use engine::Runtime;
pub use error::{Failure, Hook, LoadError, PluginError};
pub use limits::{Budget, Limits, RuntimeConfig};
pub use load::{ContentHash, Plugin};
