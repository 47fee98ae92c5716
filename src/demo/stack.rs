//! The demo's own stack: the three services in this process, as
//! `medbill up` runs them, each on a port the system picked (127.0.0.1:0,
//! so it never collides with a `medbill up` already running) and its own
//! SQLite database under the demo's data folder. The demo never drives a
//! stack it did not start: it could not tell what is already in it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use medbill_platform::auth::Authenticator;
use medbill_platform::config::{ServerArgs, ServerSettings, dev_secret};
use medbill_platform::db::{Database, Migrations};
use medbill_platform::peers::service_tokens;
use medbill_platform::telemetry::LogFormat;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running stack: where each service listens and how to stop it.
pub struct Stack {
    /// `http://127.0.0.1:port` of coding.
    pub coding_url: String,
    /// Of billing.
    pub billing_url: String,
    /// Of payments.
    pub payments_url: String,
    /// Billing's clearinghouse folder (`outbound/`, `inbound/`).
    pub clearinghouse: PathBuf,
    /// Payments' folder (`inbound/` takes 835s and deposit CSVs).
    pub remittance: PathBuf,
    /// The data folder (databases, development secret).
    pub data_dir: PathBuf,
    stop: tokio::sync::oneshot::Sender<()>,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

struct Opened {
    listener: TcpListener,
    db: Database,
    url: String,
}

async fn open(data_dir: &Path, name: &str, migrations: Migrations) -> anyhow::Result<Opened> {
    let url = format!("sqlite://{}", data_dir.join(format!("{name}.db")).display());
    let db = Database::connect(&url, migrations)
        .await
        .with_context(|| format!("cannot open the {name} database"))?;
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok(Opened { listener, db, url })
}

/// Opens the coding database under `data_dir` (migrated), for seeding it
/// before the service starts.
pub async fn coding_db(data_dir: &Path) -> anyhow::Result<Database> {
    let url = format!("sqlite://{}", data_dir.join("coding.db").display());
    Database::connect(&url, medbill_coding::MIGRATIONS)
        .await
        .context("cannot open the coding database")
}

impl Stack {
    /// Starts coding, billing and payments over `data_dir`, following each
    /// other's feeds, billing's clearinghouse folder at
    /// `<data_dir>/clearinghouse` and payments' at
    /// `<data_dir>/clearinghouse/payments` (what `medbill up` uses).
    pub async fn start(data_dir: &Path) -> anyhow::Result<Stack> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let (secret, _) = dev_secret(data_dir)?;
        let auth = Authenticator::hs256(secret.expose().as_bytes())?;
        let server = ServerArgs {
            request_timeout_secs: 60,
            max_message_bytes: 64 * 1024 * 1024,
            drain_secs: 5,
            log_format: LogFormat::Pretty,
            time_zone: None,
        };
        let settings = || ServerSettings::from_args(&server, auth.clone(), None);
        let coding = open(data_dir, "coding", medbill_coding::MIGRATIONS).await?;
        let billing = open(data_dir, "billing", medbill_billing::MIGRATIONS).await?;
        let payments = open(data_dir, "payments", medbill_payments::MIGRATIONS).await?;
        let clearinghouse = data_dir.join("clearinghouse");
        let remittance = clearinghouse.join("payments");
        let tokens = |subject| service_tokens(auth.clone(), subject, None);
        let coding_peers = medbill_coding::PeerArgs {
            billing_url: Some(billing.url.clone()),
        }
        .peers(tokens("coding"))?;
        let billing_peers = medbill_billing::PeerArgs {
            coding_url: Some(coding.url.clone()),
            payments_url: Some(payments.url.clone()),
            clearinghouse_dir: Some(clearinghouse.clone()),
        }
        .peers(tokens("billing"))?;
        let payments_peers = medbill_payments::PeerArgs {
            billing_url: Some(billing.url.clone()),
            remittance_dir: Some(remittance.clone()),
        }
        .peers(tokens("payments"))?;

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown: Shared<BoxFuture<'static, ()>> = async move {
            let _ = stopped.await;
        }
        .boxed()
        .shared();
        let (coding_url, billing_url, payments_url) = (
            coding.url.clone(),
            billing.url.clone(),
            payments.url.clone(),
        );
        let tasks = vec![
            tokio::spawn(
                medbill_coding::serve(
                    coding.listener,
                    coding.db,
                    settings()?,
                    coding_peers,
                    shutdown.clone(),
                )
                .map(|r| r.context("the coding service failed")),
            ),
            tokio::spawn(
                medbill_billing::serve(
                    billing.listener,
                    billing.db,
                    settings()?,
                    billing_peers,
                    shutdown.clone(),
                )
                .map(|r| r.context("the billing service failed")),
            ),
            tokio::spawn(
                medbill_payments::serve(
                    payments.listener,
                    payments.db,
                    settings()?,
                    payments_peers,
                    shutdown.clone(),
                )
                .map(|r| r.context("the payments service failed")),
            ),
        ];
        Ok(Stack {
            coding_url,
            billing_url,
            payments_url,
            clearinghouse,
            remittance,
            data_dir: data_dir.to_path_buf(),
            stop,
            tasks,
        })
    }

    /// Whether a service has stopped (it failed: nothing else stops them).
    pub fn failed(&self) -> bool {
        self.tasks.iter().any(|t| t.is_finished())
    }

    /// Stops the three services and waits for them to drain.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        for task in self.tasks {
            task.await.context("a service task panicked")??;
        }
        Ok(())
    }
}
