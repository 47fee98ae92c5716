//! The double-entry ledger: journal entries whose lines (debit positive,
//! credit negative) sum to zero, appended and never changed (triggers refuse
//! UPDATE and DELETE on both backends); balances per claim line, claim,
//! guarantor account and payer are sums of journal lines; and the audit that
//! proves, for every claim, charges − payments − adjustments − write-offs =
//! insurance balance + patient balance.
//!
//! The domain builds and checks entries ([`domain`]), the store appends and
//! sums them ([`store`]); `AuditLedger` is served with the accounts
//! (`crate::accounts::grpc`).

pub mod domain;
pub mod store;
