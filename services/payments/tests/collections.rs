//! Collections through `CollectionsService`, on SQLite and PostgreSQL:
//! placement only after the final notice, the placement file, agency
//! payments net of the agency's fee, recall, a manager's bad-debt write-off
//! (a collector is refused) and a later payment recovering it, with
//! `AuditLedger` holding for every claim throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::collections_service_client::CollectionsServiceClient;
use medbill_contracts::medbill::payments::v1::reporting_service_client::ReportingServiceClient;
use medbill_contracts::medbill::payments::v1::statement_service_client::StatementServiceClient;
use medbill_contracts::medbill::payments::v1::{
    CollectionCaseStatus, ExportPlacementsRequest, GenerateStatementsRequest, GetAccountRequest,
    GetKpisRequest, ListCollectionCasesRequest, PaymentMethod, PlaceWithAgencyRequest,
    RecallFromAgencyRequest, RecordAgencyPaymentRequest, RecordPatientPaymentRequest,
    UpsertCollectionAgencyRequest, WriteOffBadDebtRequest,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, account_totals, audit, claim, claim_audit, count, date, figures, id, ingest,
    money, start_with_billing, wait_for_charges,
};
use tonic::Code;

fn collector<T>(message: T) -> tonic::Request<T> {
    authorized(message, "collector", &[Role::Collector])
}

fn manager<T>(message: T) -> tonic::Request<T> {
    authorized(message, "manager", &[Role::Manager])
}

/// An account owing $80.00 on a $200.00 claim served Jul 1 2026; returns
/// (account, claim).
async fn owing(h: &Harness) -> (String, String) {
    let account = id();
    let mut c = claim("PCN-CO1", &id(), &account, &[Line("99213", &[], 20_000, 1)]);
    c.lines[0].date_of_service = date(2026, 7, 1);
    c.first_date_of_service = date(2026, 7, 1);
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, 20_000).await;
    let remit = Remit {
        trace: "TRN-CO1",
        total: None,
        claims: vec![Clp {
            pcn: "PCN-CO1",
            status: "1",
            charge: 20_000,
            paid: 10_000,
            patient_responsibility: 8_000,
            icn: "ICN-CO",
            cas: vec![],
            services: vec![Svc {
                procedure: "99213",
                charge: 20_000,
                paid: 10_000,
                day: None,
                control: Some("PCN-CO1-1".into()),
                cas: vec![("CO", "45", 2_000), ("PR", "1", 8_000)],
            }],
        }],
        plb: vec![],
    };
    ingest(&h.service, &remit.render()).await.unwrap();
    (account, c.claim_id)
}

async fn statements(service: &RunningService, y: i32, m: i32, d: i32) {
    StatementServiceClient::new(service.channel().await)
        .generate_statements(collector(GenerateStatementsRequest {
            as_of: date(y, m, d),
            minimum_balance: None,
        }))
        .await
        .unwrap();
}

async fn patient_balance(service: &RunningService, account: &str) -> i64 {
    AccountServiceClient::new(service.channel().await)
        .get_account(collector(GetAccountRequest {
            account_id: account.to_string(),
            patient_mrn: String::new(),
        }))
        .await
        .unwrap()
        .into_inner()
        .patient_balance
        .unwrap()
        .cents
}

