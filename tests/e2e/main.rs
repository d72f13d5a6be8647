//! End-to-end tests: the real runtime, the real binary, real components.
//!
//! One test binary with a module per area keeps link time down.

mod app;
mod cli;
mod concurrency;
mod console;
mod containment;
mod contract;
mod durability;
mod endpoints;
mod errors_api;
mod guide;
mod hostile;
mod isolation;
mod languages;
mod namespace;
mod plugins_lifecycle;
mod receiver;
mod retention;
mod runtime;
mod server;
mod service_levels;
mod support;
mod surveys;
mod tenancy;
mod tickets_api;
mod timers;
mod users;
mod walkthrough;
mod webhooks;
