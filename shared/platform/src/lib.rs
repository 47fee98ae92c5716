//! What every medbill service stands on: configuration and the clock, the
//! database (SQLite or PostgreSQL through one `AnyPool`), telemetry and
//! metrics, authentication and the per-RPC role check, the mapping of errors
//! to gRPC status codes, request helpers (ids, money, dates, paging), the
//! transactional outbox with its event feed, typed events and consumer,
//! peers (other services), the server assembly (health, reflection,
//! deadlines, background tasks, graceful shutdown), and a small plain-HTTP
//! server and client for what does not speak gRPC.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod consumer;
pub mod convert;
pub mod db;
pub mod error;
pub mod events;
pub mod feed;
pub mod http;
pub mod layer;
pub mod metrics;
pub mod outbox;
pub mod paging;
pub mod pdf;
pub mod peers;
pub mod server;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod writes;

pub use error::ServiceError;
