//! The billing registry: payers, providers, patients and their coverages,
//! the reference data claims are built from.
//!
//! The domain types parse and check what a claim will need ([`domain`],
//! [`coverage`]), the stores persist them ([`store`] for payers and
//! providers, [`patients`] for patients and coverages), [`wire`] translates
//! the contracts, and [`grpc`] serves `RegistryService` ([`patient_rpc`]
//! its patient RPCs, which write the audit log for every read or change of
//! a patient). Prices are the [`crate::pricing`] capability. Prior
//! authorizations ([`authorizations`], [`authorization_rpc`]) supply the
//! REF*G1 of claims for the codes a payer wants authorized.

pub mod authorization_rpc;
pub mod authorizations;
pub mod coverage;
pub mod domain;
pub mod facilities;
pub mod grpc;
pub mod patient_rpc;
pub mod patients;
pub mod profile;
pub mod profile_rpc;
pub mod snapshot;
pub mod store;
pub(crate) mod wire;
