//! The first-party plugins, built from `plugins/` by the build script and
//! embedded in the binary as the default bundle.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
