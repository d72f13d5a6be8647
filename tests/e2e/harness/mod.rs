//! What the end-to-end tests share.
//!
//! - [`app`]: the host in process on SQLite or PostgreSQL, requests to it,
//!   and `on_both_backends!`, which runs a test once on each.
//! - [`cli`]: the real `aftersale` binary's command line.
//! - [`server`]: the real binary as a server, and an HTTP client for it.
//! - [`receiver`]: a webhook receiver on a local port.
//! - [`support`]: components, runtimes and snapshots for tests of the
//!   sandbox alone.

pub mod app;
pub mod cli;
pub mod database;
pub mod receiver;
pub mod server;
pub mod support;
