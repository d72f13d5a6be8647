//! `aftersale plugin new`: a new plugin project from the templates in
//! `host/templates/`: a Rust crate ready for `cargo test` and
//! `cargo build --target wasm32-wasip2 --release`, or a Python or JavaScript
//! project whose `build` installs the pinned toolchain and writes the
//! component.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::plugins::LATEST_CONTRACT;

/// The language a new plugin is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Rust,
    Python,
    Js,
}

/// A template file: path in the new project, text with `{{…}}` holes, and
/// whether it is a script to run.
struct File {
    path: &'static str,
    text: &'static str,
    executable: bool,
}

const fn file(path: &'static str, text: &'static str) -> File {
    File {
        path,
        text,
        executable: false,
    }
}

/// The contract's WIT, for toolchains that generate bindings from it.
const WIT: File = file("wit/plugin.wit", include_str!("../../wit/1.2.0/plugin.wit"));

const RUST: &[File] = &[
    file(
        "Cargo.toml",
        include_str!("../templates/plugin/Cargo.toml.tmpl"),
    ),
    file(
        "src/lib.rs",
        include_str!("../templates/plugin/lib.rs.tmpl"),
    ),
    file(
        "README.md",
        include_str!("../templates/plugin/README.md.tmpl"),
    ),
    file(
        ".gitignore",
        include_str!("../templates/plugin/gitignore.tmpl"),
    ),
];

const PYTHON: &[File] = &[
    file("app.py", include_str!("../templates/python/app.py.tmpl")),
    File {
        path: "build",
        text: include_str!("../templates/python/build.tmpl"),
        executable: true,
    },
    file(
        "README.md",
        include_str!("../templates/python/README.md.tmpl"),
    ),
    file(
        ".gitignore",
        include_str!("../templates/python/gitignore.tmpl"),
    ),
    WIT,
];

const JS: &[File] = &[
    file("app.js", include_str!("../templates/js/app.js.tmpl")),
    file(
        "package.json",
        include_str!("../templates/js/package.json.tmpl"),
    ),
    file("build.mjs", include_str!("../templates/js/build.mjs.tmpl")),
    File {
        path: "build",
        text: include_str!("../templates/js/build.tmpl"),
        executable: true,
    },
    file("README.md", include_str!("../templates/js/README.md.tmpl")),
    file(".gitignore", include_str!("../templates/js/gitignore.tmpl")),
    WIT,
];

impl Lang {
    fn files(self) -> &'static [File] {
        match self {
            Lang::Rust => RUST,
            Lang::Python => PYTHON,
            Lang::Js => JS,
        }
    }
}

/// The SDK version a crate outside this repository depends on.
const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What to create.
#[derive(Debug, Clone)]
pub struct NewPlugin {
    /// Plugin name, kebab-case; also the crate's name.
    pub name: String,
    /// Directory to create; `./NAME` by default.
    pub path: Option<PathBuf>,
    /// A local checkout of the SDK to depend on by path instead of the
    /// published crate (Rust only).
    pub sdk: Option<PathBuf>,
    pub lang: Lang,
}

/// Write the project and return its directory.
pub fn create(new: &NewPlugin) -> anyhow::Result<PathBuf> {
    check_name(&new.name)?;
    let dir = new.path.clone().unwrap_or_else(|| PathBuf::from(&new.name));
    let occupied = match fs::read_dir(&dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(_) => dir.exists(),
    };
    if occupied {
        bail!("{} exists and is not empty", dir.display());
    }
    if new.sdk.is_some() && new.lang != Lang::Rust {
        bail!(
            "--sdk names the Rust SDK; a {:?} plugin takes its bindings from wit/",
            new.lang
        );
    }
    let sdk_dependency = match &new.sdk {
        Some(sdk) => {
            let sdk =
                fs::canonicalize(sdk).with_context(|| format!("no SDK at {}", sdk.display()))?;
            if !sdk.join("Cargo.toml").is_file() {
                bail!("{} is not a crate (no Cargo.toml)", sdk.display());
            }
            format!(
                "aftersale-sdk = {{ path = {:?} }}",
                sdk.display().to_string()
            )
        }
        None => format!("aftersale-sdk = \"{SDK_VERSION}\""),
    };
    let holes = [
        ("{{name}}", new.name.clone()),
        ("{{crate}}", new.name.replace('-', "_")),
        ("{{type}}", type_name(&new.name)),
        ("{{contract}}", LATEST_CONTRACT.to_string()),
        ("{{sdk_dependency}}", sdk_dependency),
    ];
    for file in new.lang.files() {
        let text = holes
            .iter()
            .fold(file.text.to_string(), |text, (hole, value)| {
                text.replace(hole, value)
            });
        let path = dir.join(file.path);
        write(&path, &text)?;
        if file.executable {
            make_executable(&path)?;
        }
    }
    Ok(dir)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Run the `./build` of a Python or JavaScript project made by [`create`]
/// and return the component it wrote, `DIR/NAME.wasm`. The tests and the
/// benchmarks build the templates this way, as a partner would.
pub fn build(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let script = dir.join("build");
    let output = std::process::Command::new(&script)
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}):\n{}{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(dir.join(format!("{name}.wasm")))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// A plugin name is kebab-case ASCII, as the manifest requires, and starts
/// with a letter so that it is also a crate name.
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!(
            "`{name}` is not a plugin name: use lower-case letters, digits and single \
             hyphens, starting with a letter (e.g. `lift-repair`)"
        );
    }
    Ok(())
}

