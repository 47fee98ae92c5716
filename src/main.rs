//! The `medbill` binary: parses the command line and hands over to the
//! library. See `medbill --help`.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a call allocates many small
/// strings and messages across worker threads (a code lookup answer is two
/// strings a note), where glibc malloc's slow path was a fifth of the
/// server's time; docs/BENCHMARKS.md has the figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    medbill::cli::main()
}
