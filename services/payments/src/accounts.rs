//! Guarantor accounts: their balances and ledger lines, derived from the
//! journal (patient AR and insurance AR tagged with the account), and the
//! ledger audit served beside them. Patient payments, refunds and manual
//! adjustments are not built yet.
//!
//! The store sums and pages journal lines ([`store`]), the handler
//! translates and writes the audit log for reads of patient data
//! ([`grpc`]).

pub mod grpc;
pub mod store;
