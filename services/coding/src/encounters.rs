//! Encounters and the coding workbench: intake from source systems
//! (idempotent), the coding queue with claim-next that never hands one
//! encounter to two coders, saving coding, holds with physician queries,
//! release to billing through the outbox, denial rework, and the history of
//! every change.
//!
//! Handlers translate ([`grpc`]), the domain decides ([`domain`]), the store
//! persists ([`store`]).

pub mod domain;
pub mod grpc;
pub mod history;
pub mod rework;
pub mod service;
pub mod store;
mod wire;
