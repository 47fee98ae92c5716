//! EFT reassociation through `RecordDeposit`, `ListUnmatchedDeposits` and
//! `ListUnmatchedRemittances`, on SQLite and PostgreSQL: a deposit matches
//! the 835 with its ACH trace (TRN02) and amount (BPR02) whichever arrives
//! second, and what does not match waits in suspense, aged from the test
//! clock's today (2026-11-30).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_contracts::medbill::payments::v1::{
    Deposit, DepositSuspenseReason, ListUnmatchedDepositsRequest, ListUnmatchedRemittancesRequest,
    RecordDepositRequest, UnmatchedRemittance,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{date, ingest, money, start_with_billing};
use tonic::Code;

/// An 835 under `trace` paying $80.00 (BPR02 80.00, BPR16 2026-11-05) for a
/// claim we never sent (it waits in exceptions; the deposit match does not
/// care).
fn era(trace: &'static str) -> String {
    Remit {
        trace,
        total: None,
        claims: vec![Clp {
            pcn: "PCN-EFT",
            status: "1",
            charge: 10_000,
            paid: 8_000,
            patient_responsibility: 0,
            icn: "ICN-EFT",
            cas: vec![],
            services: vec![Svc {
                procedure: "99213",
                charge: 10_000,
                paid: 8_000,
                day: Some(1),
                control: None,
                cas: vec![("CO", "45", 2_000)],
            }],
        }],
        plb: vec![],
    }
    .render()
}

async fn client(service: &RunningService) -> RemittanceServiceClient<tonic::transport::Channel> {
    RemittanceServiceClient::new(service.channel().await)
}

/// Records a deposit of `cents` on November `day` as a payment poster.
async fn deposit(
    service: &RunningService,
    trace: &str,
    cents: i64,
    day: i32,
) -> Result<Deposit, tonic::Status> {
    client(service)
        .await
        .record_deposit(authorized(
            RecordDepositRequest {
                trace_number: trace.into(),
                amount: money(cents),
                deposit_date: date(2026, 11, day),
                idempotency_key: String::new(),
            },
            "poster",
            &[Role::PaymentPoster],
        ))
        .await
        .map(|r| r.into_inner())
}

async fn unmatched_deposits(service: &RunningService) -> Vec<Deposit> {
    client(service)
        .await
        .list_unmatched_deposits(authorized(
            ListUnmatchedDepositsRequest { page: None },
            "manager",
            &[Role::Manager],
        ))
        .await
        .unwrap()
        .into_inner()
        .deposits
}

async fn unmatched_remittances(service: &RunningService) -> Vec<UnmatchedRemittance> {
    client(service)
        .await
        .list_unmatched_remittances(authorized(
            ListUnmatchedRemittancesRequest { page: None },
            "auditor",
            &[Role::Auditor],
        ))
        .await
        .unwrap()
        .into_inner()
        .remittances
}

backend_tests!(
    a_deposit_recorded_before_its_835_is_matched_when_the_835_arrives,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let first = deposit(&h.service, "EFT-1001", 8_000, 6).await.unwrap();
        assert!(first.newly_recorded);
        assert_eq!(first.remittance_id, "");
        assert_eq!(first.suspense_reason(), DepositSuspenseReason::NoRemittance);
        // Waiting since November 6: 24 days on November 30.
        let waiting = unmatched_deposits(&h.service).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].age_days, 24);

        let remittance = ingest(&h.service, &era("EFT-1001")).await.unwrap();

        assert!(unmatched_deposits(&h.service).await.is_empty());
        assert!(unmatched_remittances(&h.service).await.is_empty());
        // Recording the same deposit again answers with the match.
        let again = deposit(&h.service, "EFT-1001", 8_000, 6).await.unwrap();
        assert!(!again.newly_recorded);
        assert_eq!(again.deposit_id, first.deposit_id);
        assert_eq!(again.remittance_id, remittance.remittance_id);
    }
);

