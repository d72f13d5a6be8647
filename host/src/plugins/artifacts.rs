//! Precompiled components on disk, one file per content hash and engine, so
//! a restart loads machine code instead of compiling every plugin again.
//!
//! Only this host writes the directory, and only with what this engine
//! compiled: an upload is always WebAssembly, compiled here, never machine
//! code from outside. A file carries an HMAC-SHA256 of its component's
//! content hash, the engine and the machine code, under a key kept outside
//! the directory (in the database). Whoever can write the directory still
//! cannot make the host run code of their own: a file whose HMAC does not
//! match (a torn write, a disk error, someone's edit, a file copied under
//! another component's name) or that the engine refuses (another wasmtime,
//! other settings) is compiled again and replaced, never trusted.
//!
//! The directory is created `0700`; one that belongs to another user is
//! refused, and one that others may read or write is closed to them first.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::load::ContentHash;

/// The first bytes of every file, so a stray file is never mistaken for one
/// of ours. Files of the unsigned format that came before are simply not
/// ours any more: they are compiled again and replaced.
const MAGIC: &[u8; 16] = b"aftersale-cwasm2";
const HEADER: usize = MAGIC.len() + 32;

type HmacSha256 = hmac::Hmac<Sha256>;

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
    /// Signs every file this host writes.
    key: [u8; 32],
    hits: AtomicU64,
    misses: AtomicU64,
    replaced: AtomicU64,
}

impl ArtifactCache {
    /// Use (creating it if needed) `dir` for `engine`'s artifacts, signed
    /// with `key`.
    pub fn open(dir: &Path, engine: &Engine, key: [u8; 32]) -> io::Result<Self> {
        private_dir(dir)?;
        let mut hasher = Sha256Hasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let digest = hasher.0.finalize();
        let engine_key = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(ArtifactCache {
            dir: dir.to_path_buf(),
            engine_key,
            key,
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
            Ok(file) => match self.verified(hash, &file) {
                Some(code) => {
                    // SAFETY: `deserialize` trusts its input to be machine
                    // code wasmtime produced. Its HMAC matched under a key
                    // that never touches this directory, for this very
                    // component and engine, so these are the bytes this host
                    // compiled from it (`store` below signs only the output
                    // of `Engine::precompile_component`). Uploads never reach
                    // this path: they are WebAssembly (checked by
                    // `check_header`) and are compiled here. wasmtime itself
                    // refuses code from an incompatible engine, which we
                    // recompile below.
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
                        "corrupt or unsigned precompiled plugin {}, compiling again",
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
        if let Err(e) = self.store(hash, &path, &code) {
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
    fn store(&self, hash: ContentHash, path: &Path, code: &[u8]) -> io::Result<()> {
        let mut temp = tempfile_in(&self.dir)?;
        let result = (|| {
            temp.1.write_all(MAGIC)?;
            temp.1.write_all(&self.signature(hash, code))?;
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

impl ArtifactCache {
    fn mac(&self, hash: ContentHash, code: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any size");
        mac.update(&hash.0);
        mac.update(self.engine_key.as_bytes());
        mac.update(code);
        mac
    }

    fn signature(&self, hash: ContentHash, code: &[u8]) -> [u8; 32] {
        self.mac(hash, code).finalize().into_bytes().into()
    }

    /// The machine code of `hash`'s cache file, if its header is ours and
    /// its HMAC matches (compared in constant time).
    fn verified<'f>(&self, hash: ContentHash, file: &'f [u8]) -> Option<&'f [u8]> {
        if file.len() < HEADER || &file[..MAGIC.len()] != MAGIC {
            return None;
        }
        let (tag, code) = file[MAGIC.len()..].split_at(32);
        self.mac(hash, code).verify_slice(tag).ok().map(|()| code)
    }
}

/// Create `dir` (and missing parents) readable by this user only, or check
/// an existing one: a link or another user's directory is refused, and one
/// open to others is closed to them.
fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let meta = fs::symlink_metadata(dir)?;
        if !meta.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a directory (a link is not accepted)",
                dir.display()
            )));
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(io::Error::other(format!(
                "{} belongs to user {}, not to this process's user {me}",
                dir.display(),
                meta.uid()
            )));
        }
        if meta.mode() & 0o077 != 0 {
            tracing::warn!(
                "{} was open to other users (mode {:o}); closing it to 0700",
                dir.display(),
                meta.mode() & 0o777
            );
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
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

    fn cache(dir: &Path, key: [u8; 32]) -> ArtifactCache {
        let engine = Engine::default();
        ArtifactCache::open(dir, &engine, key).unwrap()
    }

    fn signed(cache: &ArtifactCache, hash: ContentHash, code: &[u8]) -> Vec<u8> {
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&cache.signature(hash, code));
        file.extend_from_slice(code);
        file
    }

    #[test]
    fn only_a_file_signed_with_the_key_for_this_component_is_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path(), [7; 32]);
        let (hash, other) = (ContentHash([1; 32]), ContentHash([2; 32]));
        let code = b"machine code".to_vec();
        let mut file = signed(&cache, hash, &code);
        assert_eq!(cache.verified(hash, &file), Some(&code[..]));
        // Another component's name: someone copied a sound file.
        assert_eq!(cache.verified(other, &file), None);
        // Signed by another host, or unsigned with a plain checksum.
        let stranger = self::cache(dir.path(), [8; 32]);
        assert_eq!(stranger.verified(hash, &file), None);
        let mut unsigned = MAGIC.to_vec();
        unsigned.extend_from_slice(&Sha256::digest(&code));
        unsigned.extend_from_slice(&code);
        assert_eq!(cache.verified(hash, &unsigned), None);
        // One flipped bit.
        let last = file.len() - 1;
        file[last] ^= 1;
        assert_eq!(cache.verified(hash, &file), None);
        assert_eq!(cache.verified(hash, b"aftersale-cwasm2"), None);
        assert_eq!(cache.verified(hash, b"\x7fELF"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_is_private_to_this_user() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        cache(&dir, [0; 32]);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        cache(&dir, [0; 32]);
        assert_eq!(mode(&dir), 0o700);
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        let refused = ArtifactCache::open(&link, &Engine::default(), [0; 32]);
        assert!(refused.is_err());
    }
}
