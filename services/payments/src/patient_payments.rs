//! Payments from guarantors: posted to the account's claims with a patient
//! balance, oldest first (or to the one claim the guarantor named), then to
//! bad debt written off on them (a recovery: cash against bad-debt
//! recovery), with what is left over held as the account's unapplied
//! credit; refunds of that
//! credit ([`refunds`]); both idempotent by the client's key, so a retried
//! request posts nothing.
//!
//! The domain allocates ([`domain`]), the store persists ([`store`]),
//! [`service`] runs the transaction; `RecordPatientPayment` and `IssueRefund` are served with
//! the accounts (`crate::accounts::grpc`).

pub mod domain;
pub mod refunds;
pub mod service;
pub mod store;
