//! AR aging through `GetArAging`, on SQLite and PostgreSQL: four claims of
//! known dates and amounts, aged by hand as of the test clock's today
//! (2026-11-30), by payer, by guarantor account and by financial class,
//! from the date of service and from submission; the buckets add up to the
//! open balances `AuditLedger` reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::ClaimSubmitted;
use medbill_contracts::medbill::payments::v1::reporting_service_client::ReportingServiceClient;
use medbill_contracts::medbill::payments::v1::{
    AgingBasis, AgingBuckets, AgingGroupBy, AgingRow, GetArAgingRequest, GetArAgingResponse,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, audit, claim, date, figures, id, ingest, start_with_billing, wait_for_charges,
};

/// A one-line claim of `cents` to `payer` (its id and filing indicator) on
/// `account`, served on `served` and submitted on `submitted` (month, day
/// of 2026).
async fn submit(
    h: &Harness,
    pcn: &str,
    (payer, class): (&str, &str),
    account: &str,
    cents: i64,
    served: (i32, i32),
    submitted: (i32, i32),
) -> String {
    let mut c: ClaimSubmitted = claim(pcn, payer, account, &[Line("99213", &[], cents, 1)]);
    c.lines[0].date_of_service = date(2026, served.0, served.1);
    c.first_date_of_service = date(2026, served.0, served.1);
    c.submitted_on = date(2026, submitted.0, submitted.1);
    c.claim_filing_indicator = class.into();
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, cents).await;
    c.claim_id
}

async fn aging(
    service: &RunningService,
    group_by: AgingGroupBy,
    basis: AgingBasis,
) -> GetArAgingResponse {
    ReportingServiceClient::new(service.channel().await)
        .get_ar_aging(authorized(
            GetArAgingRequest {
                as_of: None,
                group_by: group_by as i32,
                basis: basis as i32,
            },
            "manager",
            &[Role::Manager],
        ))
        .await
        .unwrap()
        .into_inner()
}

/// A side's buckets as cents: 0–30, 31–60, 61–90, 91–120, 121+, total.
fn cents(b: &Option<AgingBuckets>) -> [i64; 6] {
    let b = b.as_ref().expect("buckets");
    let c = |m: &Option<medbill_contracts::medbill::common::v1::Money>| m.unwrap().cents;
    [
        c(&b.days_0_30),
        c(&b.days_31_60),
        c(&b.days_61_90),
        c(&b.days_91_120),
        c(&b.days_over_120),
        c(&b.total),
    ]
}

fn row<'a>(answer: &'a GetArAgingResponse, key: &str) -> &'a AgingRow {
    answer
        .rows
        .iter()
        .find(|r| r.responsible == key)
        .unwrap_or_else(|| panic!("no aging row {key}"))
}