backend_tests!(
    a_deposit_recorded_after_its_835_is_matched_when_recorded,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let remittance = ingest(&h.service, &era("EFT-2002")).await.unwrap();
        // The 835 waits from its payment date (BPR16, November 5): 25 days.
        let waiting = unmatched_remittances(&h.service).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].remittance_id, remittance.remittance_id);
        assert_eq!(waiting[0].trace_number, "EFT-2002");
        assert_eq!(waiting[0].total_paid, money(8_000));
        assert_eq!(waiting[0].age_days, 25);

        let matched = deposit(&h.service, "EFT-2002", 8_000, 7).await.unwrap();

        assert_eq!(matched.remittance_id, remittance.remittance_id);
        assert_eq!(
            matched.suspense_reason(),
            DepositSuspenseReason::Unspecified
        );
        assert!(unmatched_remittances(&h.service).await.is_empty());
        assert!(unmatched_deposits(&h.service).await.is_empty());
    }
);

backend_tests!(
    a_deposit_whose_trace_matches_but_amount_differs_stays_in_suspense_with_that_reason,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let remittance = ingest(&h.service, &era("EFT-3003")).await.unwrap();
        // $79.99 against the 835's $80.00, deposited November 10.
        let short = deposit(&h.service, "EFT-3003", 7_999, 10).await.unwrap();
        assert_eq!(short.remittance_id, "");
        assert_eq!(
            short.suspense_reason(),
            DepositSuspenseReason::AmountDiffers
        );

        let waiting = unmatched_deposits(&h.service).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].deposit_id, short.deposit_id);
        assert_eq!(waiting[0].age_days, 20);
        assert_eq!(
            waiting[0].suspense_reason(),
            DepositSuspenseReason::AmountDiffers
        );
        assert!(
            waiting[0].suspense_detail.contains("80.00")
                && waiting[0].suspense_detail.contains("79.99"),
            "{}",
            waiting[0].suspense_detail
        );
        let remittances = unmatched_remittances(&h.service).await;
        assert_eq!(remittances.len(), 1);
        assert_eq!(remittances[0].remittance_id, remittance.remittance_id);
        assert_eq!(remittances[0].age_days, 25);
    }
);

backend_tests!(
    a_deposit_without_trace_or_with_a_non_positive_amount_is_refused_naming_the_field,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let err = deposit(&h.service, " ", 8_000, 6).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("trace_number"), "{}", err.message());
        let err = deposit(&h.service, "EFT-4", 0, 6).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("amount"), "{}", err.message());
        assert!(unmatched_deposits(&h.service).await.is_empty());
        // A biller may not record bank deposits.
        let err = client(&h.service)
            .await
            .record_deposit(authorized(
                RecordDepositRequest {
                    trace_number: "EFT-5".into(),
                    amount: money(100),
                    deposit_date: date(2026, 11, 6),
                    idempotency_key: String::new(),
                },
                "biller",
                &[Role::Biller],
            ))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
    }
);

backend_tests!(
    an_835_that_pays_nothing_waits_for_no_deposit,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        // A denial: $100.00 charged, CO-50 $100.00, BPR02 0.00.
        let denial = Remit {
            trace: "EFT-ZERO",
            total: None,
            claims: vec![Clp {
                pcn: "PCN-EFT-DENIED",
                status: "4",
                charge: 10_000,
                paid: 0,
                patient_responsibility: 0,
                icn: "ICN-Z",
                cas: vec![],
                services: vec![Svc {
                    procedure: "99213",
                    charge: 10_000,
                    paid: 0,
                    day: Some(1),
                    control: None,
                    cas: vec![("CO", "50", 10_000)],
                }],
            }],
            plb: vec![],
        };
        ingest(&h.service, &denial.render()).await.unwrap();
        ingest(&h.service, &era("EFT-PAYS")).await.unwrap();
        let waiting = unmatched_remittances(&h.service).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].trace_number, "EFT-PAYS");
    }
);
