//! The `medbill` command: runs the services (`up`, `serve`), issues
//! development tokens (`token`) and holds the operator tools (`codes`,
//! `x12`, billing's `claims`, `batch`, `acks`, `denials`, and payments'
//! `remit`, `deposits`, `statements`, `ar`), and drives the payer
//! simulator (`payer-sim`), a whole revenue cycle (`demo`) and load on a
//! running stack (`load`).

pub mod billing;
pub mod cli;
pub mod codes;
pub mod demo;
pub mod load;
pub mod operator;
pub mod payer_sim;
pub mod payments;
pub mod serve;
pub mod token;
pub mod up;
pub mod x12;
