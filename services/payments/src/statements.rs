//! Patient statements: a statement run for a day makes one statement per
//! guarantor account whose patient balance, counting only claims insurance
//! has finished with, is above zero; each carries its claims, the balance
//! aged by date of service, and the dunning cycle (1, 2, 3, final notice)
//! and message the dunning policy (data, in `dunning_cycles`) gives. Patient
//! balances under the policy's small-balance threshold are written off by
//! the run instead of stated. Accounts placed with a collection agency get
//! no statements while placed. A rerun of a day creates nothing and answers
//! the same statements (one per guarantor and day, a unique key). Statements
//! are stored as sent and rendered as text and PDF. A statement's payments
//! and adjustments are those effective after the previous statement's date
//! up to its own (something effective on the previous statement's date but
//! posted after that run shows in neither; its effect is in the balancing
//! "new charges" figure). While the guarantor has a payment plan in good
//! standing ([`crate::plans`]) the dunning cycle does not advance.
//!
//! The domain decides what is stated and at which cycle ([`domain`],
//! [`dunning`]), [`render`] lays statements out as text and PDF, [`store`]
//! reads the ledger and the policy, [`archive`] keeps statements as sent,
//! [`service`] runs the transaction and [`grpc`] translates.

pub mod archive;
pub mod domain;
pub mod dunning;
pub mod grpc;
pub mod render;
pub mod service;
pub mod store;
