//! The two operator commands without the `medbill` binary, for trying the
//! crate on a file:
//!
//! `cargo run -p medbill-x12 --example x12 -- parse FILE` prints the
//! canonical JSON; `... -- validate FILE` prints the findings and exits 1
//! when there is an error.

use std::process::ExitCode;

use medbill_x12::cli;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(command), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: x12 parse|validate FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match command.as_str() {
        "parse" => match cli::parse_to_json(&bytes) {
            Ok(json) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        "validate" => {
            let report = cli::validate(&bytes);
            println!("{report}");
            if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        other => {
            eprintln!("unknown command {other}; expected parse or validate");
            ExitCode::from(2)
        }
    }
}
