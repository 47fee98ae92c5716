//! The billing gRPC services not built yet (the registry is in
//! [`crate::registry`], charges in [`crate::charges`]). Every RPC here answers `UNIMPLEMENTED` (the
//! generated default) until the billing issues land their capabilities; the
//! role check in front of them is already enforced.

use medbill_contracts::medbill::billing::v1::denial_service_server::DenialService;
use medbill_contracts::medbill::billing::v1::submission_service_server::SubmissionService;

/// 837 batches and acknowledgments.
pub struct Submission;

/// Denials and appeals.
pub struct Denials;

impl SubmissionService for Submission {}
impl DenialService for Denials {}
