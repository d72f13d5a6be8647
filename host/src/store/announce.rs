//! Announcements: how the replicas of a host sharing one database tell each
//! other that state they cache has changed (a tenant's bundle, bindings,
//! plugin configuration, SLA settings, webhooks, quarantine; a plugin
//! version's grant). On PostgreSQL they are `NOTIFY`s on one channel; a
//! SQLite database has one process, so there is nobody to tell.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The PostgreSQL channel announcements travel on.
pub const CHANNEL: &str = "aftersale_cache";

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// Something of this tenant's cached state.
    Tenant(Uuid),
    /// A plugin version's limits (its operator grant).
    Plugin { name: String, version: String },
}

/// What a listener heard next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Announcement(Announcement),
    /// The connection was lost (and made again): announcements made in
    /// between are gone, so everything cached may be stale.
    Gap,
}

/// The payload of a `NOTIFY`: `tenant:<uuid>` or `plugin:<name>@<version>`.
impl fmt::Display for Announcement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Announcement::Tenant(id) => write!(f, "tenant:{id}"),
            Announcement::Plugin { name, version } => write!(f, "plugin:{name}@{version}"),
        }
    }
}

impl FromStr for Announcement {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if let Some(id) = text.strip_prefix("tenant:") {
            return id
                .parse()
                .map(Announcement::Tenant)
                .map_err(|e| format!("`{text}`: {e}"));
        }
        if let Some((name, version)) = text
            .strip_prefix("plugin:")
            .and_then(|rest| rest.split_once('@'))
        {
            return Ok(Announcement::Plugin {
                name: name.into(),
                version: version.into(),
            });
        }
        Err(format!("`{text}` is no announcement"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_travel_as_text_and_back() {
        for a in [
            Announcement::Tenant(Uuid::now_v7()),
            Announcement::Plugin {
                name: "appliance".into(),
                version: "0.2.0".into(),
            },
        ] {
            assert_eq!(a.to_string().parse::<Announcement>(), Ok(a));
        }
        assert!("tenant:nope".parse::<Announcement>().is_err());
        assert!("hello".parse::<Announcement>().is_err());
    }
}
