//! The `aftersale` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    aftersale::cli::main()
}
