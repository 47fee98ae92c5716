//! The payments/collections service: 835 remittance posting, patient
//! payments and refunds on a double-entry ledger, statements, payment plans,
//! collections and AR reporting, in a database of its own.
//!
//! A library with a thin caller: `medbill up`, `medbill serve payments` and
//! the tests all run [`serve`].

pub mod roles;
mod rpc;

use std::future::Future;

use medbill_contracts::medbill::payments::v1::account_service_server::AccountServiceServer;
use medbill_contracts::medbill::payments::v1::collections_service_server::CollectionsServiceServer;
use medbill_contracts::medbill::payments::v1::payment_plan_service_server::PaymentPlanServiceServer;
use medbill_contracts::medbill::payments::v1::remittance_service_server::RemittanceServiceServer;
use medbill_contracts::medbill::payments::v1::reporting_service_server::ReportingServiceServer;
use medbill_contracts::medbill::payments::v1::statement_service_server::StatementServiceServer;
use medbill_platform::config::ServerSettings;
use medbill_platform::db::{Database, Migrations};
use medbill_platform::limits;
use medbill_platform::server::{self, ServeError, ServiceHost};
use tokio::net::TcpListener;
use tonic::service::Routes;

/// The payments database schema, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The gRPC services this service serves (besides health, reflection and the
/// event feed).
pub const SERVICES: [&str; 6] = [
    "medbill.payments.v1.RemittanceService",
    "medbill.payments.v1.AccountService",
    "medbill.payments.v1.StatementService",
    "medbill.payments.v1.PaymentPlanService",
    "medbill.payments.v1.CollectionsService",
    "medbill.payments.v1.ReportingService",
];

/// Serves the payments API on `listener` over `db` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let routes = Routes::new(limits!(
        RemittanceServiceServer::new(rpc::Remittances),
        settings
    ))
    .add_service(limits!(AccountServiceServer::new(rpc::Accounts), settings))
    .add_service(limits!(
        StatementServiceServer::new(rpc::Statements),
        settings
    ))
    .add_service(limits!(
        PaymentPlanServiceServer::new(rpc::PaymentPlans),
        settings
    ))
    .add_service(limits!(
        CollectionsServiceServer::new(rpc::Collections),
        settings
    ))
    .add_service(limits!(
        ReportingServiceServer::new(rpc::Reporting),
        settings
    ));
    let host = ServiceHost {
        name: "payments",
        services: SERVICES.to_vec(),
        policy: roles::policy(),
        routes,
    };
    server::run(host, listener, db, settings, shutdown).await
}
