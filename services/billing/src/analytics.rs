//! Billing's metrics (`AnalyticsService`): clean-claim rate, first-pass
//! denial rate by count and dollars, denials by root cause, origin, payer
//! and CARC, days from release to submission, claims at timely-filing risk.

pub mod grpc;
pub mod metrics;
pub mod store;
