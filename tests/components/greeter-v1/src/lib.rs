//! `greeter@1.0.0`: a small well-behaved plugin for the lifecycle tests
//! (install, bind, upgrade, rollback, quarantine). `greeter-v2` builds the
//! same source as version 2.0.0.

/// The version this build declares.
const VERSION: &str = "1.0.0";

include!("greeter.rs");
