//! Builds the first-party plugins for wasm32-wasip2 and embeds them.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

const FIRST_PARTY: &[&str] = &["appliance", "complaints", "it-support", "retail-returns"];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest_dir
        .parent()
        .expect("the host crate lives inside the workspace");
    println!("cargo:rerun-if-changed=build.rs");
    // `sqlx::migrate!` embeds the migrations; a new file must rebuild it.
    println!("cargo:rerun-if-changed=migrations");
    for path in ["wit", "sdk", "plugins", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }

    let components = aftersale_plugin_build::build(workspace, FIRST_PARTY);

    let mut code = String::from(
        "/// The first-party plugins as `(package, component bytes)`, installed for\n\
         /// every new tenant.\n\
         pub const DEFAULT_BUNDLE: &[(&str, &[u8])] = &[\n",
    );
    for c in &components {
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            c.package,
            c.path.display()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("embedded.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
