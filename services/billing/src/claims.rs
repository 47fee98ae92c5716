//! Claims: built from each release of an encounter for the patient's
//! coverage, scrubbed, kept with their status dimensions and the history
//! of every transition, voided and replaced.

pub mod cob;
pub mod domain;
pub mod grpc;
pub mod secondary;
pub mod service;
pub mod store;
pub mod void;
pub mod wire;
