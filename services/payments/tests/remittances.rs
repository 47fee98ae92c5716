//! 835 posting through `IngestRemittance`, on SQLite and PostgreSQL, with
//! every cent worked out by hand in the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::payments::v1::{
    ExceptionReason, RemittancePosted, RemittanceStatus,
};
use medbill_platform::backend_tests;
use medbill_platform::testing::TestDatabase;
use prost::Message;
use support::x835::{Clp, Remit, Svc};
use support::{
    Line, account_totals, audit, claim, claim_audit, count, figures, id, ingest,
    start_with_billing, wait_for_charges,
};

fn svc(
    procedure: &'static str,
    charge: i64,
    paid: i64,
    day: Option<u32>,
    control: Option<&str>,
    cas: Vec<(&'static str, &'static str, i64)>,
) -> Svc {
    Svc {
        procedure,
        charge,
        paid,
        day,
        control: control.map(str::to_string),
        cas,
    }
}

/// The earlier payment of PCN-REV that the big file reverses: $100.00
/// charged, $70.00 paid, $30.00 CO-45.
fn earlier_payment() -> Remit {
    Remit {
        trace: "TRN-EARLY",
        total: None,
        claims: vec![Clp {
            pcn: "PCN-REV",
            status: "1",
            charge: 10_000,
            paid: 7_000,
            patient_responsibility: 0,
            icn: "ICN-4",
            cas: vec![],
            services: vec![svc(
                "99213",
                10_000,
                7_000,
                Some(6),
                Some("PCN-REV-1"),
                vec![("CO", "45", 3_000)],
            )],
        }],
        plb: vec![],
    }
}

/// One 835 with a paid claim, a partly paid claim (CO-45, PR-1/2/3, a line
/// whose modifier the payer dropped), a denied claim, a reversal with its
/// corrected claim, a claim we never sent, and PLB WO and L6.
fn the_file() -> Remit {
    Remit {
        trace: "TRN-MAIN",
        total: None,
        claims: vec![
            // Paid: $125.00 charged, $100.00 paid, $25.00 CO-45.
            Clp {
                pcn: "PCN-PAID",
                status: "1",
                charge: 12_500,
                paid: 10_000,
                patient_responsibility: 0,
                icn: "ICN-1",
                cas: vec![],
                services: vec![
                    svc(
                        "99213",
                        10_000,
                        8_000,
                        Some(1),
                        Some("PCN-PAID-1"),
                        vec![("CO", "45", 2_000)],
                    ),
                    svc(
                        "36415",
                        2_500,
                        2_000,
                        Some(1),
                        Some("PCN-PAID-2"),
                        vec![("CO", "45", 500)],
                    ),
                ],
            },
            // Partly paid: line 1 $200.00 = $90.00 paid + CO-45 $40.00 +
            // PR-1 $50.00 + PR-2 $20.00; line 2 $150.00 = $100.00 paid +
            // CO-45 $30.00 + PR-3 $20.00, sent back without its RT modifier
            // and without REF*6R.
            Clp {
                pcn: "PCN-PART",
                status: "1",
                charge: 35_000,
                paid: 19_000,
                patient_responsibility: 9_000,
                icn: "ICN-2",
                cas: vec![],
                services: vec![
                    svc(
                        "99214:25",
                        20_000,
                        9_000,
                        Some(2),
                        Some("PCN-PART-1"),
                        vec![("CO", "45", 4_000), ("PR", "1", 5_000), ("PR", "2", 2_000)],
                    ),
                    svc(
                        "20610",
                        15_000,
                        10_000,
                        Some(2),
                        None,
                        vec![("CO", "45", 3_000), ("PR", "3", 2_000)],
                    ),
                ],
            },
            // Denied: $300.00, CO-50, nothing paid.
            Clp {
                pcn: "PCN-DENY",
                status: "4",
                charge: 30_000,
                paid: 0,
                patient_responsibility: 0,
                icn: "ICN-3",
                cas: vec![],
                services: vec![svc(
                    "99215",
                    30_000,
                    0,
                    Some(3),
                    Some("PCN-DENY-1"),
                    vec![("CO", "50", 30_000)],
                )],
            },
            // The reversal of the earlier $70.00 payment ...
            Clp {
                pcn: "PCN-REV",
                status: "22",
                charge: -10_000,
                paid: -7_000,
                patient_responsibility: 0,
                icn: "ICN-4",
                cas: vec![],
                services: vec![svc(
                    "99213",
                    -10_000,
                    -7_000,
                    Some(6),
                    Some("PCN-REV-1"),
                    vec![("CO", "45", -3_000)],
                )],
            },
            // ... and the corrected claim: $75.00 paid, CO-45 $15.00, PR-2
            // $10.00.
            Clp {
                pcn: "PCN-REV",
                status: "1",
                charge: 10_000,
                paid: 7_500,
                patient_responsibility: 1_000,
                icn: "ICN-4B",
                cas: vec![],
                services: vec![svc(
                    "99213",
                    10_000,
                    7_500,
                    Some(6),
                    Some("PCN-REV-1"),
                    vec![("CO", "45", 1_500), ("PR", "2", 1_000)],
                )],
            },
            // A claim we never sent: $40.00 waits in unapplied cash.
            Clp {
                pcn: "PCN-UNKNOWN",
                status: "1",
                charge: 5_000,
                paid: 4_000,
                patient_responsibility: 0,
                icn: "ICN-5",
                cas: vec![],
                services: vec![svc(
                    "99212",
                    5_000,
                    4_000,
                    Some(4),
                    None,
                    vec![("CO", "45", 1_000)],
                )],
            },
        ],
        // WO: $10.00 recouped; L6: $2.50 interest paid to us.
        plb: vec![("WO", "ICN-0990", 1_000), ("L6", "ICN-1", -250)],
    }
}

