//! The `medbill` binary: parses the command line and hands over to the
//! library. See `medbill --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    medbill::cli::main()
}
