//! Guarantor accounts: their balances and ledger lines, derived from the
//! journal (patient AR, the account's unapplied credit and insurance AR
//! tagged with the account); the account API also serves the ledger audit,
//! patient payments and refunds (`crate::patient_payments`). Manual
//! adjustments are not built yet.
//!
//! The store sums and pages journal lines ([`store`]), the handler
//! translates and writes the audit log for reads of patient data
//! ([`grpc`]).

pub mod grpc;
pub mod store;
