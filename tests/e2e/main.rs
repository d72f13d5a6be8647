//! End-to-end tests: the real runtime, the real binary, real components.
//!
//! One test binary with a module per area keeps link time down.

mod cli;
mod hostile;
mod isolation;
mod runtime;
mod support;