backend_tests!(
    a_placed_account_pays_through_the_agency_net_of_its_fee_then_a_write_off_and_a_recovery_keep_the_ledger_balanced,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (account, claim_id) = owing(&h).await;
        let mut client = CollectionsServiceClient::new(h.service.channel().await);
        let agency = UpsertCollectionAgencyRequest {
            agency_id: "ACME-COLL".into(),
            name: "Acme Collections".into(),
            fee_rate: "0.25".into(),
        };
        let err = client
            .upsert_collection_agency(collector(agency.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
        let stored = client
            .upsert_collection_agency(manager(agency))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stored.fee_rate, "0.25");

        let place = || PlaceWithAgencyRequest {
            account_id: account.clone(),
            agency: "ACME-COLL".into(),
            note: "final notice unanswered".into(),
        };
        // Before the final notice the account cannot be placed.
        statements(&h.service, 2026, 11, 30).await;
        let err = client.place_with_agency(collector(place())).await.unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        for (y, m, d) in [(2026, 12, 31), (2027, 1, 31), (2027, 3, 3)] {
            statements(&h.service, y, m, d).await;
        }
        let case = client
            .place_with_agency(collector(place()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(case.status, CollectionCaseStatus::Placed as i32);
        assert_eq!(case.placed_balance.unwrap().cents, 8_000);
        assert_eq!(case.oldest_date_of_service, date(2026, 7, 1));
        assert_eq!(case.placed_on, date(2026, 11, 30));
        let err = client.place_with_agency(collector(place())).await.unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        // The agency works it now: no more statements, and the account says
        // it is in collections.
        let run = StatementServiceClient::new(h.service.channel().await)
            .generate_statements(collector(GenerateStatementsRequest {
                as_of: date(2027, 4, 3),
                minimum_balance: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(run.statements_created, 0);
        let viewed = AccountServiceClient::new(h.service.channel().await)
            .get_account(collector(GetAccountRequest {
                account_id: account.clone(),
                patient_mrn: String::new(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(viewed.in_collections);

        let export = client
            .export_placements(collector(ExportPlacementsRequest {
                agency: "ACME-COLL".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(export.rows, 1);
        assert_eq!(
            String::from_utf8(export.csv).unwrap(),
            format!(
                "account_id,guarantor_name,address,balance,oldest_dos,placed_date\r\n\
                 {account},JANE DOE,\"1 MAIN ST, ALBANY, NY 12207\",80.00,2026-07-01,2026-11-30\r\n"
            )
        );

        // The agency collects $40.00 and keeps 25%: $10.00 fee, $30.00 cash.
        let cash_before = account_totals(&h.service).await["cash"];
        let pay = RecordAgencyPaymentRequest {
            case_id: case.case_id.clone(),
            gross: money(4_000),
            received_on: None,
            idempotency_key: "agency-1".into(),
        };
        let posted = client
            .record_agency_payment(collector(pay.clone()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (posted.gross.unwrap().cents, posted.fee.unwrap().cents, posted.net.unwrap().cents),
            (4_000, 1_000, 3_000)
        );
        assert!(posted.newly_posted);
        let totals = account_totals(&h.service).await;
        assert_eq!(totals["cash"] - cash_before, 3_000);
        assert_eq!(totals["collection_expense"], 1_000);
        let again = client
            .record_agency_payment(collector(pay))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.newly_posted);
        assert_eq!(account_totals(&h.service).await, totals);
        assert_eq!(patient_balance(&h.service, &account).await, 4_000);
        // charges, payments, adjustments, write-offs, insurance, patient.
        let row = claim_audit(&h.service, &claim_id).await;
        assert_eq!(figures(&row), [20_000, 14_000, 2_000, 0, 0, 4_000]);
        assert!(row.balanced);

        // A collector may not write off; nothing is recorded.
        let entries = count(&h.service, "journal_entries").await;
        let write_off = WriteOffBadDebtRequest {
            case_id: case.case_id.clone(),
            reason: "agency returned it uncollectable".into(),
        };
        let err = client
            .write_off_bad_debt(collector(write_off.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied);
        assert_eq!(count(&h.service, "journal_entries").await, entries);

        let recalled = client
            .recall_from_agency(collector(RecallFromAgencyRequest {
                case_id: case.case_id.clone(),
                reason: "agency gave up".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(recalled.status, CollectionCaseStatus::Recalled as i32);
        let written = client
            .write_off_bad_debt(manager(write_off.clone()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(written.status, CollectionCaseStatus::WrittenOff as i32);
        assert_eq!(written.written_off.unwrap().cents, 4_000);
        assert_eq!(written.approved_by, "manager");
        assert_eq!(written.recovered.unwrap().cents, 4_000);
        assert_eq!(written.agency_fees.unwrap().cents, 1_000);
        let row = claim_audit(&h.service, &claim_id).await;
        assert_eq!(figures(&row), [20_000, 14_000, 2_000, 4_000, 0, 0]);
        assert!(row.balanced);
        assert_eq!(patient_balance(&h.service, &account).await, 0);
        let err = client
            .write_off_bad_debt(manager(write_off))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);

        // The guarantor pays $15.00 after the write-off: a recovery.
        AccountServiceClient::new(h.service.channel().await)
            .record_patient_payment(authorized(
                RecordPatientPaymentRequest {
                    account_id: account.clone(),
                    amount: money(1_500),
                    method: PaymentMethod::Check as i32,
                    reference: "CHK 1001".into(),
                    idempotency_key: "late-1".into(),
                    ..Default::default()
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap();
        let totals = account_totals(&h.service).await;
        assert_eq!(totals["bad_debt_recovery"], -1_500);
        assert_eq!(totals["bad_debt_expense"], 4_000);
        assert_eq!(totals.get("unapplied_cash").copied().unwrap_or(0), 0);
        let row = claim_audit(&h.service, &claim_id).await;
        assert_eq!(figures(&row), [20_000, 15_500, 2_000, 2_500, 0, 0]);
        assert!(row.balanced);
        assert_eq!(patient_balance(&h.service, &account).await, 0);
        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_out_of_balance, 0);
        assert!(whole.unbalanced_entry_ids.is_empty());

        let listed = client
            .list_collection_cases(collector(ListCollectionCasesRequest {
                statuses: vec![CollectionCaseStatus::WrittenOff as i32],
                agency: "ACME-COLL".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .cases;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].case_id, case.case_id);
        let placed = client
            .list_collection_cases(collector(ListCollectionCasesRequest {
                statuses: vec![CollectionCaseStatus::Placed as i32],
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .cases;
        assert!(placed.is_empty());

        // Cost-to-collect inputs: $40.00 bad debt, $15.00 recovered, the
        // agency's $10.00 fee.
        let k = ReportingServiceClient::new(h.service.channel().await)
            .get_kpis(manager(GetKpisRequest { period: None }))
            .await
            .unwrap()
            .into_inner();
        let c = |m: Option<medbill_contracts::medbill::common::v1::Money>| m.unwrap().cents;
        assert_eq!(
            (c(k.bad_debt), c(k.bad_debt_recoveries), c(k.agency_fees)),
            (4_000, 1_500, 1_000)
        );
    }
);

backend_tests!(
    collections_requests_that_break_a_rule_are_refused_naming_the_field,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let mut client = CollectionsServiceClient::new(h.service.channel().await);
        let err = client
            .upsert_collection_agency(manager(UpsertCollectionAgencyRequest {
                agency_id: "A1".into(),
                name: "A".into(),
                fee_rate: "25%".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("fee_rate"), "{}", err.message());
        let err = client
            .upsert_collection_agency(manager(UpsertCollectionAgencyRequest {
                agency_id: "A 1".into(),
                name: "A".into(),
                fee_rate: "0.2".into(),
            }))
            .await
            .unwrap_err();
        assert!(err.message().starts_with("agency_id"), "{}", err.message());
        let err = client
            .place_with_agency(collector(PlaceWithAgencyRequest {
                account_id: "x".into(),
                agency: "A1".into(),
                note: String::new(),
            }))
            .await
            .unwrap_err();
        assert!(err.message().starts_with("account_id"), "{}", err.message());
        let err = client
            .place_with_agency(collector(PlaceWithAgencyRequest {
                account_id: id(),
                agency: "NOPE".into(),
                note: String::new(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        let err = client
            .record_agency_payment(collector(RecordAgencyPaymentRequest {
                case_id: id(),
                gross: money(-5),
                received_on: None,
                idempotency_key: "k".into(),
            }))
            .await
            .unwrap_err();
        assert!(err.message().starts_with("gross"), "{}", err.message());
        let err = client
            .recall_from_agency(collector(RecallFromAgencyRequest {
                case_id: "nope".into(),
                reason: "x".into(),
            }))
            .await
            .unwrap_err();
        assert!(err.message().starts_with("case_id"), "{}", err.message());
        let err = client
            .list_collection_cases(collector(ListCollectionCasesRequest {
                statuses: vec![42],
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert!(
            err.message().starts_with("statuses[0]"),
            "{}",
            err.message()
        );
        assert_eq!(count(&h.service, "collection_agencies").await, 0);
        assert_eq!(count(&h.service, "collection_cases").await, 0);
    }
);
