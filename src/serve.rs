//! `medbill serve coding|billing|payments`: one service against a database
//! URL, as docker-compose and Kubernetes run it. Each service declares its
//! own peers (`--billing-url`, `--coding-url`, `--payments-url`, billing's
//! `--eligibility-url`); this file only parses flags and calls the
//! service's `serve`.

use std::net::SocketAddr;

use anyhow::Context;
use futures::FutureExt;
use medbill_platform::config::{AuthArgs, ServerArgs, ServerSettings};
use medbill_platform::db::Database;
use medbill_platform::peers::service_tokens;
use medbill_platform::server::shutdown_signal;
use tokio::net::TcpListener;

/// Flags of `medbill serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The service to run.
    #[command(subcommand)]
    pub service: ServeService,
}

/// Which service to run, with the peers it needs.
#[derive(Debug, clap::Subcommand)]
pub enum ServeService {
    /// Coding: code sets, encounters, coding edits.
    Coding {
        #[command(flatten)]
        #[allow(missing_docs)]
        common: CommonArgs,
        #[command(flatten)]
        #[allow(missing_docs)]
        peers: medbill_coding::PeerArgs,
    },
    /// Billing/claims: claims, 837 batches, denials.
    Billing {
        #[command(flatten)]
        #[allow(missing_docs)]
        common: CommonArgs,
        #[command(flatten)]
        #[allow(missing_docs)]
        peers: medbill_billing::PeerArgs,
        #[command(flatten)]
        #[allow(missing_docs)]
        eligibility: medbill_billing::EligibilityArgs,
    },
    /// Payments/collections: remittances, ledger, collections.
    Payments {
        #[command(flatten)]
        #[allow(missing_docs)]
        common: CommonArgs,
        #[command(flatten)]
        #[allow(missing_docs)]
        peers: medbill_payments::PeerArgs,
    },
}

/// Flags every service takes.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Database URL: `postgres://user@host:5432/db` or `sqlite://path/file.db`.
    #[arg(long, env = "MEDBILL_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Address to serve gRPC on.
    #[arg(long, env = "MEDBILL_LISTEN", default_value = "0.0.0.0:50051")]
    pub listen: SocketAddr,
    /// Bearer token for calls to peers; when absent, `service` tokens are
    /// issued with the HS256 secret (an RS256 deployment must set it).
    #[arg(long, env = "MEDBILL_SERVICE_TOKEN", hide_env_values = true)]
    pub service_token: Option<String>,
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

impl ServeArgs {
    /// The flags every service takes.
    pub fn common(&self) -> &CommonArgs {
        match &self.service {
            ServeService::Coding { common, .. }
            | ServeService::Billing { common, .. }
            | ServeService::Payments { common, .. } => common,
        }
    }
}

/// Runs the chosen service until SIGTERM or Ctrl-C.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let common = args.common();
    let auth = common.auth.authenticator()?;
    let settings = ServerSettings::from_args(&common.server, auth.clone(), common.metrics_listen)?;
    let listener = TcpListener::bind(common.listen)
        .await
        .with_context(|| format!("cannot listen on {}", common.listen))?;
    let shutdown = shutdown_signal().boxed();
    let url = common.database_url.clone();
    match &args.service {
        ServeService::Coding { peers, .. } => {
            let tokens = service_tokens(auth, "coding", common.service_token.clone());
            let peers = peers.peers(tokens)?;
            let db = Database::connect(&url, medbill_coding::MIGRATIONS).await?;
            medbill_coding::serve(listener, db, settings, peers, shutdown).await?;
        }
        ServeService::Billing {
            peers, eligibility, ..
        } => {
            let tokens = service_tokens(auth, "billing", common.service_token.clone());
            let mut peers = peers.peers(tokens)?;
            peers.eligibility_url = eligibility.url()?;
            let db = Database::connect(&url, medbill_billing::MIGRATIONS).await?;
            medbill_billing::serve(listener, db, settings, peers, shutdown).await?;
        }
        ServeService::Payments { peers, .. } => {
            let tokens = service_tokens(auth, "payments", common.service_token.clone());
            let peers = peers.peers(tokens)?;
            let db = Database::connect(&url, medbill_payments::MIGRATIONS).await?;
            medbill_payments::serve(listener, db, settings, peers, shutdown).await?;
        }
    }
    Ok(())
}
