//! Who may call which billing RPC. A path missing here is closed to everyone;
//! the service refuses to start when this table and the contracts differ in
//! either direction (an RPC without a rule, a rule naming no RPC).

use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::server::EVENT_FEED;

use Role::*;

const REGISTRY: &str = "medbill.billing.v1.RegistryService";
const CLAIMS: &str = "medbill.billing.v1.ClaimService";
const SUBMISSION: &str = "medbill.billing.v1.SubmissionService";
const DENIALS: &str = "medbill.billing.v1.DenialService";
const ANALYTICS: &str = "medbill.billing.v1.AnalyticsService";

/// The billing service's role table.
pub fn policy() -> RolePolicy {
    RolePolicy::new()
        // Reference data: billers and managers maintain it; others read it.
        .allow(
            REGISTRY,
            &[
                "CreatePayer",
                "UpdatePayer",
                "CreateProvider",
                "CreateFacility",
                "UpsertFeeSchedule",
                "UpsertChargeMaster",
                "SetSubmitterProfile",
                "SetPayerRules",
                "AddAuthorization",
            ],
            &[Biller, Manager, Admin],
        )
        .allow(
            REGISTRY,
            &[
                "GetPayer",
                "ListPayers",
                "GetProvider",
                "ListProviders",
                "GetFacility",
                "ListFacilities",
                "GetFeeSchedule",
                "GetChargeMaster",
                "GetSubmitterProfile",
                "GetPayerRules",
                "ListAuthorizations",
            ],
            &[
                Biller,
                Manager,
                Auditor,
                PaymentPoster,
                Collector,
                Admin,
                Service,
            ],
        )
        // Patient registration also arrives from the EHR integration.
        .allow(
            REGISTRY,
            &[
                "CreatePatient",
                "UpdatePatient",
                "AddCoverage",
                "TerminateCoverage",
                "UpdateCoverage",
            ],
            &[Biller, Service],
        )
        .allow(
            REGISTRY,
            &["GetPatient", "ListCoverages"],
            &[Biller, Manager, Auditor, PaymentPoster, Collector, Service],
        )
        .allow(REGISTRY, &["CheckEligibility"], &[Biller, Service])
        .allow(
            REGISTRY,
            &["GetEligibility"],
            &[Biller, Manager, Auditor, Service],
        )
        .allow(
            CLAIMS,
            &[
                "CreateClaim",
                "ScrubClaim",
                "VoidClaim",
                "CorrectClaim",
                "CreateSecondaryClaim",
            ],
            &[Biller],
        )
        .allow(
            CLAIMS,
            &["ListCharges", "GetClaim", "ListClaims"],
            &[Biller, Manager, Auditor, PaymentPoster, Collector],
        )
        .allow(
            SUBMISSION,
            &["CreateBatch", "IngestAcknowledgment", "SendStatusInquiries"],
            &[Biller, Service],
        )
        .allow(
            SUBMISSION,
            &[
                "GetBatch",
                "ListBatches",
                "GetBatchFile",
                "ListAcknowledgments",
                "ListFollowUps",
            ],
            &[Biller, Manager, Auditor],
        )
        .allow(
            DENIALS,
            &[
                "AssignDenial",
                "RequestCodingReview",
                "ResolveDenial",
                "CreateAppeal",
                "RecordAppealOutcome",
            ],
            &[Biller, Manager],
        )
        .allow(
            DENIALS,
            &[
                "ListDenials",
                "GetDenial",
                "GetAppeal",
                "ListAppeals",
                "GetAppealLetter",
            ],
            &[Biller, Manager, Auditor],
        )
        .allow(ANALYTICS, &["GetClaimMetrics"], &[Biller, Manager, Auditor])
        .allow(EVENT_FEED, &["Subscribe"], &[Service])
}
