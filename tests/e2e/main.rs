//! End-to-end tests: the real runtime, the real binary, real components.
//!
//! One test binary with a module per area keeps link time down; what the
//! areas share (the app on either backend, the real binary as a server, a
//! webhook receiver, components and snapshots) is in `harness/`.

mod attachments;
mod bulk;
mod cli;
mod concurrency;
mod console;
mod containment;
mod contract;
mod dispatch;
mod durability;
mod endpoints;
mod errors_api;
mod guide;
mod harness;
mod hostile;
mod import;
mod isolation;
mod languages;
mod namespace;
mod notifications;
mod parts;
mod plugins_lifecycle;
mod replicas;
mod retention;
mod runtime;
mod search;
mod service_levels;
mod service_points;
mod surveys;
mod teams;
mod technicians;
mod tenancy;
mod tickets_api;
mod timers;
mod users;
mod views;
mod walkthrough;
mod webhooks;
