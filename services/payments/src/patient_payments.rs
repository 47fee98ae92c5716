//! Payments from guarantors: posted to the account's claims with a patient
//! balance, oldest first (or to the one claim the guarantor named), with
//! what is left over held as the account's unapplied credit; idempotent by
//! the client's key, so a retried request posts nothing.
//!
//! The domain allocates ([`domain`]), the store persists ([`store`]),
//! [`service`] runs the transaction; `RecordPatientPayment` is served with
//! the accounts (`crate::accounts::grpc`).

pub mod domain;
pub mod service;
pub mod store;
