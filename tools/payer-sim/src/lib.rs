//! The payer and clearinghouse simulator: a library that plays the far
//! side of billing's clearinghouse folder (and of its real-time eligibility
//! endpoint) for the demo, the end-to-end tests and load tests
//! (`medbill payer-sim` drives it).
//!
//! - [`Simulator::process_dir`] takes the 837P/837I, 270 and 276 files
//!   billing finished writing into its outbound folder and answers them
//!   into billing's inbound folder: a 999 per 837 interchange (sets that
//!   fail `medbill_x12` validation rejected with IK3/IK4), a 277CA for the
//!   claims of the accepted sets, a 271 per 270, a 277 per 276.
//! - [`Simulator::answer_real_time`] answers a 270 handed to it directly
//!   with its 271, and [`endpoint`] serves that over HTTP as a
//!   clearinghouse's CAQH CORE real-time endpoint (`POST /core/realtime`).
//! - [`Simulator::adjudicate_due`] adjudicates the claims due under each
//!   payer's contract and the member's plan ([`adjudication`]), and writes
//!   one 835 per payer and provider plus the EFT deposit records into
//!   payments' inbound folder.
//! - Everything is decided from the configuration, the files, the seed and
//!   the day passed in as today: the same inputs give the same bytes.
//! - The [`record::Record`] in the work directory keeps every file taken,
//!   claim accepted and payment sent, with totals, across restarts.
//!
//! Money is whole cents (`i64`); rates are `rust_decimal`, applied by the
//! one rounding rule of [`money`].

mod ack999;
pub mod adjudication;
pub mod cas;
pub mod claim;
mod claim_ack;
pub mod config;
mod desk;
mod draws;
mod eligibility;
pub mod endpoint;
mod envelope;
mod error;
pub mod files;
mod intake;
pub mod money;
mod payday;
pub mod record;
mod remittance;
mod scan;
mod simulator;
mod status;
mod text;

pub use config::SimConfig;
pub use draws::fnv1a;
pub use error::SimError;
pub use record::{Record, Totals};
pub use simulator::{Folders, RealTimeError, Report, Simulator};
