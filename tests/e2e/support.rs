//! Helpers shared by the end-to-end tests.

use std::sync::Arc;

use aftersale::plugins::{Plugin, Runtime, RuntimeConfig};
use aftersale_sdk::Snapshot;
use aftersale_sdk::testing::SnapshotBuilder;

pub use aftersale_tests::components;

/// A runtime with the default limits.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("the runtime starts")
}

/// Load a component from a file.
pub async fn load(runtime: &Runtime, path: &str) -> Arc<Plugin> {
    let bytes = std::fs::read(path).expect("the component was built");
    runtime.load(&bytes).await.expect("the component loads")
}

/// A ticket of the hostile plugin's `trial` kind, misbehaving in `mode`.
pub fn trial(mode: &str) -> SnapshotBuilder {
    SnapshotBuilder::new("trial")
        .state("open")
        .attr("mode", mode)
}

/// A well-behaved `trial` ticket whose guard passes.
pub fn behaving() -> Snapshot {
    trial("behave").attr("verdict", "fine").build()
}
