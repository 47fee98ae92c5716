//! The billing gRPC services. Every RPC answers `UNIMPLEMENTED` (the
//! generated default) until the billing issues land their capabilities; the
//! role check in front of them is already enforced.

use medbill_contracts::medbill::billing::v1::claim_service_server::ClaimService;
use medbill_contracts::medbill::billing::v1::denial_service_server::DenialService;
use medbill_contracts::medbill::billing::v1::registry_service_server::RegistryService;
use medbill_contracts::medbill::billing::v1::submission_service_server::SubmissionService;

/// Payers, providers, patients, coverage, fee schedules, eligibility.
pub struct Registry;

/// Charges and claims.
pub struct Claims;

/// 837 batches and acknowledgments.
pub struct Submission;

/// Denials and appeals.
pub struct Denials;

impl RegistryService for Registry {}
impl ClaimService for Claims {}
impl SubmissionService for Submission {}
impl DenialService for Denials {}
