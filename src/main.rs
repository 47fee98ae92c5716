//! The `medbill` binary: parses the command line and hands over to the
//! library. See `medbill --help`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = medbill::cli::Cli::parse();
    medbill::cli::run(cli)
}
