//! `medbill x12 parse|validate FILE`: operator tools over the X12 engine.

use std::path::PathBuf;
use std::process::ExitCode;

/// The X12 subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum X12Command {
    /// Print every transaction in the file as canonical JSON.
    Parse {
        /// The X12 file.
        file: PathBuf,
        /// Print JSON (the only output format).
        #[arg(long, default_value_t = true)]
        json: bool,
    },
    /// Check envelope, structure, required segments and 835 balancing;
    /// exits non-zero when there is an error.
    Validate {
        /// The X12 file.
        file: PathBuf,
    },
}

/// Runs an X12 subcommand.
pub fn run(command: X12Command) -> ExitCode {
    let path = match &command {
        X12Command::Parse { file, .. } | X12Command::Validate { file } => file.clone(),
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("medbill: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    match command {
        X12Command::Parse { .. } => match medbill_x12::cli::parse_to_json(&bytes) {
            Ok(json) => match serde_json::to_string_pretty(&json) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("medbill: {e}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => {
                eprintln!("medbill: {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        X12Command::Validate { .. } => {
            let report = medbill_x12::cli::validate(&bytes);
            let text = report.to_string();
            if text.ends_with('\n') {
                print!("{text}");
            } else {
                println!("{text}");
            }
            if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
