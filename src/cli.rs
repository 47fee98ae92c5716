//! The command line: one subcommand per use, each a thin call into its module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medbill_platform::telemetry;

use crate::billing::{AcksCommand, BatchCommand, ClaimsCommand, DenialsCommand};
use crate::codes::CodesCommand;
use crate::demo::DemoArgs;
use crate::load::LoadArgs;
use crate::payer_sim::PayerSimArgs;
use crate::payments::{ArCommand, DepositsCommand, RemitCommand, StatementsCommand};
use crate::serve::ServeArgs;
use crate::token::TokenArgs;
use crate::up::UpCommand;
use crate::x12::X12Command;

/// medbill: a revenue-cycle system (coding, billing/claims, payments/collections).
#[derive(Debug, Parser)]
#[command(name = "medbill", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run all three services in one process on embedded SQLite databases.
    Up(UpCommand),
    /// Run one service against a database URL (what docker-compose runs).
    Serve(ServeArgs),
    /// Print a development token signed with the local secret.
    Token(TokenArgs),
    /// Load and look up code sets.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Read and check X12 5010 files.
    #[command(subcommand)]
    X12(X12Command),
    /// List, show and scrub claims (asks the running billing service).
    #[command(subcommand)]
    Claims(ClaimsCommand),
    /// Create an 837 batch of READY claims and print the file.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// Apply a 999, 277CA, 271 or 277 file.
    #[command(subcommand)]
    Acks(AcksCommand),
    /// The denial work queue.
    #[command(subcommand)]
    Denials(DenialsCommand),
    /// Post an 835 remittance file (asks the running payments service).
    #[command(subcommand)]
    Remit(RemitCommand),
    /// Record bank deposits from a CSV file.
    #[command(subcommand)]
    Deposits(DepositsCommand),
    /// Generate a day's patient statements as text and PDF files.
    #[command(subcommand)]
    Statements(StatementsCommand),
    /// Accounts-receivable reports.
    #[command(subcommand)]
    Ar(ArCommand),
    /// Run the payer/clearinghouse simulator over billing's and payments'
    /// folders (once, or until Ctrl-C).
    PayerSim(PayerSimArgs),
    /// Drive a whole revenue cycle through the services' APIs on a stack of
    /// its own, with the payer simulator, and print a summary that balances.
    Demo(DemoArgs),
    /// Put load on a running stack (closed loop at a concurrency or open
    /// loop at a rate) and print throughput, errors and latency percentiles.
    Load(LoadArgs),
}

/// Parses this process's command line and runs it: the `medbill` binary's
/// whole `main` (and what the end-to-end tests' service processes run).
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Up(command) => {
            telemetry::init(command.stack.server.log_format);
            runtime()
                .and_then(|rt| rt.block_on(crate::up::run_command(command, crate::up::signal())))
        }
        Command::Serve(args) => {
            telemetry::init(args.common().server.log_format);
            runtime().and_then(|rt| rt.block_on(crate::serve::run(args)))
        }
        Command::Token(args) => crate::token::run(&args),
        Command::Codes(command) => {
            telemetry::init(telemetry::LogFormat::Pretty);
            runtime().and_then(|rt| rt.block_on(crate::codes::run(command)))
        }
        Command::X12(command) => return crate::x12::run(command),
        Command::Claims(command) => runtime()
            .and_then(|rt| rt.block_on(crate::billing::claims(command, &mut std::io::stdout()))),
        Command::Batch(command) => runtime().and_then(|rt| {
            rt.block_on(crate::billing::batch(
                command,
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            ))
        }),
        Command::Acks(command) => runtime()
            .and_then(|rt| rt.block_on(crate::billing::acks(command, &mut std::io::stdout()))),
        Command::Denials(command) => runtime()
            .and_then(|rt| rt.block_on(crate::billing::denials(command, &mut std::io::stdout()))),
        Command::Remit(command) => runtime()
            .and_then(|rt| rt.block_on(crate::payments::remit(command, &mut std::io::stdout()))),
        Command::Deposits(command) => runtime()
            .and_then(|rt| rt.block_on(crate::payments::deposits(command, &mut std::io::stdout()))),
        Command::Statements(command) => runtime().and_then(|rt| {
            rt.block_on(crate::payments::statements(command, &mut std::io::stdout()))
        }),
        Command::Ar(command) => runtime()
            .and_then(|rt| rt.block_on(crate::payments::ar(command, &mut std::io::stdout()))),
        Command::PayerSim(args) => {
            runtime().and_then(|rt| rt.block_on(crate::payer_sim::run(args, crate::up::signal())))
        }
        Command::Demo(args) => runtime().and_then(|rt| rt.block_on(crate::demo::run(args))),
        Command::Load(args) => {
            runtime().and_then(|rt| rt.block_on(crate::load::run(args, &mut std::io::stdout())))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("medbill: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
