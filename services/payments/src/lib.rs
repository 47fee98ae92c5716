//! The payments/collections service: 835 remittance posting, patient
//! payments and refunds on a double-entry ledger, statements, payment plans,
//! collections and AR reporting, in a database of its own. Built so far:
//! claims from billing's feed ([`claims`]), the ledger and its audit
//! ([`ledger`]), remittance posting ([`remittances`]), EFT reassociation of bank
//! deposits to 835s ([`deposits`]), accounts
//! ([`accounts`]), patient payments and refunds ([`patient_payments`]),
//! AR aging ([`reporting`]), patient statements with dunning
//! ([`statements`]), payment plans ([`plans`]) and collections
//! ([`collections`]), revenue-cycle KPIs ([`reporting`]), and the
//! clearinghouse folder's poller for 835 and deposit files ([`inbound`]).
//!
//! A library with a thin caller: `medbill up`, `medbill serve payments` and
//! the tests all run [`serve`].

pub mod accounts;
pub mod claims;
pub mod collections;
pub mod deposits;
pub mod inbound;
pub mod ledger;
pub mod patient_payments;
pub mod plans;
pub mod remittances;
pub mod reporting;
pub mod roles;
pub mod statements;

use std::future::Future;
use std::path::PathBuf;

use medbill_contracts::medbill::payments::v1::account_service_server::AccountServiceServer;
use medbill_contracts::medbill::payments::v1::collections_service_server::CollectionsServiceServer;
use medbill_contracts::medbill::payments::v1::payment_plan_service_server::PaymentPlanServiceServer;
use medbill_contracts::medbill::payments::v1::remittance_service_server::RemittanceServiceServer;
use medbill_contracts::medbill::payments::v1::reporting_service_server::ReportingServiceServer;
use medbill_contracts::medbill::payments::v1::statement_service_server::StatementServiceServer;
use medbill_platform::config::{ConfigError, ServerSettings};
use medbill_platform::db::{Database, Migrations};
use medbill_platform::peers::{Peer, TokenSource};
use medbill_platform::server::{ServeError, ServiceBuilder};
use tokio::net::TcpListener;

/// The payments database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The services payments calls or follows.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// Billing: its feed brings submitted and voided claims.
    pub billing: Option<Peer>,
    /// Payments' clearinghouse folder: 835 and bank deposit (`*.csv`)
    /// files are picked up from its `inbound/`; none polled without it.
    pub remittance_dir: Option<PathBuf>,
}

/// The flags naming payments' peers (`medbill serve payments`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PeerArgs {
    /// The billing service's URL (submitted and voided claims); a
    /// comma-separated list for several instances.
    #[arg(long, env = "MEDBILL_BILLING_URL")]
    pub billing_url: Option<String>,
    /// Payments' clearinghouse folder: 835 and bank deposit (`*.csv`)
    /// files dropped in its `inbound/` are posted, then moved to
    /// `inbound/processed/` (or `inbound/failed/` with a `.error` file).
    #[arg(long, env = "MEDBILL_REMITTANCE_DIR")]
    pub remittance_dir: Option<PathBuf>,
}

impl PeerArgs {
    /// The peers these flags name, called with tokens from `tokens`.
    pub fn peers(&self, tokens: TokenSource) -> Result<Peers, ConfigError> {
        let billing = self
            .billing_url
            .as_deref()
            .map(|url| Peer::new("billing", url, tokens))
            .transpose()?;
        Ok(Peers {
            billing,
            remittance_dir: self.remittance_dir.clone(),
        })
    }
}

/// The payments service assembled: its gRPC servers, its role table and,
/// when billing is a peer, the consumer of billing's feed, and with a
/// remittance folder, its poller.
pub fn assemble(db: Database, settings: ServerSettings, peers: Peers) -> ServiceBuilder {
    let clock = settings.clock.clone();
    let mut service = ServiceBuilder::new("payments", roles::policy(), settings)
        .add_service(RemittanceServiceServer::new(
            remittances::grpc::RemittanceRpc::new(db.clone(), clock.clone()),
        ))
        .add_service(AccountServiceServer::new(accounts::grpc::AccountRpc::new(
            db.clone(),
            clock.clone(),
        )))
        .add_service(StatementServiceServer::new(
            statements::grpc::StatementRpc::new(db.clone(), clock.clone()),
        ))
        .add_service(PaymentPlanServiceServer::new(
            plans::grpc::PaymentPlanRpc::new(db.clone(), clock.clone()),
        ))
        .add_service(CollectionsServiceServer::new(
            collections::grpc::CollectionsRpc::new(db.clone(), clock.clone()),
        ))
        .add_service(ReportingServiceServer::new(
            reporting::grpc::ReportingRpc::new(db.clone(), clock.clone()),
        ));
    if let Some(dir) = &peers.remittance_dir {
        let inbound = inbound::Inbound::new(dir, db.clone(), clock.clone());
        service = service.task(move |stop| inbound.run(stop));
    }
    if let Some(billing) = peers.billing {
        service = service.task(move |stop| claims::feed::follow_billing(db, clock, billing, stop));
    }
    service
}

/// Serves the payments API on `listener` over `db` until `shutdown`
/// completes.
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
