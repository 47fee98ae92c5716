//! What `IngestRemittance` refuses, what it posts once, and what it queues
//! as exceptions, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::ClaimVoided;
use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_contracts::medbill::payments::v1::{
    ExceptionReason, ListRemittanceExceptionsRequest, PostExceptionRequest,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized, eventually};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, audit, claim, claim_audit, count, figures, id, ingest, start_with_billing,
    wait_for_charges,
};
use tonic::Code;

/// One claim, PCN `pcn`: one $100.00 99213 line on October 1.
async fn one_claim(h: &Harness, pcn: &str) -> String {
    let c = claim(pcn, &id(), &id(), &[Line("99213", &[], 10_000, 1)]);
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, 10_000).await;
    c.claim_id
}

/// A balanced file paying `pcn` $80.00 with $20.00 CO-45.
fn paying(pcn: &'static str, trace: &'static str, procedure: &'static str, day: u32) -> Remit {
    Remit {
        trace,
        total: None,
        claims: vec![Clp {
            pcn,
            status: "1",
            charge: 10_000,
            paid: 8_000,
            patient_responsibility: 0,
            icn: "ICN-9",
            cas: vec![],
            services: vec![Svc {
                procedure,
                charge: 10_000,
                paid: 8_000,
                day: Some(day),
                control: None,
                cas: vec![("CO", "45", 2_000)],
            }],
        }],
        plb: vec![],
    }
}

backend_tests!(
    a_malformed_or_unbalanced_835_is_refused_naming_segment_and_position_and_posts_nothing,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let claim_id = one_claim(&h, "PCN-BAD").await;
        let good = paying("PCN-BAD", "TRN-BAD", "99213", 1).render();

        let malformed = good.replace("SE*", "SE*9");
        let status = ingest(&h.service, &malformed).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with("content: segment "),
            "{}",
            status.message()
        );
        assert!(
            status.message().contains("(SE) at byte "),
            "{}",
            status.message()
        );

        // BPR02 says $80.01 where the claims pay $80.00.
        let mut unbalanced = paying("PCN-BAD", "TRN-BAD", "99213", 1);
        unbalanced.total = Some(8_001);
        let status = ingest(&h.service, &unbalanced.render()).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().contains("unbalanced at byte "),
            "{}",
            status.message()
        );
        assert!(
            status.message().contains("segment 4 (BPR)"),
            "{}",
            status.message()
        );

        assert_eq!(count(&h.service, "remittances").await, 0);
        assert_eq!(audit(&h.service, &[]).await.entries_checked, 1);
        assert_eq!(
            figures(&claim_audit(&h.service, &claim_id).await),
            [10_000, 0, 0, 0, 10_000, 0]
        );
        // The good file still posts afterwards.
        assert!(ingest(&h.service, &good).await.unwrap().newly_posted);
        h.service.stop().await;
    }
);

