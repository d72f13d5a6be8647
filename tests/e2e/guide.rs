//! `docs/plugin-guide.md`, followed step by step: a new plugin from the
//! template, a rule added as the guide shows, its native tests, the
//! component built with plain cargo, then `plugin check` and `plugin run`
//! on it with the snapshot the guide prints.
//!
//! The first run compiles the SDK for wasm32-wasip2 (a few minutes on a
//! small machine); later runs reuse the build in `plugin-guide/` under the
//! target directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::harness::cli::aftersale_in;

const GUIDE: &str = include_str!("../../docs/plugin-guide.md");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the host crate lives inside the repository")
        .to_path_buf()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(what: &str, output: Output) -> Output {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

/// `cargo ARGS` in the plugin crate, as a partner runs it: none of this
/// build's flags or wrappers, a target directory of its own.
fn cargo(args: &[&str], dir: &Path, target_dir: &Path) -> Output {
    let mut cmd = Command::new(option_env!("CARGO").unwrap_or("cargo"));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir);
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("cargo runs")
}

/// The code block that follows `<!-- MARKER -->` in the guide.
fn block_after(marker: &str) -> &'static str {
    let start = GUIDE
        .find(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("the guide has no `{marker}`"));
    let rest = &GUIDE[start..];
    let open = rest.find("```").expect("a code block follows");
    let body = &rest[open..];
    let body = &body[body.find('\n').expect("a fenced block") + 1..];
    &body[..body.find("```").expect("the block ends")]
}

/// The `aftersale …` command lines of the guide's shell blocks, joined where
/// they continue with `\`.
fn guide_commands(program: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut current = String::new();
    let mut in_sh = false;
    for line in GUIDE.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        current.push_str(line.trim_end_matches('\\').trim());
        current.push(' ');
        if line.ends_with('\\') {
            continue;
        }
        let command = std::mem::take(&mut current);
        if command.starts_with(&format!("{program} ")) {
            commands.push(shell_words(&command));
        }
    }
    commands
}

/// Split a command line the way sh does for the guide's simple quoting.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The guide's `aftersale plugin run …` command whose words include `needle`,
/// without the program name.
fn guide_run(needle: &str) -> Vec<String> {
    guide_commands("aftersale")
        .into_iter()
        .find(|words| {
            words.get(2).map(String::as_str) == Some("run") && words.iter().any(|w| w == needle)
        })
        .unwrap_or_else(|| panic!("the guide runs no hook with `{needle}`"))
        .split_off(1)
}