/// `lift-repair` → `LiftRepair`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_and_become_type_names() {
        assert!(check_name("lift-repair").is_ok());
        assert!(check_name("demo2").is_ok());
        for bad in ["Demo", "2demo", "lift_repair", "lift--repair", "lift-", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(type_name("lift-repair"), "LiftRepair");
        assert_eq!(type_name("demo"), "Demo");
    }

    /// A `{{word}}` left in the text (JSDoc's `{{…: type}}` is not one).
    fn has_hole(text: &str) -> bool {
        text.match_indices("{{").any(|(at, _)| {
            let rest = &text[at + 2..];
            let word = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(rest.len());
            word > 0 && rest[word..].starts_with("}}")
        })
    }

    #[test]
    fn every_hole_of_every_template_is_filled() {
        for lang in [Lang::Rust, Lang::Python, Lang::Js] {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let target = dir.path().join("lift-repair");
            let created = create(&NewPlugin {
                name: "lift-repair".into(),
                path: Some(target.clone()),
                sdk: None,
                lang,
            })
            .expect("the project is written");
            assert_eq!(created, target);
            for file in lang.files() {
                let text = fs::read_to_string(target.join(file.path)).expect("written");
                assert!(
                    !has_hole(&text),
                    "{lang:?} {} has an unfilled hole",
                    file.path
                );
            }
        }
    }

    #[test]
    fn a_rust_crate_names_itself_and_its_sdk() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = dir.path().join("lift-repair");
        let new = NewPlugin {
            name: "lift-repair".into(),
            path: Some(target.clone()),
            sdk: None,
            lang: Lang::Rust,
        };
        create(&new).expect("the crate is written");
        let manifest = fs::read_to_string(target.join("Cargo.toml")).expect("written");
        assert!(manifest.contains("name = \"lift-repair\""));
        assert!(manifest.contains(&format!("aftersale-sdk = \"{SDK_VERSION}\"")));
        let lib = fs::read_to_string(target.join("src/lib.rs")).expect("written");
        assert!(lib.contains("export_plugin!(LiftRepair);"));
        let again = create(&new);
        assert!(again.unwrap_err().to_string().contains("not empty"));
    }

    #[test]
    fn python_and_js_projects_carry_the_latest_contract_and_a_runnable_build() {
        assert!(
            WIT.text
                .contains(&format!("package aftersale:plugin@{LATEST_CONTRACT};")),
            "the WIT handed to partners is the latest contract's"
        );
        for (lang, source, kind) in [
            (Lang::Python, "app.py", "KIND = \"lift_repair\""),
            (Lang::Js, "app.js", "const KIND = 'lift_repair'"),
        ] {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let target = dir.path().join("lift-repair");
            create(&NewPlugin {
                name: "lift-repair".into(),
                path: Some(target.clone()),
                sdk: None,
                lang,
            })
            .expect("the project is written");
            let app = fs::read_to_string(target.join(source)).expect("written");
            assert!(app.contains(kind), "{lang:?}: {source} declares its kind");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(target.join("build"))
                    .expect("written")
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o111, 0o111, "{lang:?}: build is executable");
            }
        }
        let refused = create(&NewPlugin {
            name: "lift-repair".into(),
            path: None,
            sdk: Some(PathBuf::from("sdk")),
            lang: Lang::Python,
        });
        assert!(refused.unwrap_err().to_string().contains("--sdk"));
    }
}
