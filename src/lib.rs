//! The `medbill` command: runs the services (`up`, `serve`), issues
//! development tokens (`token`) and holds the operator tools (`codes`,
//! `x12`, and billing's `claims`, `batch`, `acks`, `denials`).

pub mod billing;
pub mod cli;
pub mod codes;
pub mod operator;
pub mod serve;
pub mod token;
pub mod up;
pub mod x12;
