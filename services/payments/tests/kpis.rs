//! Revenue-cycle KPIs through `GetKpis`, on SQLite and PostgreSQL, against
//! figures worked out by hand: three claims submitted Oct 20 2026 ($1,000,
//! $500, $300), an 835 paid Nov 5 that pays the first ($600 paid, $300
//! CO-45, $100 PR) and denies the third (CLP02 4), and a $40 patient
//! payment on Nov 30 (the test clock's today).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::common::v1::DateRange;
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::reporting_service_client::ReportingServiceClient;
use medbill_contracts::medbill::payments::v1::{
    GetKpisRequest, GetKpisResponse, PaymentMethod, RecordPatientPaymentRequest,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, claim, date, id, ingest, money, start_with_billing, wait_for_charges,
};
use tonic::Code;

async fn submit(h: &Harness, pcn: &str, account: &str, cents: i64, served: (i32, i32)) {
    let mut c = claim(pcn, &id(), account, &[Line("99213", &[], cents, 1)]);
    c.lines[0].date_of_service = date(2026, served.0, served.1);
    c.first_date_of_service = date(2026, served.0, served.1);
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, cents).await;
}

async fn kpis(
    service: &RunningService,
    period: Option<DateRange>,
) -> Result<GetKpisResponse, tonic::Status> {
    ReportingServiceClient::new(service.channel().await)
        .get_kpis(authorized(
            GetKpisRequest { period },
            "manager",
            &[Role::Manager],
        ))
        .await
        .map(|r| r.into_inner())
}

fn cents(m: Option<medbill_contracts::medbill::common::v1::Money>) -> i64 {
    m.unwrap().cents
}

backend_tests!(
    kpis_match_the_figures_worked_out_by_hand,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = id();
        submit(&h, "PCN-K1", &account, 100_000, (10, 1)).await;
        submit(&h, "PCN-K2", &account, 50_000, (8, 1)).await;
        submit(&h, "PCN-K3", &account, 30_000, (11, 10)).await;
        let remit = Remit {
            trace: "TRN-KPI",
            total: None,
            claims: vec![
                Clp {
                    pcn: "PCN-K1",
                    status: "1",
                    charge: 100_000,
                    paid: 60_000,
                    patient_responsibility: 10_000,
                    icn: "ICN-K1",
                    cas: vec![],
                    services: vec![Svc {
                        procedure: "99213",
                        charge: 100_000,
                        paid: 60_000,
                        day: None,
                        control: Some("PCN-K1-1".into()),
                        cas: vec![("CO", "45", 30_000), ("PR", "1", 10_000)],
                    }],
                },
                Clp {
                    pcn: "PCN-K3",
                    status: "4",
                    charge: 30_000,
                    paid: 0,
                    patient_responsibility: 0,
                    icn: "ICN-K3",
                    cas: vec![],
                    services: vec![Svc {
                        procedure: "99213",
                        charge: 30_000,
                        paid: 0,
                        day: None,
                        control: Some("PCN-K3-1".into()),
                        cas: vec![("CO", "50", 30_000)],
                    }],
                },
            ],
            plb: vec![],
        };
        assert!(
            ingest(&h.service, &remit.render())
                .await
                .unwrap()
                .exceptions
                .is_empty()
        );
        AccountServiceClient::new(h.service.channel().await)
            .record_patient_payment(authorized(
                RecordPatientPaymentRequest {
                    account_id: account.clone(),
                    amount: money(4_000),
                    method: PaymentMethod::Card as i32,
                    reference: "AUTH".into(),
                    idempotency_key: "kpi-pay".into(),
                    ..Default::default()
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap();

        // The default period: the 90 days ending today, Sep 2 to Nov 30.
        let k = kpis(&h.service, None).await.unwrap();
        let period = k.period.unwrap();
        assert_eq!(
            (period.start, period.end),
            (date(2026, 9, 2), date(2026, 11, 30))
        );
        // Charges $1,800; payments $600 + $40; contractual $300 (the denied
        // claim's CO is not written off).
        assert_eq!(cents(k.gross_charges), 180_000);
        assert_eq!(cents(k.payments), 64_000);
        assert_eq!(cents(k.adjustments), 30_000);
        // 640 / (1800 − 300) = 0.42666…; 640 / 1800 = 0.35555…
        assert_eq!(k.net_collection_rate, "0.4267");
        assert_eq!(k.gross_collection_rate, "0.3556");
        // Denied $300 of $1,300 adjudicated: 0.230769…
        assert_eq!(
            (cents(k.denied_charges), cents(k.adjudicated_charges)),
            (30_000, 130_000)
        );
        assert_eq!(k.denial_rate_by_dollars, "0.2308");
        // AR: K1 $60 patient, K2 $500 and K3 $300 insurance: $860. K2 was
        // served Aug 1, 121 days ago: $500 over 90 days.
        assert_eq!(
            (
                cents(k.total_ar),
                cents(k.insurance_ar),
                cents(k.patient_ar)
            ),
            (86_000, 80_000, 6_000)
        );
        assert_eq!(cents(k.ar_over_90_days), 50_000);
        assert_eq!(k.ar_over_90_days_ratio, "0.5814");
        assert_eq!(k.patient_ar_ratio, "0.0698");
        // $1,800 over 90 days is $20.00 a day: $860 is 43 days.
        assert_eq!(cents(k.charges_last_90_days), 180_000);
        assert_eq!(k.days_in_ar, "43.0000");
        assert_eq!(cents(k.bad_debt), 0);
        assert_eq!(cents(k.agency_fees), 0);

        // November alone: no charges (gross rate undefined), the same
        // payments and denials; days in AR still looks back 90 days.
        let november = kpis(
            &h.service,
            Some(DateRange {
                start: date(2026, 11, 1),
                end: None,
            }),
        )
        .await
        .unwrap();
        assert_eq!(cents(november.gross_charges), 0);
        assert_eq!(cents(november.payments), 64_000);
        assert_eq!(november.gross_collection_rate, "");
        assert_eq!(november.denial_rate_by_dollars, "0.2308");
        assert_eq!(november.days_in_ar, "43.0000");

        let err = kpis(
            &h.service,
            Some(DateRange {
                start: date(2026, 11, 30),
                end: date(2026, 11, 1),
            }),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("period.end"), "{}", err.message());
    }
);
