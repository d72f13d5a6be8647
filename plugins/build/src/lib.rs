//! Builds plugin crates into WebAssembly components from a build script.
//!
//! The host embeds the first-party plugins and the test suite loads purpose-made
//! components; both are built from source as part of the ordinary `cargo`
//! build. This crate runs a nested `cargo build --target wasm32-wasip2` into a
//! target directory of its own, so the wasm build shares neither flags nor
//! locks with the outer build, and tells the outer cargo which source files
//! the components depend on.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target every plugin is built for.
pub const TARGET: &str = "wasm32-wasip2";

/// The cargo profile plugins are built with (defined in the workspace
/// manifest): optimised, because every instruction a plugin runs costs fuel.
pub const PROFILE: &str = "plugin";

/// One built component.
#[derive(Debug, Clone)]
pub struct Component {
    /// The package name, e.g. `it-support`.
    pub package: String,
    /// Absolute path of the `.wasm` file.
    pub path: PathBuf,
}

impl Component {
    /// The package name as an upper-case Rust identifier, e.g. `IT_SUPPORT`.
    pub fn const_name(&self) -> String {
        self.package.to_uppercase().replace('-', "_")
    }
}

/// Build `packages` (members of the workspace at `workspace`) for
/// [`TARGET`] and return their components, in the order given.
///
/// # Panics
/// When the target cannot be installed or the build fails: a build script
/// has no better way to fail, and the message says what went wrong.
pub fn build(workspace: &Path, packages: &[&str]) -> Vec<Component> {
    ensure_target();
    let target_dir = target_dir(workspace);
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(workspace)
        .arg("build")
        .arg("--target")
        .arg(TARGET)
        .arg("--profile")
        .arg(PROFILE)
        .arg("--target-dir")
        .arg(&target_dir);
    for package in packages {
        cmd.arg("-p").arg(package);
    }
    // Flags meant for the host build (coverage, sanitizers, clippy as a
    // wrapper) must not leak into the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_LTO",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("could not run `{cargo}`: {e}"));
    assert!(status.success(), "building plugins failed: {cmd:?}");

    let out = target_dir.join(TARGET).join(PROFILE);
    packages
        .iter()
        .map(|package| {
            let stem = package.replace('-', "_");
            let path = out.join(format!("{stem}.wasm"));
            assert!(path.exists(), "the build produced no {}", path.display());
            rerun_if_sources_change(&out.join(format!("{stem}.d")));
            Component {
                package: package.to_string(),
                path,
            }
        })
        .collect()
}

/// Write `const NAME: &str = "path";` for each component to `file`.
pub fn write_paths(file: &Path, components: &[Component]) {
    let mut code = String::new();
    for c in components {
        let _ = writeln!(
            code,
            "pub const {}: &str = {:?};",
            c.const_name(),
            c.path.display()
        );
    }
    fs::write(file, code).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
}

/// Where the wasm build goes: a subdirectory of the target directory shared by
/// every profile of the host. A target directory shared between checkouts
/// (`CARGO_TARGET_DIR`) gets one subdirectory per checkout, so two checkouts
/// never embed each other's components.
fn target_dir(workspace: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        None => workspace.join("target").join("plugins"),
        Some(shared) => {
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&workspace, &mut hasher);
            let checkout = std::hash::Hasher::finish(&hasher);
            PathBuf::from(shared).join(format!("plugins-{checkout:016x}"))
        }
    }
}

/// Install the target with rustup when the toolchain lacks it.
fn ensure_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(sysroot) = &sysroot
        && sysroot.join("lib/rustlib").join(TARGET).exists()
    {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .unwrap_or_else(|e| panic!("the {TARGET} target is missing and rustup could not run: {e}"));
    assert!(
        status.success(),
        "`rustup target add {TARGET}` failed; install the target and build again"
    );
}

/// Read cargo's dep-info file for a component and ask the outer cargo to
/// rebuild when any of those sources change.
fn rerun_if_sources_change(dep_info: &Path) {
    let Ok(text) = fs::read_to_string(dep_info) else {
        return;
    };
    // Format: `target: dep1 dep2 ...`, spaces in paths escaped with `\ `.
    let Some((_, deps)) = text.split_once(": ") else {
        return;
    };
    let mut current = String::new();
    let mut chars = deps.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' | '\n' => {
                if !current.is_empty() {
                    println!("cargo:rerun-if-changed={current}");
                    current.clear();
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        println!("cargo:rerun-if-changed={current}");
    }
}
