//! `medbill serve coding|billing|payments`: one service against a database
//! URL, as docker-compose and Kubernetes run it.

use std::net::SocketAddr;

use anyhow::Context;
use futures::FutureExt;
use medbill_platform::ServiceError;
use medbill_platform::auth::{Authenticator, Role};
use medbill_platform::config::{AuthArgs, ServerArgs, ServerSettings};
use medbill_platform::consumer::TokenSource;
use medbill_platform::db::Database;
use medbill_platform::server::shutdown_signal;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::Endpoint;

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
    /// Coding only: the billing service's URL, whose event feed brings
    /// coding-caused denials back to the coding queue.
    #[arg(long, env = "MEDBILL_BILLING_URL")]
    pub billing_url: Option<String>,
    /// Bearer token for service-to-service calls; when absent, tokens are
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

/// Runs the chosen service until SIGTERM or Ctrl-C.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let auth = args.auth.authenticator()?;
    let settings = ServerSettings::from_args(&args.server, auth, args.metrics_listen)?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let shutdown = shutdown_signal().boxed().shared();
    match args.service {
        ServiceName::Coding => {
            let db = Database::connect(&args.database_url, medbill_coding::MIGRATIONS).await?;
            let (stop, stopped) = watch::channel(false);
            let consumer = match &args.billing_url {
                Some(url) => Some(tokio::spawn(
                    medbill_coding::encounters::rework::follow_billing(
                        db.clone(),
                        endpoint(url)?,
                        service_tokens(settings.auth.clone(), "coding", args.service_token.clone()),
                        stopped,
                    ),
                )),
                None => {
                    tracing::warn!(
                        "no --billing-url: coding-caused denials will not reach the queue"
                    );
                    None
                }
            };
            medbill_coding::serve(listener, db, settings, shutdown).await?;
            let _ = stop.send(true);
            if let Some(consumer) = consumer {
                let _ = consumer.await;
            }
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

/// A gRPC endpoint for another medbill service.
pub fn endpoint(url: &str) -> anyhow::Result<Endpoint> {
    Endpoint::from_shared(url.to_string())
        .with_context(|| format!("{url} is not a valid service URL"))
}

/// Tokens for calls to other services: the configured one, or a fresh
/// one-hour `service` token issued with the HS256 secret at each (re)connect.
pub fn service_tokens(
    auth: Authenticator,
    subject: &'static str,
    fixed: Option<String>,
) -> TokenSource {
    std::sync::Arc::new(move || match &fixed {
        Some(token) => Ok(token.clone()),
        None => auth
            .issue(
                subject,
                &[Role::Service],
                std::time::Duration::from_secs(3600),
            )
            .map_err(|e| {
                ServiceError::Unauthenticated(format!("cannot issue a service token: {e}"))
            }),
    })
}
