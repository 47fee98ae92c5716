//! The coding gRPC services not built yet (encounters are served by
//! [`crate::encounters::grpc::EncounterRpc`]). Every RPC answers `UNIMPLEMENTED` (the
//! generated default) until the coding issue lands its capability; the role
//! check in front of them is already enforced.

use medbill_contracts::medbill::coding::v1::code_set_service_server::CodeSetService;
use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditService;

/// Code-set lookup and search.
pub struct CodeSets;

/// Productivity and coding audits.
pub struct CodingAudit;

impl CodeSetService for CodeSets {}
impl CodingAuditService for CodingAudit {}
