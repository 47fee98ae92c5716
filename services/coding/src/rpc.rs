//! The coding gRPC services. Every RPC answers `UNIMPLEMENTED` (the
//! generated default) until the coding issue lands its capability; the role
//! check in front of them is already enforced.

use medbill_contracts::medbill::coding::v1::code_set_service_server::CodeSetService;
use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditService;
use medbill_contracts::medbill::coding::v1::encounter_service_server::EncounterService;

/// Code-set lookup and search.
pub struct CodeSets;

/// The coding workbench.
pub struct Encounters;

/// Productivity and coding audits.
pub struct CodingAudit;

impl CodeSetService for CodeSets {}
impl EncounterService for Encounters {}
impl CodingAuditService for CodingAudit {}
