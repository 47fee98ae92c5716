//! The billing registry: payers, providers, patients and their coverages,
//! the reference data claims are built from.
//!
//! The domain types parse and check what a claim will need ([`domain`]),
//! the stores persist them ([`store`] for payers and providers,
//! [`patients`] for patients and coverages), [`wire`] translates the
//! contracts, and [`grpc`] serves `RegistryService`, writing the audit log
//! for every read or change of a patient. Fee schedules and eligibility
//! checks are not built yet and answer `UNIMPLEMENTED`.

pub mod domain;
pub mod grpc;
pub mod patients;
pub mod store;
mod wire;
