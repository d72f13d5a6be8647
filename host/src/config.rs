//! Settings of a running host, from the command line and the environment.

use std::net::SocketAddr;

use crate::jobs::JobsConfig;
use crate::plugins::{Limits, RuntimeConfig};

/// Where the database is unless told otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aftersale.db";

/// Everything `aftersale serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The key that manages tenants over HTTP; none disables it.
    pub operator_key: Option<String>,
    pub plugins: RuntimeConfig,
    pub jobs: JobsConfig,
}

impl Config {
    pub fn new(listen: SocketAddr, database_url: String, limits: Limits) -> Self {
        Config {
            listen,
            database_url,
            operator_key: std::env::var("AFTERSALE_OPERATOR_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            plugins: RuntimeConfig {
                limits,
                ..RuntimeConfig::default()
            },
            jobs: JobsConfig::default(),
        }
    }
}
