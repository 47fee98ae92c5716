//! Structured logs through `tracing`: human-readable for a terminal, one JSON
//! object per line when asked (`--log-format json`), filtered by `RUST_LOG`
//! (default `info`, sqlx statements only on error), written to stderr. Log lines carry ids and codes, never patient data.

use tracing_subscriber::EnvFilter;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable, coloured when the output is a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Installs the global subscriber once; later calls do nothing (tests call it
/// from many places).
pub fn init(format: LogFormat) {
    // sqlx's slow-statement warnings print the whole statement, which for a
    // bulk code-set load is hundreds of kilobytes of placeholders.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx::query=error"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Pretty => builder.compact().try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
