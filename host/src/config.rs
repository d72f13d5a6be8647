//! Settings of a running host, from the command line and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::domain::attachment;
use crate::jobs::JobsConfig;
use crate::plugins::{Limits, RuntimeConfig};
use crate::service::Supervision;

/// Where the database is unless told otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aftersale.db";

/// Everything `aftersale serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The key that manages tenants over HTTP; none disables it.
    pub operator_key: Option<String>,
    /// Where people reach the console (`https://desk.example.com`), when it
    /// is not where the host listens; decides whether cookies are `Secure`.
    pub public_url: Option<String>,
    pub plugins: RuntimeConfig,
    pub supervision: Supervision,
    pub jobs: JobsConfig,
    /// Where attachments' bytes go (`AFTERSALE_OBJECT_STORE`: a directory,
    /// `file:///dir` or `memory:`); none: beside the SQLite file.
    pub object_store: Option<String>,
    pub attachments: attachment::Limits,
}

impl Config {
    pub fn new(listen: SocketAddr, database_url: String, limits: Limits) -> Self {
        Config {
            listen,
            database_url,
            operator_key: std::env::var("AFTERSALE_OPERATOR_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            public_url: None,
            plugins: RuntimeConfig {
                limits,
                cache_dir: cache_dir(std::env::var_os("AFTERSALE_CACHE_DIR").map(PathBuf::from)),
                ..RuntimeConfig::default()
            },
            supervision: Supervision {
                quarantine_after: std::env::var("AFTERSALE_QUARANTINE_AFTER")
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .unwrap_or(Supervision::default().quarantine_after),
            },
            jobs: JobsConfig::default(),
            object_store: std::env::var("AFTERSALE_OBJECT_STORE")
                .ok()
                .filter(|s| !s.is_empty()),
            attachments: attachment_limits(),
        }
    }
}

/// The attachment limits, from `AFTERSALE_ATTACHMENT_MAX_BYTES` (one file)
/// and `AFTERSALE_ATTACHMENT_QUOTA_BYTES` (a tenant's files together).
fn attachment_limits() -> attachment::Limits {
    let bytes = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n > 0)
    };
    let default = attachment::Limits::default();
    attachment::Limits {
        max_file: bytes("AFTERSALE_ATTACHMENT_MAX_BYTES").unwrap_or(default.max_file),
        tenant_quota: bytes("AFTERSALE_ATTACHMENT_QUOTA_BYTES").unwrap_or(default.tenant_quota),
        ..default
    }
}

/// Where precompiled plugins are kept: the directory given (an empty one
/// turns the cache off), else `$XDG_CACHE_HOME/aftersale/components`, else
/// `~/.cache/aftersale/components`, else `.aftersale-cache` here.
pub fn cache_dir(given: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return (!dir.as_os_str().is_empty()).then_some(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        });
    Some(match base {
        Some(base) => base.join("aftersale").join("components"),
        None => PathBuf::from(".aftersale-cache"),
    })
}
