//! aftersale: a self-hosted after-sales service platform implementing
//! T/GXDSL259—2025, with sector rules in sandboxed WebAssembly plugins.
//!
//! Data flows one way: [`api`] and [`web`] → service → (domain + [`plugins`]) → store.

pub mod api;
pub mod cli;
pub mod config;
pub mod domain;
pub mod jobs;
pub mod plugins;
pub mod scaffold;
pub mod server;
pub mod service;
pub mod store;
pub mod web;
