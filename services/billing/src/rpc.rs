//! The billing gRPC service not built yet (the registry is in
//! [`crate::registry`], claims in [`crate::claims`], submission in
//! [`crate::submission`]). Every RPC here answers `UNIMPLEMENTED` (the
//! generated default) until the billing issues land their capabilities; the
//! role check in front of them is already enforced.

use medbill_contracts::medbill::billing::v1::denial_service_server::DenialService;

/// Denials and appeals.
pub struct Denials;

impl DenialService for Denials {}
