//! 835 remittances: ingestion (the file stored unchanged, parsed with
//! `medbill-x12`, refused whole when malformed or unbalanced), matching of
//! claim payments to claims (CLP01) and lines (REF*6R, else procedure,
//! modifiers and date of service), posting in one transaction (payments,
//! CO/PR/OA/PI adjustments, denials, reversals, PLB provider adjustments,
//! each a journal entry), exactly once per file and per payer + trace, the
//! exceptions queue, and `RemittancePosted` for billing.
//!
//! The reader turns X12 into domain values ([`read`]), the domain decides
//! matches and entries ([`domain`], [`matching`], [`posting`]), the store
//! persists ([`store`]), [`ingest`] runs the transaction, and the handler
//! translates ([`grpc`], and `wire` for the messages).

pub mod domain;
pub mod grpc;
pub mod ingest;
pub mod manual;
pub mod matching;
pub mod posting;
pub mod read;
pub mod store;
mod wire;
