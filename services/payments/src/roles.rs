//! Who may call which payments RPC. A path missing here is closed to
//! everyone; the service refuses to start when this table and the contracts
//! differ in either direction (an RPC without a rule, a rule naming no RPC).

use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::server::EVENT_FEED;

use Role::*;

const REMITTANCES: &str = "medbill.payments.v1.RemittanceService";
const ACCOUNTS: &str = "medbill.payments.v1.AccountService";
const STATEMENTS: &str = "medbill.payments.v1.StatementService";
const PLANS: &str = "medbill.payments.v1.PaymentPlanService";
const COLLECTIONS: &str = "medbill.payments.v1.CollectionsService";
const REPORTING: &str = "medbill.payments.v1.ReportingService";

/// The payments service's role table.
pub fn policy() -> RolePolicy {
    RolePolicy::new()
        // 835 files arrive from posters or the clearinghouse integration.
        .allow(
            REMITTANCES,
            &["IngestRemittance"],
            &[PaymentPoster, Service],
        )
        .allow(
            REMITTANCES,
            &["GetRemittance", "ListRemittances"],
            &[PaymentPoster, Biller, Collector, Manager, Auditor],
        )
        // Exceptions are the posters' work queue.
        .allow(
            REMITTANCES,
            &["ListRemittanceExceptions"],
            &[PaymentPoster, Manager, Auditor],
        )
        .allow(REMITTANCES, &["PostException"], &[PaymentPoster])
        // Bank deposits are recorded by posters; suspense is worked by
        // posters and read by managers and auditors.
        .allow(REMITTANCES, &["RecordDeposit"], &[PaymentPoster, Service])
        .allow(
            REMITTANCES,
            &["ListUnmatchedDeposits", "ListUnmatchedRemittances"],
            &[PaymentPoster, Manager, Auditor],
        )
        .allow(
            ACCOUNTS,
            &["GetAccount", "ListAccounts", "GetLedger"],
            &[PaymentPoster, Collector, Biller, Manager, Auditor],
        )
        // Compliance and finance prove the ledger; posters check their work.
        .allow(
            ACCOUNTS,
            &["AuditLedger"],
            &[Auditor, Manager, PaymentPoster],
        )
        .allow(
            ACCOUNTS,
            &["RecordPatientPayment"],
            &[PaymentPoster, Collector],
        )
        // Money leaving the hospital needs a poster or a manager.
        .allow(ACCOUNTS, &["IssueRefund"], &[PaymentPoster, Manager])
        .allow(
            ACCOUNTS,
            &["PostAdjustment"],
            &[PaymentPoster, Collector, Manager],
        )
        .allow(
            STATEMENTS,
            &["GenerateStatements"],
            &[Collector, Manager, Service],
        )
        .allow(
            STATEMENTS,
            &["GetStatement", "ListStatements"],
            &[Collector, PaymentPoster, Manager, Auditor],
        )
        .allow(
            PLANS,
            &["CreatePaymentPlan", "CancelPaymentPlan"],
            &[Collector, Manager],
        )
        .allow(
            PLANS,
            &["GetPaymentPlan", "ListPaymentPlans"],
            &[Collector, PaymentPoster, Manager, Auditor],
        )
        .allow(
            COLLECTIONS,
            &["PlaceWithAgency", "RecallFromAgency"],
            &[Collector, Manager],
        )
        // Bad-debt write-offs are a manager's decision (a collector is
        // refused, nothing recorded); so are agencies and their fees.
        .allow(
            COLLECTIONS,
            &["WriteOffBadDebt", "UpsertCollectionAgency"],
            &[Manager],
        )
        // The placement file carries names and addresses for the agency.
        .allow(COLLECTIONS, &["ExportPlacements"], &[Collector, Manager])
        // Money an agency collected is posted by posters or collectors.
        .allow(
            COLLECTIONS,
            &["RecordAgencyPayment"],
            &[PaymentPoster, Collector, Manager],
        )
        .allow(
            COLLECTIONS,
            &["ListCollectionCases"],
            &[Collector, Manager, Auditor],
        )
        .allow(
            REPORTING,
            &["GetArAging", "GetKpis"],
            &[Manager, Auditor, Collector, Biller],
        )
        .allow(EVENT_FEED, &["Subscribe"], &[Service])
}
