//! The plugin namespace: publishers (partners the operator issued a key
//! to), their quotas and usage, who owns a plugin name, and publishing a
//! version to tenants.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::codec::instant;
use super::{StoreError, StoredPlugin};

/// A partner allowed to upload plugins, with its quota.
#[derive(Debug, Clone, PartialEq)]
pub struct Publisher {
    pub id: Uuid,
    /// Unique among publishers.
    pub name: String,
    pub quota: Quota,
    pub created_at: Timestamp,
    /// A revoked publisher's key no longer authenticates; its plugins stay.
    pub revoked_at: Option<Timestamp>,
}

/// The most a publisher may store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Plugin versions, private and published alike.
    pub max_plugins: u64,
    /// Bytes of all its components together.
    pub max_bytes: u64,
}

/// What a publisher stores now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub plugins: u64,
    pub bytes: u64,
}

/// A quota one more component of `size` bytes would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    /// `plugins` or `bytes`.
    pub quota: &'static str,
    pub usage: u64,
    pub limit: u64,
}

impl Quota {
    /// Whether one more component of `size` bytes fits beside `usage`.
    pub fn admits(&self, usage: Usage, size: u64) -> Result<(), Exceeded> {
        if usage.plugins.saturating_add(1) > self.max_plugins {
            return Err(Exceeded {
                quota: "plugins",
                usage: usage.plugins,
                limit: self.max_plugins,
            });
        }
        if usage.bytes.saturating_add(size) > self.max_bytes {
            return Err(Exceeded {
                quota: "bytes",
                usage: usage.bytes,
                limit: self.max_bytes,
            });
        }
        Ok(())
    }
}

/// A publisher with what it stores.
#[derive(Debug, Clone, PartialEq)]
pub struct PublisherUsage {
    pub publisher: Publisher,
    pub usage: Usage,
}

/// Who owns a plugin name: whoever installed its first version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOwner {
    /// The operator, or the embedded first-party plugins.
    Operator,
    Publisher(Uuid),
}

impl NameOwner {
    fn of(publisher_id: Option<Uuid>) -> Self {
        publisher_id.map_or(NameOwner::Operator, NameOwner::Publisher)
    }
}

/// What became of a publisher's upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Stored,
    /// These very bytes were stored before; nothing changed, nothing counted.
    Present,
    /// The name belongs to someone else.
    NameTaken(NameOwner),
    /// Storing it would exceed the publisher's quota.
    OverQuota(Exceeded),
}

/// Publishers and the ownership of plugins, whichever the database.
#[async_trait]
pub trait Publishers: Send + Sync {
    /// Add a publisher whose key hashes to `token_hash`;
    /// [`StoreError::Duplicate`] when the name is taken.
    async fn create_publisher(
        &self,
        publisher: &Publisher,
        token_hash: &str,
    ) -> Result<(), StoreError>;
    async fn publisher(&self, id: Uuid) -> Result<Option<Publisher>, StoreError>;
    /// The publisher whose unrevoked key hashes to `token_hash`.
    async fn publisher_by_token(&self, token_hash: &str) -> Result<Option<Publisher>, StoreError>;
    /// Every publisher with its usage, oldest first.
    async fn publishers(&self) -> Result<Vec<PublisherUsage>, StoreError>;
    /// Revoke a publisher's key; false when there is no such unrevoked one.
    async fn revoke_publisher(&self, id: Uuid, at: Timestamp) -> Result<bool, StoreError>;
    async fn usage(&self, publisher: Uuid) -> Result<Usage, StoreError>;
    /// The owner of a plugin name, `None` while no version of it is stored.
    async fn name_owner(&self, name: &str) -> Result<Option<NameOwner>, StoreError>;
    /// Make a version visible to tenants (from `at`, unless it was already);
    /// false when there is no such version.
    async fn publish(&self, hash: &str, at: Timestamp) -> Result<bool, StoreError>;
    /// Store a publisher's upload (`plugin.publisher_id` is the publisher)
    /// if its name is unowned or the publisher's own and it fits `quota`,
    /// checked in the same transaction as the insert so two uploads at once
    /// cannot both slip through; [`StoreError::Duplicate`] when its name and
    /// version are taken by other bytes.
    async fn put_publisher_plugin(
        &self,
        plugin: &StoredPlugin,
        quota: &Quota,
    ) -> Result<Admission, StoreError>;
}

/// How a stored plugin version compares with an upload, in the order the
/// upload is judged.
fn admission(
    plugin: &StoredPlugin,
    owner: Option<Option<Uuid>>,
    present: bool,
    usage: Usage,
    quota: &Quota,
) -> Option<Admission> {
    if let Some(owner) = owner.map(NameOwner::of)
        && owner != NameOwner::of(plugin.publisher_id)
    {
        return Some(Admission::NameTaken(owner));
    }
    if present {
        return Some(Admission::Present);
    }
    let size = u64::try_from(plugin.component.len()).unwrap_or(u64::MAX);
    quota.admits(usage, size).err().map(Admission::OverQuota)
}

fn duplicate(e: sqlx::Error, name: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(format!("a publisher named `{name}` exists"))
        }
        _ => StoreError::Database(e),
    }
}

fn count(value: i64, column: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} {value}")))
}

/// A quota as both backends store it (signed 64-bit).
fn stored(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[derive(sqlx::FromRow)]
pub(super) struct PublisherRow {
    id: Uuid,
    name: String,
    max_plugins: i64,
    max_bytes: i64,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<PublisherRow> for Publisher {
    type Error = StoreError;
    fn try_from(r: PublisherRow) -> Result<Self, StoreError> {
        Ok(Publisher {
            id: r.id,
            name: r.name,
            quota: Quota {
                max_plugins: count(r.max_plugins, "max_plugins")?,
                max_bytes: count(r.max_bytes, "max_bytes")?,
            },
            created_at: instant(r.created_at)?,
            revoked_at: r.revoked_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UsageRow {
    plugins: i64,
    bytes: i64,
}

impl TryFrom<UsageRow> for Usage {
    type Error = StoreError;
    fn try_from(r: UsageRow) -> Result<Self, StoreError> {
        Ok(Usage {
            plugins: count(r.plugins, "plugins")?,
            bytes: count(r.bytes, "bytes")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PublisherUsageRow {
    #[sqlx(flatten)]
    publisher: PublisherRow,
    #[sqlx(flatten)]
    usage: UsageRow,
}

impl TryFrom<PublisherUsageRow> for PublisherUsage {
    type Error = StoreError;
    fn try_from(r: PublisherUsageRow) -> Result<Self, StoreError> {
        Ok(PublisherUsage {
            publisher: r.publisher.try_into()?,
            usage: r.usage.try_into()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTA: Quota = Quota {
        max_plugins: 2,
        max_bytes: 100,
    };

    #[test]
    fn a_version_beyond_the_count_exceeds_the_plugins_quota() {
        let usage = Usage {
            plugins: 2,
            bytes: 10,
        };
        let exceeded = QUOTA.admits(usage, 1).expect_err("over the count");
        assert_eq!(
            (exceeded.quota, exceeded.usage, exceeded.limit),
            ("plugins", 2, 2)
        );
    }

    #[test]
    fn a_component_beyond_the_bytes_left_exceeds_the_bytes_quota() {
        let usage = Usage {
            plugins: 1,
            bytes: 60,
        };
        assert_eq!(QUOTA.admits(usage, 40), Ok(()));
        let exceeded = QUOTA.admits(usage, 41).expect_err("over the bytes");
        assert_eq!(
            (exceeded.quota, exceeded.usage, exceeded.limit),
            ("bytes", 60, 100)
        );
    }
}
