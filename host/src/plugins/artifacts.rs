//! Precompiled components on disk, one file per content hash and engine, so
//! a restart loads machine code instead of compiling every plugin again.
//!
//! Only this host writes the directory, and only with what this engine
//! compiled: an upload is always WebAssembly, compiled here, never machine
//! code from outside. A file carries the SHA-256 of its payload; one that
//! does not match it (a torn write, a disk error, someone's edit) or that the
//! engine refuses (another wasmtime, other settings) is compiled again and
//! replaced, never trusted.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::runtime::ContentHash;

/// The first bytes of every file, so a stray file is never mistaken for one
/// of ours.
const MAGIC: &[u8; 16] = b"aftersale-cwasm1";
const HEADER: usize = MAGIC.len() + 32;

/// How the cache answered, counted since the runtime started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    /// Loaded from disk without compiling.
    pub hits: u64,
    /// Not on disk: compiled and written.
    pub misses: u64,
    /// On disk but corrupt or stale: compiled again and replaced.
    pub replaced: u64,
}

/// A directory of precompiled components for one engine configuration.
pub struct ArtifactCache {
    dir: PathBuf,
    /// Hex digest of the engine's compatibility hash: files compiled with
    /// other settings or another wasmtime get other names.
    engine_key: String,
    hits: AtomicU64,
    misses: AtomicU64,
    replaced: AtomicU64,
}

impl ArtifactCache {
    /// Use (creating it if needed) `dir` for `engine`'s artifacts.
    pub fn open(dir: &Path, engine: &Engine) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut hasher = Sha256Hasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let digest = hasher.0.finalize();
        let engine_key = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(ArtifactCache {
            dir: dir.to_path_buf(),
            engine_key,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            replaced: AtomicU64::new(0),
        })
    }

    /// The file a component's machine code lives in.
    pub fn path(&self, hash: ContentHash) -> PathBuf {
        self.dir
            .join(format!("sha256-{hash}-{}.cwasm", self.engine_key))
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            replaced: self.replaced.load(Ordering::Relaxed),
        }
    }

    /// The compiled component for `bytes`: from disk when a sound file is
    /// there, otherwise compiled now and written for the next start.
    pub fn component(
        &self,
        engine: &Engine,
        hash: ContentHash,
        bytes: &[u8],
    ) -> wasmtime::Result<Component> {
        let path = self.path(hash);
        match fs::read(&path) {
            Ok(file) => match verified(&file) {
                Some(code) => {
                    // SAFETY: `deserialize` trusts its input to be machine
                    // code wasmtime produced. The file is in the host's own
                    // cache directory, written only by `store` below with the
                    // output of `Engine::precompile_component`, and its
                    // SHA-256 matched, so these are the bytes this host
                    // compiled. Uploads never reach this path: they are
                    // WebAssembly (checked by `check_header`) and are
                    // compiled here. wasmtime itself refuses code from an
                    // incompatible engine, which we recompile below.
                    match unsafe { Component::deserialize(engine, code) } {
                        Ok(component) => {
                            self.hits.fetch_add(1, Ordering::Relaxed);
                            metrics::counter!("plugin_artifact_cache_total", "outcome" => "hit")
                                .increment(1);
                            return Ok(component);
                        }
                        Err(e) => {
                            tracing::warn!(
                                "stale precompiled plugin {}, compiling again: {e:#}",
                                path.display()
                            );
                            self.replaced.fetch_add(1, Ordering::Relaxed);
                            metrics::counter!("plugin_artifact_cache_total", "outcome" => "stale")
                                .increment(1);
                        }
                    }
                }
                None => {
                    tracing::warn!(
                        "corrupt precompiled plugin {}, compiling again",
                        path.display()
                    );
                    self.replaced.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("plugin_artifact_cache_total", "outcome" => "corrupt")
                        .increment(1);
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("plugin_artifact_cache_total", "outcome" => "miss").increment(1);
            }
            Err(e) => {
                tracing::warn!("cannot read {}: {e}; compiling", path.display());
                self.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
        let code = engine.precompile_component(bytes)?;
        if let Err(e) = self.store(&path, &code) {
            // A read-only or full disk costs the next start a compile,
            // nothing more.
            tracing::warn!("cannot cache {}: {e}", path.display());
        }
        // SAFETY: `code` is what `Engine::precompile_component` of this very
        // engine returned a moment ago.
        unsafe { Component::deserialize(engine, &code) }
    }

    /// Write atomically: a temporary file in the same directory, synced,
    /// then renamed over the final name, so a reader sees the old file or
    /// the whole new one.
    fn store(&self, path: &Path, code: &[u8]) -> io::Result<()> {
        let mut temp = tempfile_in(&self.dir)?;
        let result = (|| {
            temp.1.write_all(MAGIC)?;
            temp.1.write_all(&Sha256::digest(code))?;
            temp.1.write_all(code)?;
            temp.1.sync_all()?;
            fs::rename(&temp.0, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp.0);
        }
        result
    }
}

/// The machine code of a cache file whose header and checksum are sound.
fn verified(file: &[u8]) -> Option<&[u8]> {
    if file.len() < HEADER || &file[..MAGIC.len()] != MAGIC {
        return None;
    }
    let (sum, code) = file[MAGIC.len()..].split_at(32);
    (Sha256::digest(code).as_slice() == sum).then_some(code)
}

/// A new file with a unique name in `dir`.
fn tempfile_in(dir: &Path) -> io::Result<(PathBuf, fs::File)> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(io::Error::other)?;
    let name: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!(".tmp-{name}.cwasm"));
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

/// Feeds a `Hash` into SHA-256, for a digest that stays the same across
/// processes and Rust releases (unlike `DefaultHasher`).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_whose_checksum_does_not_match_is_not_trusted() {
        let code = b"machine code".to_vec();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&Sha256::digest(&code));
        file.extend_from_slice(&code);
        assert_eq!(verified(&file), Some(&code[..]));
        let last = file.len() - 1;
        file[last] ^= 1;
        assert_eq!(verified(&file), None);
        assert_eq!(verified(b"aftersale-cwasm1"), None);
        assert_eq!(verified(b"\x7fELF"), None);
    }
}
