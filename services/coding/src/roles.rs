//! Who may call which coding RPC. A path missing here is closed to everyone;
//! the service refuses to start when this table and the contracts differ in
//! either direction (an RPC without a rule, a rule naming no RPC).

use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::server::EVENT_FEED;

use Role::*;

/// The coding service's role table.
pub fn policy() -> RolePolicy {
    RolePolicy::new()
        .allow(
            "medbill.coding.v1.CodeSetService",
            &["GetCode", "SearchCodes", "ListCodeSetReleases"],
            &[
                Coder,
                CodingAuditor,
                Biller,
                Manager,
                Auditor,
                Admin,
                Service,
            ],
        )
        // Encounters arrive from the EHR integration.
        .allow(
            "medbill.coding.v1.EncounterService",
            &["SubmitEncounter"],
            &[Service, Admin],
        )
        .allow(
            "medbill.coding.v1.EncounterService",
            &["GetEncounter", "ListEncounters", "GetEncounterHistory"],
            &[Coder, CodingAuditor, Manager, Auditor],
        )
        .allow(
            "medbill.coding.v1.EncounterService",
            &[
                "ClaimNextEncounter",
                "SaveCoding",
                "CheckCoding",
                "HoldEncounter",
                "ResumeEncounter",
                "ReleaseEncounter",
                "SuggestCodes",
            ],
            &[Coder, CodingAuditor],
        )
        .allow(
            "medbill.coding.v1.CodingAuditService",
            &["GetCoderProductivity", "GetAuditSummary"],
            &[CodingAuditor, Manager, Auditor],
        )
        .allow(
            "medbill.coding.v1.CodingAuditService",
            &["SampleForAudit", "RecordAuditOutcome"],
            &[CodingAuditor],
        )
        .allow(EVENT_FEED, &["Subscribe"], &[Service])
}
