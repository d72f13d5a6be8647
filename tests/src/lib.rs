//! Support for the end-to-end tests in `tests/e2e`.

/// Paths of the test components, built from `tests/components/` by the build
/// script.
pub mod components {
    include!(concat!(env!("OUT_DIR"), "/components.rs"));
}