backend_tests!(
    open_balances_age_into_their_buckets_by_payer_patient_and_class_and_add_up_to_the_ledger,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (acme, medicare) = (id(), id());
        let (x, y) = (id(), id());
        // C1: $100.00 to ACME (CI) on X, served Nov 10 (20 days), sent Nov 12
        // (18 days), unpaid.
        let c1 = submit(&h, "PCN-AG1", (&acme, "CI"), &x, 10_000, (11, 10), (11, 12)).await;
        // C2: $200.00 to ACME on Y, served Sep 15 (76 days), sent Oct 5 (56
        // days); the 835 pays $120.00, CO-45 $50.00, PR-2 $30.00: $30.00
        // patient balance, no insurance balance.
        let c2 = submit(&h, "PCN-AG2", (&acme, "CI"), &y, 20_000, (9, 15), (10, 5)).await;
        // C3: $300.00 to Medicare (MB) on X, served Jul 1 (152 days), sent
        // Aug 15 (107 days), unpaid.
        let c3 = submit(
            &h,
            "PCN-AG3",
            (&medicare, "MB"),
            &x,
            30_000,
            (7, 1),
            (8, 15),
        )
        .await;
        // C4: $50.00 to Medicare on Y, served Aug 20 (102 days), sent Sep 1
        // (90 days), unpaid.
        let c4 = submit(&h, "PCN-AG4", (&medicare, "MB"), &y, 5_000, (8, 20), (9, 1)).await;
        let paid = Remit {
            trace: "TRN-AGING",
            total: None,
            claims: vec![Clp {
                pcn: "PCN-AG2",
                status: "1",
                charge: 20_000,
                paid: 12_000,
                patient_responsibility: 3_000,
                icn: "ICN-AG2",
                cas: vec![],
                services: vec![Svc {
                    procedure: "99213",
                    charge: 20_000,
                    paid: 12_000,
                    day: None,
                    control: Some("PCN-AG2-1".into()),
                    cas: vec![("CO", "45", 5_000), ("PR", "2", 3_000)],
                }],
            }],
            plb: vec![],
        };
        let posted = ingest(&h.service, &paid.render()).await.unwrap();
        assert!(posted.exceptions.is_empty());

        let by_payer = aging(&h.service, AgingGroupBy::Payer, AgingBasis::DateOfService).await;
        assert_eq!(by_payer.rows.len(), 2);
        let a = row(&by_payer, &acme);
        assert_eq!(cents(&a.insurance), [10_000, 0, 0, 0, 0, 10_000]);
        assert_eq!(cents(&a.patient), [0, 0, 3_000, 0, 0, 3_000]);
        assert_eq!(a.total.unwrap().cents, 13_000);
        let m = row(&by_payer, &medicare);
        assert_eq!(cents(&m.insurance), [0, 0, 0, 5_000, 30_000, 35_000]);
        assert_eq!(cents(&m.patient), [0, 0, 0, 0, 0, 0]);
        let total = by_payer.total.as_ref().unwrap();
        assert_eq!(
            cents(&total.insurance),
            [10_000, 0, 0, 5_000, 30_000, 45_000]
        );
        assert_eq!(cents(&total.patient), [0, 0, 3_000, 0, 0, 3_000]);
        assert_eq!(total.days_61_90.unwrap().cents, 3_000);
        assert_eq!(total.total.unwrap().cents, 48_000);

        // The buckets hold exactly the open balances the ledger audit gives.
        let audited = audit(&h.service, &[&c1, &c2, &c3, &c4]).await;
        let (insurance, patient) = audited.claims.iter().fold((0, 0), |(i, p), c| {
            let f = figures(c);
            (i + f[4], p + f[5])
        });
        assert_eq!((insurance, patient), (45_000, 3_000));

        let by_patient = aging(&h.service, AgingGroupBy::Patient, AgingBasis::DateOfService).await;
        assert_eq!(
            cents(&row(&by_patient, &x).insurance),
            [10_000, 0, 0, 0, 30_000, 40_000]
        );
        assert_eq!(cents(&row(&by_patient, &x).patient), [0; 6]);
        assert_eq!(
            cents(&row(&by_patient, &y).insurance),
            [0, 0, 0, 5_000, 0, 5_000]
        );
        assert_eq!(
            cents(&row(&by_patient, &y).patient),
            [0, 0, 3_000, 0, 0, 3_000]
        );

        // From submission: C1 18 days, C2 56, C3 107, C4 90.
        let by_class = aging(
            &h.service,
            AgingGroupBy::FinancialClass,
            AgingBasis::FirstSubmission,
        )
        .await;
        assert_eq!(by_class.rows.len(), 2);
        assert_eq!(
            cents(&row(&by_class, "CI").insurance),
            [10_000, 0, 0, 0, 0, 10_000]
        );
        assert_eq!(
            cents(&row(&by_class, "CI").patient),
            [0, 3_000, 0, 0, 0, 3_000]
        );
        assert_eq!(
            cents(&row(&by_class, "MB").insurance),
            [0, 0, 5_000, 30_000, 0, 35_000]
        );
        assert_eq!(by_class.total.unwrap().total.unwrap().cents, 48_000);
    }
);

backend_tests!(
    an_aging_request_with_an_unknown_grouping_or_basis_is_refused_naming_the_field,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let mut client = ReportingServiceClient::new(h.service.channel().await);
        for (group_by, basis, field) in [(9, 0, "group_by"), (0, 9, "basis")] {
            let err = client
                .get_ar_aging(authorized(
                    GetArAgingRequest {
                        as_of: None,
                        group_by,
                        basis,
                    },
                    "manager",
                    &[Role::Manager],
                ))
                .await
                .unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument);
            assert!(err.message().contains(field), "{}", err.message());
        }
    }
);
