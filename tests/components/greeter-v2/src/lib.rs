//! `greeter@2.0.0`: the source of `greeter-v1` under another version, so an
//! upgrade and a rollback change which plugin version decides.

/// The version this build declares.
const VERSION: &str = "2.0.0";

include!("../../greeter-v1/src/greeter.rs");
