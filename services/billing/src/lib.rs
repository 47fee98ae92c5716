//! The billing/claims service: payers, providers, patients and coverage, fee
//! schedules, charges and claims, X12 837 batches and their acknowledgments,
//! denials and appeals, in a database of its own.
//!
//! A library with a thin caller: `medbill up`, `medbill serve billing` and the
//! tests all run [`serve`].

pub mod roles;
mod rpc;

use std::future::Future;

use medbill_contracts::medbill::billing::v1::claim_service_server::ClaimServiceServer;
use medbill_contracts::medbill::billing::v1::denial_service_server::DenialServiceServer;
use medbill_contracts::medbill::billing::v1::registry_service_server::RegistryServiceServer;
use medbill_contracts::medbill::billing::v1::submission_service_server::SubmissionServiceServer;
use medbill_platform::config::ServerSettings;
use medbill_platform::db::{Database, Migrations};
use medbill_platform::limits;
use medbill_platform::server::{self, ServeError, ServiceHost};
use tokio::net::TcpListener;
use tonic::service::Routes;

/// The billing database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The gRPC services this service serves (besides health, reflection and the
/// event feed).
pub const SERVICES: [&str; 4] = [
    "medbill.billing.v1.RegistryService",
    "medbill.billing.v1.ClaimService",
    "medbill.billing.v1.SubmissionService",
    "medbill.billing.v1.DenialService",
];

/// Serves the billing API on `listener` over `db` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let routes = Routes::new(limits!(RegistryServiceServer::new(rpc::Registry), settings))
        .add_service(limits!(ClaimServiceServer::new(rpc::Claims), settings))
        .add_service(limits!(
            SubmissionServiceServer::new(rpc::Submission),
            settings
        ))
        .add_service(limits!(DenialServiceServer::new(rpc::Denials), settings));
    let host = ServiceHost {
        name: "billing",
        services: SERVICES.to_vec(),
        policy: roles::policy(),
        routes,
    };
    server::run(host, listener, db, settings, shutdown).await
}