#[test]
fn the_plugin_guide_takes_a_partner_from_nothing_to_a_checked_plugin() {
    let repo = repo();
    let work = tempfile::tempdir().unwrap();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"))
        .join("plugin-guide");

    // 2. Create the plugin, against the SDK of this checkout.
    let sdk = repo.join("sdk");
    succeeded(
        "plugin new",
        aftersale_in(
            &[
                "plugin",
                "new",
                "lift-repair",
                "--sdk",
                sdk.to_str().unwrap(),
            ],
            work.path(),
        ),
    );
    let crate_dir = work.path().join("lift-repair");
    assert!(crate_dir.join("src/lib.rs").is_file());
    // The workspace's lock file pins the versions this repository is tested
    // with, so the guide does not depend on what the registry published today.
    std::fs::copy(repo.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();

    // 3. Add the guide's rule R2 at the top of `guard`.
    let lib = crate_dir.join("src/lib.rs");
    let code = std::fs::read_to_string(&lib).unwrap();
    let signature = "fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {\n";
    assert!(code.contains(signature), "the template has a guard");
    let code = code.replacen(
        signature,
        &format!("{signature}{}", block_after("guide-edit: guard")),
        1,
    );
    std::fs::write(&lib, code).unwrap();

    // 4. Test it natively; 5. build the component.
    let tested = succeeded("cargo test", cargo(&["test"], &crate_dir, &target_dir));
    let summary = text(&tested.stdout);
    assert!(
        summary.contains("r1_finishing_without_a_fault_code_is_refused ... ok"),
        "{summary}"
    );
    succeeded(
        "cargo build",
        cargo(
            &["build", "--target", "wasm32-wasip2", "--release"],
            &crate_dir,
            &target_dir,
        ),
    );
    let component = target_dir.join("wasm32-wasip2/release/lift_repair.wasm");
    assert!(component.is_file(), "{} was built", component.display());
    // The guide's paths are relative to the default target directory.
    let release = crate_dir.join("target/wasm32-wasip2/release");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::copy(&component, release.join("lift_repair.wasm")).unwrap();

    // 6. Check it.
    let check = guide_commands("aftersale")
        .into_iter()
        .find(|words| words.get(2).map(String::as_str) == Some("check"))
        .expect("the guide checks the component");
    let checked = succeeded(
        "plugin check",
        aftersale_in(
            &check[1..].iter().map(String::as_str).collect::<Vec<_>>(),
            &crate_dir,
        ),
    );
    let manifest: Value = serde_json::from_slice(&checked.stdout).expect("the manifest as JSON");
    assert_eq!(manifest["name"], "lift-repair");
    assert_eq!(manifest["kinds"][0]["name"], "repair");
    let line = text(&checked.stderr);
    assert!(
        line.starts_with("ok: lift-repair@0.1.0 (aftersale:plugin@1.2.0, sha256 "),
        "{line}"
    );

    // 7. Run the guard with the guide's snapshot: R1 refuses.
    std::fs::write(
        crate_dir.join("snapshot.json"),
        block_after("guide-file: snapshot.json"),
    )
    .unwrap();
    let run = guide_run("guard");
    let words: Vec<&str> = run.iter().map(String::as_str).collect();
    let report: Value = serde_json::from_slice(
        &succeeded("plugin run guard", aftersale_in(&words, &crate_dir)).stdout,
    )
    .unwrap();
    assert_eq!(report["plugin"], "lift-repair");
    assert_eq!(report["contract"], "1.2.0");
    assert_eq!(report["result"]["allowed"], false);
    assert_eq!(report["result"]["rejection"]["rule"], "R1");
    assert_eq!(report["result"]["rejection"]["details"][0], "fault_code");
    assert!(report["fuel_used"].as_u64().unwrap() > 0, "{report}");
    assert!(
        report["peak_memory_bytes"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(report["elapsed_us"].is_u64(), "{report}");
    assert!(report["cpu_us"].is_u64(), "{report}");

    // The rule added in step 3 is in the component.
    let mut waiting = words.clone();
    let at = waiting.iter().position(|w| *w == "finish").unwrap();
    waiting[at] = "wait_for_parts";
    let report: Value = serde_json::from_slice(
        &succeeded("plugin run R2", aftersale_in(&waiting, &crate_dir)).stdout,
    )
    .unwrap();
    assert_eq!(report["result"]["rejection"]["rule"], "R2", "{report}");

    // The survey hook: a poor rating alerts the manager.
    let run = guide_run("on-survey");
    let words: Vec<&str> = run.iter().map(String::as_str).collect();
    let report: Value = serde_json::from_slice(
        &succeeded("plugin run on-survey", aftersale_in(&words, &crate_dir)).stdout,
    )
    .unwrap();
    let effect = &report["result"]["effects"][0];
    assert_eq!(effect["effect"], "notify", "{report}");
    assert_eq!(effect["template"], "service-recovery");
}

#[test]
fn the_guide_reads_its_commands_as_sh_would() {
    assert_eq!(
        shell_words(r#"aftersale plugin run x.wasm --answer '{"a": 1}'"#),
        [
            "aftersale",
            "plugin",
            "run",
            "x.wasm",
            "--answer",
            r#"{"a": 1}"#
        ]
    );
    let run = guide_run("guard");
    assert_eq!(
        run[..3],
        [
            "plugin",
            "run",
            "target/wasm32-wasip2/release/lift_repair.wasm"
        ]
    );
}

/// The guide's `curl` command lines, joined where they continue with `\`.
fn guide_curls() -> Vec<String> {
    guide_commands("curl")
        .into_iter()
        .map(|words| words.join(" "))
        .collect()
}

#[test]
fn the_guide_has_a_partner_upload_with_a_publisher_key_the_operator_issued() {
    let curls = guide_curls();
    let step = |route: &str| {
        curls
            .iter()
            .find(|c| c.contains(route))
            .unwrap_or_else(|| panic!("the guide has no curl to {route}: {curls:?}"))
    };
    assert!(step("/api/v1/publishers").contains("Bearer $OPERATOR_KEY"));
    let upload = step("--data-binary");
    assert!(upload.contains("/api/v1/plugins"), "{upload}");
    assert!(upload.contains("Bearer $PUBLISHER_KEY"), "{upload}");
    assert!(step("/publish").contains("Bearer $OPERATOR_KEY"));
}
