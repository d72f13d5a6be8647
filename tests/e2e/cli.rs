//! The `aftersale plugin` commands, run as a user runs them.

use std::path::Path;
use std::process::Output;

use aftersale::plugins::DEFAULT_BUNDLE;
use serde_json::Value;

use aftersale::scaffold::Lang;

use crate::harness::cli::aftersale;
use crate::harness::support::{behaving, components, kit};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Assert the command failed with exactly one line on stderr, and return it.
fn one_line_error(output: &Output) -> String {
    assert!(!output.status.success(), "expected failure: {output:?}");
    let stderr = text(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn check_prints_the_manifest_of_each_first_party_plugin() {
    let dir = tempfile::tempdir().unwrap();
    for (package, bytes) in DEFAULT_BUNDLE {
        let file = dir.path().join(format!("{package}.wasm"));
        std::fs::write(&file, bytes).unwrap();
        let output = aftersale(&["plugin", "check", file.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{package}: {}",
            text(&output.stderr)
        );
        let manifest: Value = serde_json::from_slice(&output.stdout).expect("JSON manifest");
        assert_eq!(manifest["name"], *package);
        assert!(manifest["kinds"].as_array().is_some_and(|k| !k.is_empty()));
    }
}

#[test]
fn check_accepts_the_python_and_js_kits() {
    for (lang, name) in [(Lang::Python, "kit-python"), (Lang::Js, "kit-js")] {
        let path = kit(lang).to_str().expect("a UTF-8 path");
        let output = aftersale(&["plugin", "check", path]);
        assert!(
            output.status.success(),
            "{lang:?}: {}",
            text(&output.stderr)
        );
        let manifest: Value = serde_json::from_slice(&output.stdout).expect("JSON manifest");
        assert_eq!(manifest["name"], name);
        assert_eq!(manifest["kinds"][0]["name"], name.replace('-', "_"));
        assert_eq!(manifest["actions"][0]["name"], "stamp");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("aftersale:plugin@1.2.0"), "{stderr}");
    }
}

#[test]
fn check_refuses_a_manifest_that_sleeps_instead_of_hanging() {
    let started = std::time::Instant::now();
    let error = one_line_error(&aftersale(&[
        "plugin",
        "check",
        components::SLEEPY_MANIFEST,
    ]));
    assert!(
        error.contains("hook manifest") && error.contains("deadline")
            || error.contains("fuel exhausted"),
        "{error}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn check_refuses_a_file_that_is_not_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.wasm");
    std::fs::write(&file, "these are my notes").unwrap();
    let error = one_line_error(&aftersale(&["plugin", "check", file.to_str().unwrap()]));
    assert!(error.contains("not WebAssembly"), "{error}");
}

#[test]
fn check_refuses_a_core_module() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("core.wasm");
    std::fs::write(&file, b"\0asm\x01\0\0\0").unwrap();
    let error = one_line_error(&aftersale(&["plugin", "check", file.to_str().unwrap()]));
    assert!(error.contains("core WebAssembly module"), "{error}");
}

#[test]
fn check_refuses_a_forbidden_import_and_names_it() {
    let error = one_line_error(&aftersale(&["plugin", "check", components::FORBIDDEN_HTTP]));
    assert!(error.contains("forbidden import `wasi:http/"), "{error}");
}

#[test]
fn check_refuses_a_missing_file() {
    let error = one_line_error(&aftersale(&["plugin", "check", "/no/such/plugin.wasm"]));
    assert!(error.contains("cannot read"), "{error}");
}

#[test]
fn run_reports_the_decision_fuel_memory_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("snapshot.json");
    std::fs::write(&input, serde_json::to_vec(&behaving()).unwrap()).unwrap();
    let output = aftersale(&[
        "plugin",
        "run",
        components::HOSTILE,
        "--hook",
        "guard",
        "--input",
        input.to_str().unwrap(),
        "--transition",
        "finish",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["plugin"], "hostile");
    assert_eq!(report["hook"], "guard");
    assert_eq!(report["result"]["allowed"], true);
    assert!(report["fuel_used"].as_u64().unwrap() > 0);
    assert!(report["peak_memory_bytes"].as_u64().unwrap() > 0);
    let (elapsed, cpu) = (
        report["elapsed_us"].as_u64().unwrap(),
        report["cpu_us"].as_u64().unwrap(),
    );
    assert!(cpu > 0 && cpu <= elapsed, "cpu {cpu} µs, wall {elapsed} µs");
}

#[test]
fn run_names_a_transition_the_workflow_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("snapshot.json");
    std::fs::write(&input, serde_json::to_vec(&behaving()).unwrap()).unwrap();
    let output = aftersale(&[
        "plugin",
        "run",
        components::HOSTILE,
        "--hook",
        "guard",
        "--input",
        input.to_str().unwrap(),
        "--transition",
        "fly",
    ]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("no transition `fly`"));
}

#[test]
fn run_fails_cleanly_when_the_plugin_fails() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("snapshot.json");
    let snapshot = crate::harness::support::trial("burn").build();
    std::fs::write(&input, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let output = aftersale(&[
        "plugin",
        "run",
        components::HOSTILE,
        "--hook",
        "on-create",
        "--input",
        Path::new(&input).to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("fuel exhausted"),
        "{}",
        text(&output.stderr)
    );
}
