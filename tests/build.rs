//! Builds the purpose-made test components from `components/` and writes
//! their paths to `$OUT_DIR/components.rs`.

use std::env;
use std::path::PathBuf;

const COMPONENTS: &[&str] = &[
    "hostile",
    "snoop-fs",
    "snoop-net",
    "forbidden-http",
    "bad-manifest",
    "greeter-v1",
    "greeter-v2",
    "legacy-v1",
    "sleepy-manifest",
    "squatter",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest_dir
        .parent()
        .expect("tests/ lives inside the workspace");
    println!("cargo:rerun-if-changed=build.rs");
    for path in ["tests/components", "sdk", "wit"] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    let components = aftersale_plugin_build::build(workspace, COMPONENTS);
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("components.rs");
    aftersale_plugin_build::write_paths(&out, &components);
}
