//! The coding service: the coding team's code sets, coding edits, encounters,
//! coding queue and audit trail, in a database of its own.
//!
//! A library with a thin caller: `medbill up`, `medbill serve coding` and the
//! tests all run [`serve`].

pub mod audit;
pub mod codesets;
pub mod edits;
pub mod encounters;
pub mod roles;
pub mod suggestions;

use std::future::Future;

use codesets::index_cache::IndexCache;
use medbill_contracts::medbill::coding::v1::code_set_service_server::CodeSetServiceServer;
use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditServiceServer;
use medbill_contracts::medbill::coding::v1::encounter_service_server::EncounterServiceServer;
use medbill_platform::config::{ConfigError, ServerSettings};
use medbill_platform::db::{Database, Migrations};
use medbill_platform::peers::{Peer, TokenSource};
use medbill_platform::server::{ServeError, ServiceBuilder};
use tokio::net::TcpListener;

/// The coding database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The services coding calls or follows.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// Billing, whose feed brings coding-caused denials back to the queue.
    pub billing: Option<Peer>,
}

/// The flags naming coding's peers (`medbill serve coding`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PeerArgs {
    /// The billing service's URL: its event feed brings coding-caused
    /// denials back to the coding queue; a comma-separated list for
    /// several instances.
    #[arg(long, env = "MEDBILL_BILLING_URL")]
    pub billing_url: Option<String>,
}

impl PeerArgs {
    /// The peers these flags name, called with tokens from `tokens`.
    pub fn peers(&self, tokens: TokenSource) -> Result<Peers, ConfigError> {
        let billing = match &self.billing_url {
            Some(url) => Some(Peer::new("billing", url, tokens)?),
            None => {
                tracing::warn!("no --billing-url: coding-caused denials will not reach the queue");
                None
            }
        };
        Ok(Peers { billing })
    }
}

/// The coding service assembled: its gRPC servers, its role table and, when
/// billing is a peer, the consumer of billing's feed.
pub fn assemble(db: Database, settings: ServerSettings, peers: Peers) -> ServiceBuilder {
    let index = IndexCache::new(db.clone());
    assemble_with(db, settings, peers, index)
}

/// [`assemble`] around a code-set index built already.
fn assemble_with(
    db: Database,
    settings: ServerSettings,
    peers: Peers,
    index: IndexCache,
) -> ServiceBuilder {
    // One code-set index serves GetCode, SearchCodes and SuggestCodes, and
    // follows the releases loaded while the service runs.
    let clock = settings.clock.clone();
    let watched = index.clone();
    let mut service = ServiceBuilder::new("coding", roles::policy(), settings)
        .add_service(CodeSetServiceServer::new(
            codesets::grpc::CodeSetHandler::with_index(db.clone(), index.clone(), clock.clone()),
        ))
        .add_service(EncounterServiceServer::new(
            encounters::grpc::EncounterRpc::new(db.clone(), index, clock.clone()),
        ))
        .add_service(CodingAuditServiceServer::new(audit::grpc::AuditRpc::new(
            db.clone(),
            clock,
        )))
        .task(move |stop| watched.keep_fresh(stop));
    if let Some(billing) = peers.billing {
        service = service.task(move |stop| encounters::rework::follow_billing(db, billing, stop));
    }
    service
}

/// Serves the coding API on `listener` over `db` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    peers: Peers,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // The code-set index is built before the first call is accepted, so
    // no lookup waits for it.
    let index = IndexCache::open(db.clone()).await;
    assemble_with(db.clone(), settings, peers, index)
        .serve(listener, db, shutdown)
        .await
}
