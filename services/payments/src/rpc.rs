//! The payments gRPC services not built yet: every RPC of these answers
//! `UNIMPLEMENTED` (the generated default); the role check in front of them
//! is already enforced.

use medbill_contracts::medbill::payments::v1::collections_service_server::CollectionsService;

/// Collection agencies and bad debt.
pub struct Collections;

impl CollectionsService for Collections {}
