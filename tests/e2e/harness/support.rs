//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aftersale::plugins::{Plugin, Runtime, RuntimeConfig};
use aftersale_sdk::testing::SnapshotBuilder;
use aftersale_sdk::{Snapshot, TransitionRequest};

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

/// The `trial` kind's `finish` transition, as a guard is asked about it.
pub fn finish() -> TransitionRequest {
    TransitionRequest {
        name: "finish".into(),
        from: "open".into(),
        to: "done".into(),
        note: None,
        changed_attributes: Vec::new(),
    }
}

/// A well-behaved `trial` ticket whose guard passes.
pub fn behaving() -> Snapshot {
    trial("behave").attr("verdict", "fine").build()
}

/// The component of a new `kit-python` or `kit-js` plugin: the project
/// `aftersale plugin new --lang …` writes, built once per test process by
/// its own `./build` from the registries' pinned toolchain.
pub fn kit(lang: aftersale::scaffold::Lang) -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    static JS: OnceLock<PathBuf> = OnceLock::new();
    let (cell, name) = match lang {
        aftersale::scaffold::Lang::Python => (&PYTHON, "kit-python"),
        aftersale::scaffold::Lang::Js => (&JS, "kit-js"),
        aftersale::scaffold::Lang::Rust => panic!("Rust components come from tests/components"),
    };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory").keep();
        let project = aftersale::scaffold::create(&aftersale::scaffold::NewPlugin {
            name: name.into(),
            path: Some(dir.join(name)),
            sdk: None,
            lang,
        })
        .expect("the project is written");
        aftersale::scaffold::build(&project, name).unwrap_or_else(|e| panic!("{e:#}"))
    })
}
