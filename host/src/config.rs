//! Settings of a running host, from the command line and the environment.

use std::net::SocketAddr;

use crate::plugins::{Limits, RuntimeConfig};

/// Where the database is unless told otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aftersale.db";

/// Everything `aftersale serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub plugins: RuntimeConfig,
}

impl Config {
    pub fn new(listen: SocketAddr, database_url: String, limits: Limits) -> Self {
        Config {
            listen,
            database_url,
            plugins: RuntimeConfig {
                limits,
                ..RuntimeConfig::default()
            },
        }
    }
}