backend_tests!(
    the_same_payer_and_trace_in_another_file_posts_nothing,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let claim_id = one_claim(&h, "PCN-TRN").await;
        let first = ingest(
            &h.service,
            &paying("PCN-TRN", "TRN-ONCE", "99213", 1).render(),
        )
        .await
        .unwrap();
        // Same payer (TRN03) and trace (TRN02), different bytes.
        let resent = paying("PCN-TRN", "TRN-ONCE", "99213", 1)
            .render()
            .replace("DTM*405*20261104", "DTM*405*20261105");
        let second = ingest(&h.service, &resent).await.unwrap();
        assert!(first.newly_posted && !second.newly_posted);
        assert_eq!(second.remittance_id, first.remittance_id);
        assert_eq!(
            figures(&claim_audit(&h.service, &claim_id).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        h.service.stop().await;
    }
);

backend_tests!(
    sixteen_concurrent_ingestions_of_one_file_post_it_once,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let claim_id = one_claim(&h, "PCN-RACE").await;
        let file = paying("PCN-RACE", "TRN-RACE", "99213", 1).render();
        let service = &h.service;
        let results = futures::future::join_all((0..16).map(|_| ingest(service, &file))).await;
        let results: Vec<_> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results.iter().filter(|r| r.newly_posted).count(), 1);
        assert!(
            results
                .iter()
                .all(|r| r.remittance_id == results[0].remittance_id)
        );
        assert_eq!(count(&h.service, "remittances").await, 1);
        assert_eq!(count(&h.service, "outbox_events").await, 1);
        assert_eq!(
            figures(&claim_audit(&h.service, &claim_id).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        // Opened once, posted once.
        assert_eq!(audit(&h.service, &[]).await.entries_checked, 2);
        h.service.stop().await;
    }
);

backend_tests!(
    the_payers_reversal_of_a_claim_billing_replaced_posts_and_leaves_the_replacement_owing,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let original = one_claim(&h, "PCN-REV").await;
        let replacement = one_claim(&h, "PCN-REV2").await;
        ingest(
            &h.service,
            &paying("PCN-REV", "TRN-REV1", "99213", 1).render(),
        )
        .await
        .unwrap();
        assert_eq!(
            figures(&claim_audit(&h.service, &original).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        // Billing sends a corrected claim: the original is replaced.
        h.billing
            .publish(
                &original,
                &ClaimVoided {
                    claim_id: original.clone(),
                    reason: "replaced".into(),
                    replaced_by_claim_id: replacement.clone(),
                },
            )
            .await;
        eventually("the original voided", || async {
            let status: String =
                sqlx::query_scalar("SELECT status FROM claims WHERE claim_id = $1")
                    .bind(&original)
                    .fetch_one(h.service.db().pool())
                    .await
                    .unwrap();
            (status == "voided").then_some(())
        })
        .await;
        // The payer takes back the original's payment (CLP02 22) and pays
        // the replacement in the same file.
        let reversal = Remit {
            trace: "TRN-REV2",
            total: None,
            claims: vec![
                Clp {
                    pcn: "PCN-REV",
                    status: "22",
                    charge: -10_000,
                    paid: -8_000,
                    patient_responsibility: 0,
                    icn: "ICN-9",
                    cas: vec![],
                    services: vec![Svc {
                        procedure: "99213",
                        charge: -10_000,
                        paid: -8_000,
                        day: Some(1),
                        control: None,
                        cas: vec![("CO", "45", -2_000)],
                    }],
                },
                paying("PCN-REV2", "", "99213", 1).claims.remove(0),
            ],
            plb: vec![],
        };
        let posted = ingest(&h.service, &reversal.render()).await.unwrap();
        assert!(posted.exceptions.is_empty(), "{:?}", posted.exceptions);
        // The original: payment and adjustment undone, and what that put
        // back on the payer's balance closed with the claim.
        let row = claim_audit(&h.service, &original).await;
        assert_eq!(figures(&row), [0, 0, 0, 0, 0, 0]);
        assert!(row.balanced);
        assert_eq!(
            figures(&claim_audit(&h.service, &replacement).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_out_of_balance, 0);
        assert!(whole.unbalanced_entry_ids.is_empty());
        h.service.stop().await;
    }
);

backend_tests!(
    a_secondary_claim_takes_over_what_the_primary_left_to_the_patient_and_its_835_settles_it,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = id();
        let lines = [Line("99213", &[], 15_000, 1), Line("36415", &[], 2_500, 1)];
        let primary = claim("PCN-COB-1", &id(), &account, &lines);
        let primary_id = primary.claim_id.clone();
        h.billing.publish(&primary_id, &primary).await;
        wait_for_charges(&h.service, &primary_id, 17_500).await;
        let svc = |procedure, charge, paid, cas| Svc {
            procedure,
            charge,
            paid,
            day: Some(1),
            control: None,
            cas,
        };
        // The primary: $90.00 paid, CO-45 $60.00, the patient $25.00.
        let first = Remit {
            trace: "TRN-COB-1",
            total: None,
            claims: vec![Clp {
                pcn: "PCN-COB-1",
                status: "1",
                charge: 17_500,
                paid: 9_000,
                patient_responsibility: 2_500,
                icn: "ICN-P",
                cas: vec![],
                services: vec![
                    svc(
                        "99213",
                        15_000,
                        9_000,
                        vec![("CO", "45", 4_000), ("PR", "1", 2_000)],
                    ),
                    svc(
                        "36415",
                        2_500,
                        0,
                        vec![("CO", "45", 2_000), ("PR", "2", 500)],
                    ),
                ],
            }],
            plb: vec![],
        };
        ingest(&h.service, &first.render()).await.unwrap();
        assert_eq!(
            figures(&claim_audit(&h.service, &primary_id).await),
            [17_500, 9_000, 6_000, 0, 0, 2_500]
        );
        // Billed to the secondary payer: the $25.00 moves from the patient
        // to that payer, on the same receivable.
        let mut secondary = claim("PCN-COB-2", &id(), &account, &lines);
        secondary.payer_rank = 2;
        secondary.primary_claim_id = primary_id.clone();
        h.billing.publish(&secondary.claim_id, &secondary).await;
        let row = eventually("the patient share billed to the secondary", || async {
            let row = claim_audit(&h.service, &primary_id).await;
            (figures(&row)[4] == 2_500).then_some(row)
        })
        .await;
        assert_eq!(figures(&row), [17_500, 9_000, 6_000, 0, 2_500, 0]);
        assert!(row.balanced);
        // The secondary pays $20.00; the prior payer's part is OA-23 and
        // posts nothing; $5.00 is the patient's again.
        let second = Remit {
            trace: "TRN-COB-2",
            total: None,
            claims: vec![Clp {
                pcn: "PCN-COB-2",
                status: "2",
                charge: 17_500,
                paid: 2_000,
                patient_responsibility: 500,
                icn: "ICN-S",
                cas: vec![],
                services: vec![
                    svc("99213", 15_000, 2_000, vec![("OA", "23", 13_000)]),
                    svc(
                        "36415",
                        2_500,
                        0,
                        vec![("OA", "23", 2_000), ("PR", "2", 500)],
                    ),
                ],
            }],
            plb: vec![],
        };
        let posted = ingest(&h.service, &second.render()).await.unwrap();
        assert!(posted.exceptions.is_empty(), "{:?}", posted.exceptions);
        let row = claim_audit(&h.service, &primary_id).await;
        assert_eq!(figures(&row), [17_500, 11_000, 6_000, 0, 0, 500]);
        assert!(row.balanced);
        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_out_of_balance, 0);
        assert!(whole.unbalanced_entry_ids.is_empty());
        h.service.stop().await;
    }
);

backend_tests!(
    claim_payments_that_cannot_be_matched_wait_in_exceptions_with_their_reason,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let line_claim = one_claim(&h, "PCN-LINE").await;
        let voided_claim = one_claim(&h, "PCN-VOID").await;
        h.billing
            .publish(
                &voided_claim,
                &ClaimVoided {
                    claim_id: voided_claim.clone(),
                    reason: "entered in error".into(),
                    replaced_by_claim_id: String::new(),
                },
            )
            .await;
        wait_for_charges(&h.service, &voided_claim, 0).await;

        // A line the claim does not have (99214 instead of 99213), a voided
        // claim, and a patient control number billing never sent.
        let mut file = paying("PCN-LINE", "TRN-EXC", "99214", 1);
        file.claims
            .extend(paying("PCN-VOID", "", "99213", 1).claims);
        file.claims
            .extend(paying("PCN-NONE", "", "99213", 1).claims);
        let posted = ingest(&h.service, &file.render()).await.unwrap();
        assert!(posted.claims.iter().all(|c| c.claim_id.is_empty()));

        let mut client = RemittanceServiceClient::new(h.service.channel().await);
        let listed = client
            .list_remittance_exceptions(authorized(
                ListRemittanceExceptionsRequest {
                    remittance_id: posted.remittance_id.clone(),
                    page: None,
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap()
            .into_inner();
        let seen: Vec<(String, i32, String)> = listed
            .exceptions
            .iter()
            .map(|e| {
                (
                    e.patient_control_number.clone(),
                    e.reason,
                    e.claim_id.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "PCN-LINE".into(),
                    ExceptionReason::LineNotFound as i32,
                    line_claim.clone()
                ),
                (
                    "PCN-VOID".into(),
                    ExceptionReason::ClaimVoided as i32,
                    voided_claim.clone()
                ),
                (
                    "PCN-NONE".into(),
                    ExceptionReason::UnknownPatientControlNumber as i32,
                    String::new()
                ),
            ]
        );
        assert!(
            listed.exceptions[0].detail.contains("99214"),
            "{}",
            listed.exceptions[0].detail
        );
        // Nothing reached the claims; the $240.00 waits in unapplied cash.
        assert_eq!(
            figures(&claim_audit(&h.service, &line_claim).await),
            [10_000, 0, 0, 0, 10_000, 0]
        );
        let totals = support::account_totals(&h.service).await;
        assert_eq!(totals["unapplied_cash"], -24_000);
        assert_eq!(count(&h.service, "outbox_events").await, 0);

        // A biller may not read the posters' queue.
        let denied = client
            .list_remittance_exceptions(authorized(
                ListRemittanceExceptionsRequest::default(),
                "bill",
                &[Role::Biller],
            ))
            .await
            .unwrap_err();
        assert_eq!(denied.code(), Code::PermissionDenied);

        // Posted by hand: PCN-NONE was a typo for a claim billing sent.
        let right_claim = one_claim(&h, "PCN-RIGHT").await;
        let by_hand = |exception: &str, claim: &str| {
            authorized(
                PostExceptionRequest {
                    exception_id: exception.into(),
                    claim_id: claim.into(),
                },
                "poster",
                &[Role::PaymentPoster],
            )
        };
        let none = listed.exceptions[2].exception_id.clone();
        let posted_by_hand = client
            .post_exception(by_hand(&none, &right_claim))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(posted_by_hand.claim_id, right_claim);
        // $80.00 paid and $20.00 CO-45, as ingestion would have posted it.
        assert_eq!(
            figures(&claim_audit(&h.service, &right_claim).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        let totals = support::account_totals(&h.service).await;
        assert_eq!(totals["unapplied_cash"], -16_000);
        assert_eq!(
            count(&h.service, "outbox_events").await,
            1,
            "RemittancePosted for billing"
        );
        let twice = client
            .post_exception(by_hand(&none, &right_claim))
            .await
            .unwrap_err();
        assert_eq!(twice.code(), Code::FailedPrecondition);
        // A claim without the line paid is refused, changing nothing.
        let wrong = client
            .post_exception(by_hand(&listed.exceptions[0].exception_id, &line_claim))
            .await
            .unwrap_err();
        assert_eq!(wrong.code(), Code::FailedPrecondition);
        assert!(wrong.message().contains("no line"), "{}", wrong.message());
        let left = client
            .list_remittance_exceptions(authorized(
                ListRemittanceExceptionsRequest {
                    remittance_id: posted.remittance_id.clone(),
                    page: None,
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap()
            .into_inner()
            .exceptions;
        assert_eq!(left.len(), 2);
        assert_eq!(audit(&h.service, &[]).await.claims_out_of_balance, 0);
        h.service.stop().await;
    }
);

backend_tests!(
    an_institutional_line_the_payer_returns_by_its_revenue_code_is_matched_and_posted,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let mut c = claim("PCN-UB", &id(), &id(), &[Line("99284", &[], 10_000, 1)]);
        c.lines[0].revenue_code = "0450".into();
        h.billing.publish(&c.claim_id, &c).await;
        wait_for_charges(&h.service, &c.claim_id, 10_000).await;
        let posted = ingest(
            &h.service,
            &paying("PCN-UB", "TRN-UB", "NU:0450", 1).render(),
        )
        .await
        .unwrap();
        assert!(posted.exceptions.is_empty());
        assert_eq!(posted.claims[0].services[0].matched_line_number, 1);
        assert_eq!(
            figures(&claim_audit(&h.service, &c.claim_id).await),
            [10_000, 8_000, 2_000, 0, 0, 0]
        );
        h.service.stop().await;
    }
);
