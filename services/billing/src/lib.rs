//! The billing/claims service: payers, providers, patients and coverage, fee
//! schedules, prior authorizations, eligibility (270/271), charges and
//! claims, X12 837 batches and their acknowledgments, follow-up of unpaid
//! claims (276/277), denials and appeals, in a database of its own.
//!
//! A library with a thin caller: `medbill up`, `medbill serve billing` and the
//! tests all run [`serve`].

pub mod analytics;
pub mod charges;
pub mod claims;
pub mod denials;
pub mod eligibility;
pub mod followup;
pub mod pricing;
pub mod registry;
pub mod roles;
pub mod scrubber;
pub mod submission;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use medbill_contracts::medbill::billing::v1::analytics_service_server::AnalyticsServiceServer;
use medbill_contracts::medbill::billing::v1::claim_service_server::ClaimServiceServer;
use medbill_contracts::medbill::billing::v1::denial_service_server::DenialServiceServer;
use medbill_contracts::medbill::billing::v1::registry_service_server::RegistryServiceServer;
use medbill_contracts::medbill::billing::v1::submission_service_server::SubmissionServiceServer;
use medbill_platform::config::{ConfigError, ServerSettings};
use medbill_platform::db::{Database, Migrations};
use medbill_platform::http::HttpUrl;
use medbill_platform::peers::{Peer, TokenSource};
use medbill_platform::server::{ServeError, ServiceBuilder};
use tokio::net::TcpListener;

/// The billing database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The services billing calls or follows.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// Coding: its feed brings released encounters.
    pub coding: Option<Peer>,
    /// Where `ScrubClaim` re-runs coding's edits (`CheckCoding`): the
    /// coding service itself, unless a caller points it elsewhere.
    pub coding_edits: Option<Peer>,
    /// Payments: its feed brings posted remittances.
    pub payments: Option<Peer>,
    /// The clearinghouse folder drop (`outbound/`, `inbound/` under it);
    /// without it batches wait for `GetBatchFile`, claim status inquiries
    /// are refused, and so are eligibility inquiries unless
    /// `eligibility_url` is set.
    pub clearinghouse_dir: Option<PathBuf>,
    /// The clearinghouse's real-time eligibility endpoint: when set,
    /// `CheckEligibility` posts the 270 there and answers with the 271 in
    /// the call instead of using the folder.
    pub eligibility_url: Option<HttpUrl>,
}

/// The flags naming billing's peers (`medbill serve billing`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PeerArgs {
    /// The coding service's URL (released encounters, coding edits); a
    /// comma-separated list for several instances.
    #[arg(long, env = "MEDBILL_CODING_URL")]
    pub coding_url: Option<String>,
    /// The payments service's URL (posted remittances); a comma-separated
    /// list for several instances.
    #[arg(long, env = "MEDBILL_PAYMENTS_URL")]
    pub payments_url: Option<String>,
    /// The clearinghouse folder: 837 batches, 270 and 276 inquiries are
    /// dropped in its `outbound/`; 999, 277CA, 271 and 277 files are picked
    /// up from its `inbound/`.
    #[arg(long, env = "MEDBILL_CLEARINGHOUSE_DIR")]
    pub clearinghouse_dir: Option<PathBuf>,
}

impl PeerArgs {
    /// The peers these flags name, called with tokens from `tokens`.
    pub fn peers(&self, tokens: TokenSource) -> Result<Peers, ConfigError> {
        let peer = |name, url: &Option<String>| {
            url.as_deref()
                .map(|url| Peer::new(name, url, tokens.clone()))
                .transpose()
        };
        let coding = peer("coding", &self.coding_url)?;
        Ok(Peers {
            coding_edits: coding.clone(),
            coding,
            payments: peer("payments", &self.payments_url)?,
            clearinghouse_dir: self.clearinghouse_dir.clone(),
            eligibility_url: None,
        })
    }
}

