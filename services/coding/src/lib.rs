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

use medbill_contracts::medbill::coding::v1::code_set_service_server::CodeSetServiceServer;
use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditServiceServer;
use medbill_contracts::medbill::coding::v1::encounter_service_server::EncounterServiceServer;
use medbill_platform::config::ServerSettings;
use medbill_platform::db::{Database, Migrations};
use medbill_platform::limits;
use medbill_platform::server::{self, ServeError, ServiceHost};
use tokio::net::TcpListener;
use tonic::service::Routes;

/// The coding database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The gRPC services this service serves (besides health, reflection and the
/// event feed).
pub const SERVICES: [&str; 3] = [
    "medbill.coding.v1.CodeSetService",
    "medbill.coding.v1.EncounterService",
    "medbill.coding.v1.CodingAuditService",
];

/// Serves the coding API on `listener` over `db` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // One search index serves SearchCodes and SuggestCodes.
    let index = codesets::index_cache::IndexCache::new(db.clone());
    let routes = Routes::new(limits!(
        CodeSetServiceServer::new(codesets::grpc::CodeSetHandler::with_index(
            db.clone(),
            index.clone()
        )),
        settings
    ))
    .add_service(limits!(
        EncounterServiceServer::new(encounters::grpc::EncounterRpc::new(db.clone(), index)),
        settings
    ))
    .add_service(limits!(
        CodingAuditServiceServer::new(audit::grpc::AuditRpc::new(db.clone())),
        settings
    ));
    let host = ServiceHost {
        name: "coding",
        services: SERVICES.to_vec(),
        policy: roles::policy(),
        routes,
    };
    server::run(host, listener, db, settings, shutdown).await
}
