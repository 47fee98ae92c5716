//! Charge capture: coding's `EncounterReleased` events, applied exactly
//! once, become charges priced from what was in force on each line's date
//! of service (the payer's fee schedule, else the charge master), or held
//! with a reason when nothing prices them.
//!
//! [`domain`] holds a release and its charges, [`capture`] the consumer of
//! coding's feed, [`store`] the tables, [`grpc`] `ListCharges`.

pub mod capture;
pub mod domain;
pub mod grpc;
pub mod store;
