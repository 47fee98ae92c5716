//! `medbill serve coding|billing|payments`: one service against a database
//! URL, as docker-compose and Kubernetes run it.

use std::net::SocketAddr;

use anyhow::Context;
use medbill_platform::config::{AuthArgs, ServerArgs, ServerSettings};
use medbill_platform::db::Database;
use medbill_platform::server::shutdown_signal;
use tokio::net::TcpListener;

/// Which service to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceName {
    /// Coding: code sets, encounters, coding edits.
    Coding,
    /// Billing/claims: claims, 837 batches, denials.
    Billing,
    /// Payments/collections: remittances, ledger, collections.
    Payments,
}

/// Flags of `medbill serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The service to run.
    #[arg(value_enum)]
    pub service: ServiceName,
    /// Database URL: `postgres://user@host:5432/db` or `sqlite://path/file.db`.
    #[arg(long, env = "MEDBILL_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Address to serve gRPC on.
    #[arg(long, env = "MEDBILL_LISTEN", default_value = "0.0.0.0:50051")]
    pub listen: SocketAddr,
    /// Address to serve Prometheus `/metrics` on; none when absent.
    #[arg(long, env = "MEDBILL_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub auth: AuthArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub server: ServerArgs,
}

/// Runs the chosen service until SIGTERM or Ctrl-C.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let auth = args.auth.authenticator()?;
    let settings = ServerSettings::from_args(&args.server, auth, args.metrics_listen)?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let shutdown = shutdown_signal();
    match args.service {
        ServiceName::Coding => {
            let db = Database::connect(&args.database_url, medbill_coding::MIGRATIONS).await?;
            medbill_coding::serve(listener, db, settings, shutdown).await?;
        }
        ServiceName::Billing => {
            let db = Database::connect(&args.database_url, medbill_billing::MIGRATIONS).await?;
            medbill_billing::serve(listener, db, settings, shutdown).await?;
        }
        ServiceName::Payments => {
            let db = Database::connect(&args.database_url, medbill_payments::MIGRATIONS).await?;
            medbill_payments::serve(listener, db, settings, shutdown).await?;
        }
    }
    Ok(())
}
