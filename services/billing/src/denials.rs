//! Adjudication and denials: what payers decided on each claim (from
//! payments' feed), denied lines and claims as work items classified by
//! root cause from the CARC table, coding-caused ones sent back to coding,
//! and appeals.

pub mod adjudication;
pub mod grpc;
pub mod letter;
pub mod store;
