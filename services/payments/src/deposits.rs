//! EFT reassociation: bank deposits (ACH trace, amount, date) recorded once
//! per client key (else per trace + amount + date) and matched to ingested
//! 835s by TRN02 trace and BPR02 amount, in the transaction of whichever
//! arrives second; deposits and 835s left unmatched are the suspense lists,
//! aged from the service clock's today.
//!
//! Bank deposit files (CSV) are read by [`csv`]. The store persists and matches ([`store`]), [`service`] runs the
//! transactions and decides why a deposit is in suspense, [`grpc`] checks
//! and translates the RPCs, which `crate::remittances::grpc` serves with the
//! remittances.

pub mod csv;
pub mod grpc;
pub mod service;
pub mod store;
