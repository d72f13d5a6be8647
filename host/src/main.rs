//! The `aftersale` command.

use std::process::ExitCode;

/// Requests, plugin calls and database rows allocate small, short-lived
/// buffers from many threads at once; glibc's allocator spends a tenth of
/// the server's time on them under load, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    aftersale::cli::main()
}
