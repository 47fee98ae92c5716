//! What every medbill service stands on: configuration, the database (SQLite
//! or PostgreSQL through one `AnyPool`), telemetry and metrics,
//! authentication and the per-RPC role check, the mapping of errors to gRPC
//! status codes, the transactional outbox with its event feed and consumer,
//! and the server bootstrap (health, reflection, deadlines, graceful
//! shutdown).

pub mod audit;
pub mod auth;
pub mod config;
pub mod consumer;
pub mod convert;
pub mod db;
pub mod error;
pub mod feed;
pub mod layer;
pub mod metrics;
pub mod outbox;
pub mod server;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::ServiceError;