backend_tests!(
    one_835_posts_payments_adjustments_patient_shares_denial_reversal_and_plb_to_the_cent,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        let claims = [
            claim(
                "PCN-PAID",
                &payer,
                &account,
                &[Line("99213", &[], 10_000, 1), Line("36415", &[], 2_500, 1)],
            ),
            claim(
                "PCN-PART",
                &payer,
                &account,
                &[
                    Line("99214", &["25"], 20_000, 2),
                    Line("20610", &["RT"], 15_000, 2),
                ],
            ),
            claim(
                "PCN-DENY",
                &payer,
                &account,
                &[Line("99215", &[], 30_000, 3)],
            ),
            claim(
                "PCN-REV",
                &payer,
                &account,
                &[Line("99213", &[], 10_000, 6)],
            ),
        ];
        for c in &claims {
            h.billing.publish(&c.claim_id, c).await;
        }
        let [paid, part, deny, rev] = claims.map(|c| c.claim_id);
        wait_for_charges(&h.service, &rev, 10_000).await;
        let early = ingest(&h.service, &earlier_payment().render())
            .await
            .unwrap();
        assert!(early.newly_posted);
        assert_eq!(
            figures(&claim_audit(&h.service, &rev).await),
            [10_000, 7_000, 3_000, 0, 0, 0]
        );

        let file = the_file().render();
        let posted = ingest(&h.service, &file).await.unwrap();
        assert!(posted.newly_posted);
        // BPR02 = ΣCLP04 − ΣPLB = (100 + 190 + 0 − 70 + 75 + 40) − (10 − 2.50).
        assert_eq!(posted.total_paid.unwrap().cents, 32_750);
        assert_eq!(posted.status, RemittanceStatus::PartiallyPosted as i32);

        // charges, payments, adjustments, write-offs, insurance, patient.
        assert_eq!(
            figures(&claim_audit(&h.service, &paid).await),
            [12_500, 10_000, 2_500, 0, 0, 0]
        );
        assert_eq!(
            figures(&claim_audit(&h.service, &part).await),
            [35_000, 19_000, 7_000, 0, 0, 9_000]
        );
        // The denial is worked, not written off: the payer still owes it.
        assert_eq!(
            figures(&claim_audit(&h.service, &deny).await),
            [30_000, 0, 0, 0, 30_000, 0]
        );
        // 70 − 70 + 75 paid; 30 − 30 + 15 adjusted; 10 to the patient.
        assert_eq!(
            figures(&claim_audit(&h.service, &rev).await),
            [10_000, 7_500, 1_500, 0, 0, 1_000]
        );

        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_checked, 4);
        assert_eq!(whole.claims_out_of_balance, 0, "{:?}", whole.claims);
        assert!(whole.unbalanced_entry_ids.is_empty());

        let totals = account_totals(&h.service).await;
        // Cash: 70 earlier + 327.50 now.
        assert_eq!(totals["cash"], 7_000 + 32_750);
        assert_eq!(totals["unapplied_cash"], -4_000);
        assert_eq!(totals["plb_recoveries"], 1_000);
        assert_eq!(totals["interest"], -250);
        assert_eq!(totals.values().sum::<i64>(), 0);

        // Line 2 of PCN-PART matched without REF*6R or its modifier.
        let part_payment = &posted.claims[1];
        assert_eq!(part_payment.claim_id, part);
        let lines: Vec<u32> = part_payment
            .services
            .iter()
            .map(|s| s.matched_line_number)
            .collect();
        assert_eq!(lines, vec![1, 2]);

        assert_eq!(posted.exceptions.len(), 1);
        let exception = &posted.exceptions[0];
        assert_eq!(exception.patient_control_number, "PCN-UNKNOWN");
        assert_eq!(
            exception.reason,
            ExceptionReason::UnknownPatientControlNumber as i32
        );
        assert_eq!(exception.paid.unwrap().cents, 4_000);

        // One RemittancePosted per posted claim payment: 1 earlier + 5 now.
        assert_eq!(count(&h.service, "outbox_events").await, 6);
        let payload: Vec<u8> =
            sqlx::query_scalar("SELECT payload FROM outbox_events WHERE aggregate_id = $1")
                .bind(&part)
                .fetch_one(h.service.db().pool())
                .await
                .unwrap();
        let event = RemittancePosted::decode(payload.as_slice()).unwrap();
        let payment = event.payment.unwrap();
        assert_eq!(payment.payer_claim_number, "ICN-2");
        assert_eq!(event.trace_number, "TRN-MAIN");
        let line_one: Vec<(String, String, i64)> = payment.services[0]
            .adjustments
            .iter()
            .map(|a| {
                (
                    a.group_code.clone(),
                    a.reason_code.clone(),
                    a.amount.unwrap().cents,
                )
            })
            .collect();
        assert_eq!(
            line_one,
            vec![
                ("CO".into(), "45".into(), 4_000),
                ("PR".into(), "1".into(), 5_000),
                ("PR".into(), "2".into(), 2_000)
            ]
        );

        // The same file again posts nothing and answers the first result.
        let entries = whole.entries_checked;
        let again = ingest(&h.service, &file).await.unwrap();
        assert!(!again.newly_posted);
        assert_eq!(again.remittance_id, posted.remittance_id);
        assert_eq!(again.claims[1].services[1].matched_line_number, 2);
        assert_eq!(again.exceptions.len(), 1);
        assert_eq!(audit(&h.service, &[]).await.entries_checked, entries);
        assert_eq!(account_totals(&h.service).await, totals);
        assert_eq!(count(&h.service, "outbox_events").await, 6);
        h.service.stop().await;
    }
);

