//! Revenue-cycle reports from the ledger. Built so far: AR aging
//! (`GetArAging`): each claim's open insurance and patient balances as of a
//! day, in 0–30, 31–60, 61–90, 91–120 and 121+ day buckets from the date of
//! service or from submission, grouped by payer, guarantor account or
//! financial class. `GetKpis` answers `UNIMPLEMENTED`.
//!
//! The domain buckets ([`domain`]), the store reads balances per claim
//! ([`store`]), the handler translates ([`grpc`]).

pub mod domain;
pub mod grpc;
pub mod store;
