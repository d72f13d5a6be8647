//! Where the bytes of attachments live, behind the `object_store` crate: a
//! directory of this machine by default (beside the SQLite file), memory
//! for tests. Objects are named by tenant and content,
//! `tenants/<tenant>/<sha256>`, so a tenant's file uploaded twice is kept
//! once and no tenant can name another's bytes.
//!
//! Writes are atomic (a temporary file renamed into place): a process
//! killed during an upload leaves no half object. Bytes whose change then
//! failed stay unnamed by any row; they are never served.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt};
use uuid::Uuid;

use super::StoreError;

/// The bytes of one object, streamed.
pub struct Download {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

/// A handle on the object store; cheap to clone.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Objects({})", self.store)
    }
}

impl Objects {
    /// Objects kept in this process's memory only: for tests and for the
    /// CLI, which keeps no files.
    pub fn in_memory() -> Self {
        Objects {
            store: Arc::new(InMemory::new()),
        }
    }

    /// Objects kept under `dir`, created (owner only) if missing.
    pub fn directory(dir: &Path) -> Result<Self, StoreError> {
        let failed = |e: &dyn std::fmt::Display| {
            StoreError::Config(format!("cannot keep attachments in {}: {e}", dir.display()))
        };
        create_private_dir(dir).map_err(|e| failed(&e))?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| failed(&e))?;
        Ok(Objects {
            store: Arc::new(store),
        })
    }

    /// The store `AFTERSALE_OBJECT_STORE` names: `file:///dir`, a plain
    /// directory path, or `memory:`.
    pub fn open(location: &str) -> Result<Self, StoreError> {
        if location == "memory:" {
            return Ok(Objects::in_memory());
        }
        if let Some(dir) = location.strip_prefix("file://") {
            return Objects::directory(Path::new(dir));
        }
        if location.contains("://") {
            return Err(StoreError::Config(format!(
                "unsupported object store `{location}`: this build keeps attachments in a \
                 directory (file:///path or a path) or in memory (memory:)"
            )));
        }
        Objects::directory(Path::new(location))
    }

    /// Keep `bytes` under `key` unless they are kept already.
    pub async fn put(&self, key: &Key, bytes: Bytes) -> Result<(), StoreError> {
        match self.store.head(key).await {
            Ok(meta) if meta.size == bytes.len() as u64 => return Ok(()),
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(failure("read", key, &e)),
        }
        self.store
            .put(key, bytes.into())
            .await
            .map_err(|e| failure("write", key, &e))?;
        Ok(())
    }

    /// The bytes under `key`, `None` when there are none.
    pub async fn get(&self, key: &Key) -> Result<Option<Download>, StoreError> {
        match self.store.get(key).await {
            Ok(found) => Ok(Some(Download {
                size: found.meta.size,
                stream: found.into_stream(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failure("read", key, &e)),
        }
    }
}

/// Where a tenant's file of this content is kept.
pub fn key(tenant: Uuid, sha256: &str) -> Key {
    Key::from(format!("tenants/{}/{sha256}", tenant.simple()))
}

/// Where the thumbnail of a tenant's image of this content is kept.
pub fn thumbnail_key(tenant: Uuid, sha256: &str) -> Key {
    Key::from(format!("tenants/{}/{sha256}.thumb.jpg", tenant.simple()))
}

/// The directory attachments go to when none is named: beside the SQLite
/// file (`desk.db` → `desk-attachments/`), else `attachments/` here.
pub fn default_dir(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|f| !f.is_empty() && *f != ":memory:");
    match file.map(Path::new) {
        Some(file) => {
            let stem = file
                .file_stem()
                .map_or_else(|| "aftersale".into(), |s| s.to_string_lossy());
            file.with_file_name(format!("{stem}-attachments"))
        }
        None => PathBuf::from("attachments"),
    }
}

fn failure(doing: &str, key: &Key, e: &object_store::Error) -> StoreError {
    StoreError::Objects(format!("cannot {doing} {key}: {e}"))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    async fn read(objects: &Objects, key: &Key) -> Option<Vec<u8>> {
        let mut download = objects.get(key).await.unwrap()?;
        let mut out = Vec::new();
        while let Some(chunk) = download.stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(out.len() as u64, download.size);
        Some(out)
    }

    #[tokio::test]
    async fn a_directory_keeps_bytes_once_under_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::directory(&dir.path().join("files")).unwrap();
        let tenant = Uuid::now_v7();
        let k = key(tenant, "ab12");
        assert_eq!(read(&objects, &k).await, None);
        objects.put(&k, Bytes::from_static(b"photo")).await.unwrap();
        objects.put(&k, Bytes::from_static(b"photo")).await.unwrap();
        assert_eq!(read(&objects, &k).await.as_deref(), Some(&b"photo"[..]));
        assert_eq!(read(&objects, &key(Uuid::now_v7(), "ab12")).await, None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("files"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn files_go_beside_the_sqlite_file() {
        assert_eq!(
            default_dir("sqlite:///var/lib/desk.db?mode=rwc"),
            PathBuf::from("/var/lib/desk-attachments")
        );
        assert_eq!(
            default_dir("sqlite://aftersale.db"),
            PathBuf::from("aftersale-attachments")
        );
        assert_eq!(
            default_dir("postgres://db/desk"),
            PathBuf::from("attachments")
        );
    }

    #[test]
    fn only_known_stores_open() {
        assert!(Objects::open("memory:").is_ok());
        let refused = Objects::open("s3://bucket").unwrap_err().to_string();
        assert!(refused.contains("unsupported object store"), "{refused}");
    }
}
