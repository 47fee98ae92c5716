//! The coding gRPC services not built yet. Every RPC answers
//! `UNIMPLEMENTED` (the generated default) until the coding issue lands its
//! capability; the role check in front of them is already enforced. Code
//! sets are served by [`crate::codesets::grpc::CodeSetHandler`], encounters
//! by [`crate::encounters::grpc::EncounterRpc`].

use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditService;

/// Productivity and coding audits.
pub struct CodingAudit;

impl CodingAuditService for CodingAudit {}
