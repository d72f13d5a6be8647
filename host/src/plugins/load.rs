//! Loading a component: compile it (or read its precompiled code), check
//! what it imports and which contract it exports, ask its manifest once.

use std::sync::{Arc, PoisonError};

use aftersale_sdk as c;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::bindings::{self, Bindings};
use super::call::{Run, busy_failure};
use super::engine::Runtime;
use super::error::{Failure, Hook, LoadError, PluginError};
use super::limits::{self, Limits};
use super::manifest;

/// The party that loading a component (its `manifest` call) runs for: it
/// belongs to no tenant and has a share of its own.
const LOADING: &str = "<loading>";

/// A component's SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(Sha256::digest(bytes).into())
    }
}

impl std::str::FromStr for ContentHash {
    type Err = String;

    /// From 64 hex digits, as `Display` writes it.
    fn from_str(hex: &str) -> Result<Self, String> {
        let bad = || format!("`{hex}` is not a SHA-256 in hex");
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(ContentHash(out))
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A loaded plugin: its manifest, its limits and its compiled component,
/// ready to instantiate.
pub struct Plugin {
    pub(super) hash: ContentHash,
    pub(super) manifest: c::Manifest,
    pub(super) bindings: Arc<Bindings>,
    pub(super) limits: Limits,
}

impl Plugin {
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    pub fn version(&self) -> &str {
        &self.manifest.version
    }

    pub fn manifest(&self) -> &c::Manifest {
        &self.manifest
    }

    pub fn hash(&self) -> ContentHash {
        self.hash
    }

    /// The contract version the component was built against.
    pub fn contract(&self) -> &'static str {
        self.bindings.version()
    }

    /// Whether the component exports the optional `on-survey` hook (contract
    /// 1.1.0 and later).
    pub fn answers_surveys(&self) -> bool {
        self.bindings.answers_surveys()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.manifest.name)
            .field("version", &self.manifest.version)
            .field("contract", &self.contract())
            .field("answers_surveys", &self.answers_surveys())
            .field("hash", &self.hash.to_string())
            .finish()
    }
}

impl Runtime {
    /// The same plugin running on other limits (an operator's grant). The
    /// compiled component is shared.
    pub fn with_limits(&self, plugin: &Plugin, limits: Limits) -> Arc<Plugin> {
        Arc::new(Plugin {
            hash: plugin.hash,
            manifest: plugin.manifest.clone(),
            bindings: plugin.bindings.clone(),
            limits,
        })
    }

