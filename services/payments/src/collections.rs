//! Collections: accounts placed with collection agencies after the final
//! notice, the placement file an agency receives (CSV), recalls, agency
//! payments posted net of the agency's fee (the fee a collection-expense
//! entry of its own), and bad-debt write-offs (managers only: anyone else
//! is refused with PERMISSION_DENIED and nothing is recorded). A payment
//! after a write-off is a recovery (`crate::patient_payments`).
//!
//! The case lifecycle, fees and the placement file are pure ([`domain`]),
//! the store persists ([`store`]), [`service`] runs the transactions,
//! [`grpc`] translates.

pub mod domain;
pub mod grpc;
pub mod service;
pub mod store;
