//! The stack the demo drives. `medbill demo` starts its own: the three
//! services in this process, as `medbill up` runs them, each on a port the
//! system picked (127.0.0.1:0, so it never collides with a `medbill up`
//! already running) and its own SQLite database under the demo's data
//! folder. The end-to-end tests start the services as separate processes
//! (several instances of one, killed and restarted) and hand the demo their
//! addresses and folders instead: an [`External`] stack, fresh like the
//! demo's own — the demo never drives a stack with data it did not put in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Of billing (a comma-separated list for several instances).
    pub billing_url: String,
    /// Of payments (a comma-separated list for several instances).
    pub payments_url: String,
    /// Billing's clearinghouse folder (`outbound/`, `inbound/`).
    pub clearinghouse: PathBuf,
    /// Payments' folder (`inbound/` takes 835s and deposit CSVs).
    pub remittance: PathBuf,
    /// The folder holding the development secret (`dev-jwt-secret`) the
    /// services verify tokens with; the demo's own stack keeps its
    /// databases there too.
    pub data_dir: PathBuf,
    hook: Option<Hook>,
    own: Option<Own>,
}

/// The services the demo started in this process.
struct Own {
    stop: tokio::sync::oneshot::Sender<()>,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

/// A moment of the cycle at which work is in flight inside a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The coder has released the first encounters: billing is taking
    /// coding's `EncounterReleased` events and building claims.
    Released,
    /// The payer has dropped its n-th set of answers (999, 277CA, 271,
    /// 277) in billing's inbound folder (n from 1).
    Answered(u32),
    /// The payer has dropped its n-th set of 835s and deposits in payments'
    /// inbound folder (n from 1).
    Paid(u32),
}

/// Called at each [`Phase`] before the demo waits for the services to take
/// the work in: what the crash test uses to `kill -9` a service then.
pub type Hook = Arc<dyn Fn(Phase) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// A stack the caller runs: the services' addresses and folders.
pub struct External {
    /// Coding's URL.
    pub coding_url: String,
    /// Billing's URL, or a comma-separated list of its instances.
    pub billing_url: String,
    /// Payments' URL, or a comma-separated list of its instances.
    pub payments_url: String,
    /// Billing's clearinghouse folder (`--clearinghouse-dir`).
    pub clearinghouse: PathBuf,
    /// Payments' folder (`--remittance-dir`).
    pub remittance: PathBuf,
    /// Where `dev-jwt-secret` is: the HS256 secret the services were
    /// started with, which the demo signs its callers' tokens with.
    pub secret_dir: PathBuf,
    /// Called at each phase.
    pub hook: Option<Hook>,
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
            hook: None,
            own: Some(Own { stop, tasks }),
        })
    }

    /// The services the caller runs.
    pub fn external(external: External) -> Stack {
        Stack {
            coding_url: external.coding_url,
            billing_url: external.billing_url,
            payments_url: external.payments_url,
            clearinghouse: external.clearinghouse,
            remittance: external.remittance,
            data_dir: external.secret_dir,
            hook: external.hook,
            own: None,
        }
    }

    /// Whether one of the demo's own services has stopped (it failed:
    /// nothing else stops them). The caller watches an external stack.
    pub fn failed(&self) -> bool {
        self.own
            .as_ref()
            .is_some_and(|own| own.tasks.iter().any(|t| t.is_finished()))
    }

    /// Runs the hook, if any, at `phase`.
    pub async fn at(&self, phase: Phase) -> anyhow::Result<()> {
        match &self.hook {
            Some(hook) => hook(phase).await.with_context(|| format!("at {phase:?}")),
            None => Ok(()),
        }
    }

    /// Whether a hook runs at each phase.
    pub fn has_hook(&self) -> bool {
        self.hook.is_some()
    }

    /// Stops the demo's own services and waits for them to drain (an
    /// external stack is left running).
    pub async fn stop(self) -> anyhow::Result<()> {
        let Some(own) = self.own else {
            return Ok(());
        };
        let _ = own.stop.send(());
        for task in own.tasks {
            task.await.context("a service task panicked")??;
        }
        Ok(())
    }
}