backend_tests!(
    a_payment_that_came_before_its_claim_is_posted_when_the_claim_arrives,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        // The 835 first: $100.00 charged, $80.00 paid, $20.00 CO-45, for a
        // control number payments has not heard of.
        let early = Remit {
            trace: "TRN-EARLY-835",
            total: None,
            claims: vec![Clp {
                pcn: "PCN-LATE",
                status: "1",
                charge: 10_000,
                paid: 8_000,
                patient_responsibility: 0,
                icn: "ICN-L",
                cas: vec![],
                services: vec![svc(
                    "99213",
                    10_000,
                    8_000,
                    Some(1),
                    Some("PCN-LATE-1"),
                    vec![("CO", "45", 2_000)],
                )],
            }],
            plb: vec![],
        };
        let posted = ingest(&h.service, &early.render()).await.unwrap();
        assert_eq!(posted.exceptions.len(), 1);
        assert_eq!(account_totals(&h.service).await["unapplied_cash"], -8_000);
        let open_exceptions = "SELECT COUNT(*) FROM remittance_exceptions WHERE posted_at IS NULL";
        let open = |service: &medbill_platform::testing::RunningService| {
            let pool = service.db().pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>(open_exceptions)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(open(&h.service).await, 1);

        // A claim with another control number leaves it parked.
        let other = claim(
            "PCN-OTHER",
            &payer,
            &account,
            &[Line("99213", &[], 10_000, 1)],
        );
        h.billing.publish(&other.claim_id, &other).await;
        wait_for_charges(&h.service, &other.claim_id, 10_000).await;
        assert_eq!(open(&h.service).await, 1);

        // Its claim arrives: the payment is posted to it as ingestion would
        // have, once, and billing hears of it.
        let late = claim(
            "PCN-LATE",
            &payer,
            &account,
            &[Line("99213", &[], 10_000, 1)],
        );
        h.billing.publish(&late.claim_id, &late).await;
        wait_for_charges(&h.service, &late.claim_id, 10_000).await;
        assert_eq!(
            figures(&claim_audit(&h.service, &late.claim_id).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        assert_eq!(open(&h.service).await, 0);
        let totals = account_totals(&h.service).await;
        assert_eq!(totals["unapplied_cash"], 0);
        assert_eq!(totals["cash"], 8_000);
        assert_eq!(totals.values().sum::<i64>(), 0);
        let payload: Vec<u8> =
            sqlx::query_scalar("SELECT payload FROM outbox_events WHERE aggregate_id = $1")
                .bind(&late.claim_id)
                .fetch_one(h.service.db().pool())
                .await
                .unwrap();
        let event = RemittancePosted::decode(payload.as_slice()).unwrap();
        assert_eq!(event.payment.unwrap().paid.unwrap().cents, 8_000);
        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_out_of_balance, 0, "{:?}", whole.claims);
        assert!(whole.unbalanced_entry_ids.is_empty());

        // The same 835 again posts nothing more.
        let again = ingest(&h.service, &early.render()).await.unwrap();
        assert!(!again.newly_posted);
        assert_eq!(account_totals(&h.service).await, totals);
        h.service.stop().await;
    }
);
