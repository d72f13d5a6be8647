//! The `aftersale` binary's command line, as an operator or a partner runs
//! it.

use std::path::Path;
use std::process::{Command, Output};

/// `aftersale ARGS`.
pub fn aftersale(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `aftersale ARGS` run in `dir`.
pub fn aftersale_in(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}
