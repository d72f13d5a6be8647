//! `aftersale plugin new`: a new plugin crate from the template in
//! `host/templates/plugin/`, ready for `cargo test` and
//! `cargo build --target wasm32-wasip2 --release`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::plugins::LATEST_CONTRACT;

/// The template's files: path in the new crate, text with `{{…}}` holes.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/plugin/Cargo.toml.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/plugin/lib.rs.tmpl"),
    ),
    (
        "README.md",
        include_str!("../templates/plugin/README.md.tmpl"),
    ),
    (
        ".gitignore",
        include_str!("../templates/plugin/gitignore.tmpl"),
    ),
];

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
    /// published crate.
    pub sdk: Option<PathBuf>,
}

/// Write the crate and return its directory.
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
    for (path, template) in FILES {
        let text = holes
            .iter()
            .fold(template.to_string(), |text, (hole, value)| {
                text.replace(hole, value)
            });
        write(&dir.join(path), &text)?;
    }
    Ok(dir)
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

    #[test]
    fn every_hole_of_the_template_is_filled() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = dir.path().join("lift-repair");
        let created = create(&NewPlugin {
            name: "lift-repair".into(),
            path: Some(target.clone()),
            sdk: None,
        })
        .expect("the crate is written");
        assert_eq!(created, target);
        for (path, _) in FILES {
            let text = fs::read_to_string(target.join(path)).expect("written");
            assert!(!text.contains("{{"), "{path} has an unfilled hole");
        }
        let manifest = fs::read_to_string(target.join("Cargo.toml")).expect("written");
        assert!(manifest.contains("name = \"lift-repair\""));
        assert!(manifest.contains(&format!("aftersale-sdk = \"{SDK_VERSION}\"")));
        let lib = fs::read_to_string(target.join("src/lib.rs")).expect("written");
        assert!(lib.contains("export_plugin!(LiftRepair);"));

        let again = create(&NewPlugin {
            name: "lift-repair".into(),
            path: Some(target),
            sdk: None,
        });
        assert!(again.unwrap_err().to_string().contains("not empty"));
    }
}