/// The flag naming billing's real-time eligibility endpoint (`medbill serve
/// billing`, `medbill up`), kept apart from [`PeerArgs`] so the callers
/// that build those flags in code need not name it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EligibilityArgs {
    /// The clearinghouse's CAQH CORE real-time endpoint, plain `http://`
    /// (TLS is terminated by an egress proxy or sidecar): `CheckEligibility`
    /// posts the 270 there and answers with the 271 in the call. Without
    /// it, 270s go through the clearinghouse folder.
    #[arg(long, env = "MEDBILL_ELIGIBILITY_URL")]
    pub eligibility_url: Option<String>,
}

impl EligibilityArgs {
    /// The endpoint, checked: an `https://` URL or one that is not a URL
    /// is refused here, at start, not at the first call.
    pub fn url(&self) -> Result<Option<HttpUrl>, ConfigError> {
        self.eligibility_url
            .as_deref()
            .map(|url| {
                HttpUrl::parse(url)
                    .map_err(|e| ConfigError::Invalid(format!("--eligibility-url: {e}")))
            })
            .transpose()
    }
}

/// The billing service assembled: its gRPC servers, its role table, the
/// start-up sweep of real-time eligibility inquiries a crash left pending,
/// and, when coding is a peer, the consumer of coding's feed (charge
/// capture).
pub fn assemble(db: Database, settings: ServerSettings, peers: Peers) -> ServiceBuilder {
    let clock = settings.clock.clone();
    let folder = peers
        .clearinghouse_dir
        .clone()
        .map(submission::adapter::FolderDrop::new);
    let clearinghouse: Option<Arc<dyn submission::adapter::Clearinghouse>> = folder
        .clone()
        .map(|f| Arc::new(f) as Arc<dyn submission::adapter::Clearinghouse>);
    let real_time = peers
        .eligibility_url
        .clone()
        .map(|url| Arc::new(eligibility::real_time::RealTime::new(url)));
    let mut service = ServiceBuilder::new("billing", roles::policy(), settings)
        .add_service(RegistryServiceServer::new(
            registry::grpc::RegistryRpc::new(db.clone(), clock.clone(), clearinghouse.clone())
                .with_real_time(real_time),
        ))
        .add_service(ClaimServiceServer::new(claims::grpc::ClaimRpc::new(
            db.clone(),
            clock.clone(),
            peers.coding_edits.clone(),
        )))
        .add_service(SubmissionServiceServer::new(
            submission::grpc::SubmissionRpc::new(db.clone(), clock.clone(), clearinghouse.clone()),
        ))
        .add_service(AnalyticsServiceServer::new(
            analytics::grpc::AnalyticsRpc::new(db.clone(), clock.clone()),
        ))
        .add_service(DenialServiceServer::new(denials::grpc::DenialRpc::new(
            db.clone(),
            clock.clone(),
        )));
    {
        // Real-time inquiries a crash left pending get no 271: deleted.
        let (db, clock) = (db.clone(), clock.clone());
        service = service.task(move |_stop| async move {
            match eligibility::real_time::forget_abandoned(&db, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(n, "abandoned real-time eligibility inquiries deleted"),
                Err(e) => tracing::warn!(error = %e, "abandoned real-time inquiries not swept"),
            }
        });
    }
    if let Some(folder) = folder {
        let (db, clock) = (db.clone(), clock.clone());
        service = service.task(move |stop| submission::inbound::run(db, clock, folder, stop));
    }
    if let Some(payments) = peers.payments {
        let (db, clock) = (db.clone(), clock.clone());
        service = service
            .task(move |stop| denials::adjudication::follow_payments(db, payments, clock, stop));
    }
    if let Some(coding) = peers.coding {
        service =
            service.task(move |stop| charges::capture::follow_coding(db, coding, clock, stop));
    }
    service
}

/// Serves the billing API on `listener` over `db` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    peers: Peers,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    assemble(db.clone(), settings, peers)
        .serve(listener, db, shutdown)
        .await
}