    /// Compile, check and load a component. Loading the same bytes twice
    /// returns the plugin loaded the first time.
    pub async fn load(&self, bytes: &[u8]) -> Result<Arc<Plugin>, LoadError> {
        let hash = ContentHash::of(bytes);
        if let Some(plugin) = self.cached(hash) {
            return Ok(plugin);
        }
        check_header(bytes)?;
        // Compiling uses every core: one at a time, and a bounded wait for
        // the turn.
        let _turn = tokio::time::timeout(self.compile_wait, self.compiles.acquire())
            .await
            .map_err(|_| {
                LoadError::Busy(format!(
                    "other components are compiling; none finished within {} s",
                    self.compile_wait.as_secs()
                ))
            })?
            .map_err(|e| LoadError::Invalid(format!("the runtime is shutting down: {e}")))?;
        // Another load of the same bytes may have finished while this one
        // waited.
        if let Some(plugin) = self.cached(hash) {
            return Ok(plugin);
        }
        let component = {
            let engine = self.engine.clone();
            let artifacts = self.artifacts.clone();
            let bytes = bytes.to_vec();
            // Compiling (or reading a large file) takes long enough to stall
            // other tasks.
            tokio::task::spawn_blocking(move || match artifacts {
                Some(cache) => cache.component(&engine, hash, &bytes),
                None => Component::new(&engine, &bytes),
            })
            .await
            .map_err(|e| LoadError::Invalid(e.to_string()))?
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?
        };
        let ty = component.component_type();
        let forbidden: Vec<String> = ty
            .imports(&self.engine)
            .map(|(name, _)| name)
            .filter(|name| !limits::import_allowed(name))
            .map(str::to_string)
            .collect();
        if !forbidden.is_empty() {
            return Err(LoadError::ForbiddenImport { imports: forbidden });
        }
        let exports: Vec<&str> = ty.exports(&self.engine).map(|(name, _)| name).collect();
        let version = bindings::detect(exports.iter().copied()).ok_or_else(|| {
            LoadError::UnsupportedContract {
                supported: bindings::SUPPORTED.join(", "),
                exported: if exports.is_empty() {
                    "nothing".into()
                } else {
                    exports.join(", ")
                },
            }
        })?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        let bindings = Arc::new(
            Bindings::new(version, pre).map_err(|e| LoadError::Invalid(format!("{e:#}")))?,
        );

        let unnamed = |failure| PluginError {
            plugin: format!("<component {}>", &hash.to_string()[..12]),
            version: "?".into(),
            hook: Hook::Manifest,
            failure,
        };
        // The manifest is asked once per load, often at start beside every
        // other component: it runs on the default limits but with the
        // longest deadline an operator could grant, so a busy machine does
        // not refuse a sound plugin, and a sleeping one still ends.
        let limits = Limits {
            deadline_ms: self.limits.deadline_ms.max(self.caps.deadline_ms),
            ..self.limits
        };
        let permit = self
            .slots
            .acquire(LOADING)
            .await
            .map_err(|busy| unnamed(busy_failure(busy, &self.slots)))?;
        let asked = bindings.clone();
        let run: Run<c::Manifest> =
            Box::new(move |store, _| Box::pin(async move { asked.hooks().manifest(store).await }));
        let (result, _) = self
            .sandboxed(LOADING, &limits, Timestamp::UNIX_EPOCH, run)
            .await;
        drop(permit);
        let manifest = result.map_err(unnamed)?;
        manifest::validate(&manifest).map_err(|reason| PluginError {
            plugin: manifest.name.clone(),
            version: manifest.version.clone(),
            hook: Hook::Manifest,
            failure: Failure::InvalidManifest { reason },
        })?;

        let plugin = Arc::new(Plugin {
            hash,
            manifest,
            bindings,
            limits: self.limits,
        });
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, plugin.clone());
        Ok(plugin)
    }

    fn cached(&self, hash: ContentHash) -> Option<Arc<Plugin>> {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            .cloned()
    }

    /// Drop the compiled component loaded from `hash`, so a refused upload
    /// or a version nobody binds does not stay in memory. Plugins handed
    /// out before keep working; the next `load` of the bytes compiles (or
    /// reads the precompiled file) again.
    pub fn evict(&self, hash: ContentHash) {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&hash);
    }
}

/// Distinguish "not wasm at all" and "a core module" from a component before
/// asking the compiler, whose messages about them are obscure.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(LoadError::NotAComponent(
            "the file is not WebAssembly (no \\0asm header)".into(),
        ));
    }
    match bytes[4..8] {
        [0x01, 0x00, 0x00, 0x00] => Err(LoadError::NotAComponent(
            "the file is a core WebAssembly module; build the plugin for wasm32-wasip2 \
             (or wrap the module with `wasm-tools component new`)"
                .into(),
        )),
        [_, _, 0x01, 0x00] => Ok(()),
        _ => Err(LoadError::NotAComponent(
            "unknown WebAssembly binary version".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_tell_modules_from_components() {
        assert!(matches!(
            check_header(b"hello world"),
            Err(LoadError::NotAComponent(m)) if m.contains("not WebAssembly")
        ));
        assert!(matches!(
            check_header(b"\0asm\x01\0\0\0"),
            Err(LoadError::NotAComponent(m)) if m.contains("core WebAssembly module")
        ));
        assert!(check_header(b"\0asm\x0d\0\x01\0").is_ok());
    }
}
