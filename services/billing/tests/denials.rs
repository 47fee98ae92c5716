//! Adjudication and denials through the real server on SQLite and
//! PostgreSQL: payments' `RemittancePosted` (from a fake payments feed)
//! moves claims (partly paid, denied) and records the payer claim number;
//! each denied line or claim is a work item classified by the CARC table —
//! CO-97 in coding (sent back to coding at once), CO-50 in medical
//! necessity, CO-16 in billing; the re-coded encounter becomes a
//! frequency-7 claim carrying the payer claim number in REF*F8; an appeal
//! past the payer's window is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::denial_service_client::DenialServiceClient;
use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_contracts::medbill::billing::v1::{
    AdjudicationStatus, AppealStatus, BalanceOwner, ClaimStatus, ClaimVoided,
    CodingReviewRequested, CorrectClaimRequest, CreateAppealRequest, CreateBatchRequest, Denial,
    DenialCategory, DenialStatus, DenialWriteOffRequested, GetAppealRequest, GetBatchFileRequest,
    GetClaimRequest, ListDenialsRequest, RecordAppealOutcomeRequest, SubmissionStatus,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_contracts::medbill::payments::v1::{
    Adjustment, ClaimPayment, RemittancePosted, ServicePayment,
};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, eventually, pdf_text};
use prost::Message;
use support::*;
use tonic::Code;

fn cents(cents: i64) -> Option<Money> {
    Some(Money { cents })
}

fn adjustment(group: &str, reason: &str, amount: i64) -> Adjustment {
    Adjustment {
        group_code: group.into(),
        reason_code: reason.into(),
        amount: cents(amount),
        quantity: 0,
    }
}

fn service(lcn: &str, line: u32, charge: i64, paid: i64, adj: Vec<Adjustment>) -> ServicePayment {
    ServicePayment {
        line_control_number: lcn.into(),
        charge: cents(charge),
        paid: cents(paid),
        adjustments: adj,
        matched_line_number: line,
        ..Default::default()
    }
}

async fn denials(service: &RunningService, category: DenialCategory) -> Vec<Denial> {
    DenialServiceClient::new(service.channel().await)
        .list_denials(as_biller(ListDenialsRequest {
            categories: vec![category as i32],
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .denials
}

async fn outbox<M: Message + Default>(service: &RunningService, name: &str) -> Vec<M> {
    let rows: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT payload FROM outbox_events WHERE event_type = $1 ORDER BY sequence",
    )
    .bind(name)
    .fetch_all(service.db().pool())
    .await
    .unwrap();
    rows.iter()
        .map(|p| M::decode(p.as_slice()).unwrap())
        .collect()
}

backend_tests!(
    denials_are_classified_by_carc_and_a_coding_denial_comes_back_as_a_replacement_claim,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register_for_claims(&h.service, "MRN-1", true).await;
        let (e1, e2, e3) = (new_uuid_v7(), new_uuid_v7(), new_uuid_v7());
        let release1 = released(&e1, "MRN-1", vec![line("99213", 1), line("36415", 1)]);
        h.coding.publish(&e1, &release1).await;
        h.coding
            .publish(&e2, &released(&e2, "MRN-1", vec![line("71046", 1)]))
            .await;
        let mut third = released(&e3, "MRN-1", vec![line("99213", 1)]);
        third.dates_of_service = third.dates_of_service.map(|mut d| {
            d.start = date(2026, 10, 2);
            d.end = date(2026, 10, 2);
            d
        });
        h.coding.publish(&e3, &third).await;
        let c1 = claims_of_encounter(&h.service, &e1, 1).await.remove(0);
        let c2 = claims_of_encounter(&h.service, &e2, 1).await.remove(0);
        let c3 = claims_of_encounter(&h.service, &e3, 1).await.remove(0);
        let mut sub = SubmissionServiceClient::new(h.service.channel().await);
        let batch = sub
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(batch.claim_ids.len(), 3);

        let posted = |claim: &str, payment: ClaimPayment, paid_on| RemittancePosted {
            remittance_id: "remit-1".into(),
            claim_id: claim.into(),
            payment: Some(payment),
            trace_number: "EFT-1".into(),
            payment_date: paid_on,
            payer_identifier: "60054".into(),
        };
        // c1: the visit paid 90.00 (CO-45 60.00), the venipuncture bundled.
        let l1 = &c1.lines;
        h.payments
            .publish(
                &c1.claim_id,
                &posted(
                    &c1.claim_id,
                    ClaimPayment {
                        patient_control_number: c1.patient_control_number.clone(),
                        claim_id: c1.claim_id.clone(),
                        status_code: "1".into(),
                        charge: cents(17_500),
                        paid: cents(9_000),
                        patient_responsibility: cents(0),
                        payer_claim_number: "ICN-1".into(),
                        services: vec![
                            service(
                                &l1[0].line_control_number,
                                1,
                                15_000,
                                9_000,
                                vec![adjustment("CO", "45", 6_000)],
                            ),
                            service(
                                &l1[1].line_control_number,
                                2,
                                2_500,
                                0,
                                vec![adjustment("CO", "97", 2_500)],
                            ),
                        ],
                        ..Default::default()
                    },
                    date(2026, 11, 20),
                ),
            )
            .await;
        // c2: denied, not medically necessary, long ago.
        h.payments
            .publish(
                &c2.claim_id,
                &posted(
                    &c2.claim_id,
                    ClaimPayment {
                        patient_control_number: c2.patient_control_number.clone(),
                        claim_id: c2.claim_id.clone(),
                        status_code: "4".into(),
                        charge: cents(20_000),
                        paid: cents(0),
                        payer_claim_number: "ICN-2".into(),
                        adjustments: vec![adjustment("CO", "50", 20_000)],
                        ..Default::default()
                    },
                    date(2026, 5, 1),
                ),
            )
            .await;
        // c3: missing information (CO-16 with remark M51).
        let mut missing = service(
            &c3.lines[0].line_control_number,
            1,
            15_000,
            0,
            vec![adjustment("CO", "16", 15_000)],
        );
        missing.remark_codes = vec!["M51".into()];
        h.payments
            .publish(
                &c3.claim_id,
                &posted(
                    &c3.claim_id,
                    ClaimPayment {
                        patient_control_number: c3.patient_control_number.clone(),
                        claim_id: c3.claim_id.clone(),
                        status_code: "1".into(),
                        charge: cents(15_000),
                        paid: cents(0),
                        payer_claim_number: "ICN-3".into(),
                        services: vec![missing],
                        ..Default::default()
                    },
                    date(2026, 11, 20),
                ),
            )
            .await;
        let svc = &h.service;
        let billing = eventually("three denials recorded", || async move {
            let found = denials(svc, DenialCategory::Billing).await;
            (!found.is_empty()).then_some(found)
        })
        .await;
        let coding = denials(svc, DenialCategory::Coding).await;
        let necessity = denials(svc, DenialCategory::MedicalNecessity).await;
        assert_eq!((coding.len(), necessity.len(), billing.len()), (1, 1, 1));

        let d = &coding[0];
        assert_eq!(d.claim_id, c1.claim_id);
        assert_eq!(d.line_control_number, l1[1].line_control_number);
        assert_eq!(d.carc_codes, ["97"]);
        assert_eq!(d.group_code, "CO");
        assert_eq!(d.denied_amount, cents(2_500));
        assert_eq!(d.origin, "coding team");
        assert_eq!(d.status, DenialStatus::InCodingReview as i32);
        let reviews: Vec<CodingReviewRequested> =
            outbox(svc, "medbill.billing.v1.CodingReviewRequested").await;
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].claim_id, c1.claim_id);
        assert_eq!(reviews[0].encounter_id, e1);
        assert_eq!(reviews[0].denial_id, d.denial_id);

        let n = &necessity[0];
        assert_eq!(
            (n.claim_id.as_str(), n.line_control_number.as_str()),
            (c2.claim_id.as_str(), "")
        );
        assert_eq!(n.origin, "clinical documentation");
        assert_eq!(n.denied_amount, cents(20_000));
        assert_eq!(
            n.appeal_deadline,
            date(2026, 10, 28),
            "180 days from 2026-05-01"
        );
        let b = &billing[0];
        assert_eq!(b.claim_id, c3.claim_id);
        assert_eq!(b.rarc_codes, ["M51"]);
        assert_eq!(b.origin, "billing team");

        // The work queue by amount and age.
        let mut queue = DenialServiceClient::new(svc.channel().await);
        let at_least = |amount: i64, days: u32| {
            as_biller(ListDenialsRequest {
                min_amount: cents(amount),
                min_age_days: days,
                ..Default::default()
            })
        };
        let big = queue
            .list_denials(at_least(10_000, 0))
            .await
            .unwrap()
            .into_inner()
            .denials;
        let mut big: Vec<&str> = big.iter().map(|d| d.claim_id.as_str()).collect();
        big.sort();
        let mut expected = vec![c2.claim_id.as_str(), c3.claim_id.as_str()];
        expected.sort();
        assert_eq!(big, expected, "CO-97's $25.00 is under $100.00");
        let old = queue
            .list_denials(at_least(0, 1))
            .await
            .unwrap()
            .into_inner()
            .denials;
        assert!(old.is_empty(), "every denial was recorded today: {old:?}");
        let mut claims_api = claims(svc).await;
        let get = |id: &str| {
            as_biller(GetClaimRequest {
                claim_id: id.into(),
            })
        };
        let paid = claims_api
            .get_claim(get(&c1.claim_id))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(paid.adjudication, AdjudicationStatus::PartlyPaid as i32);
        assert_eq!(paid.payer_claim_number, "ICN-1");
        assert_eq!(paid.paid, cents(9_000));
        assert_eq!(paid.lines[0].paid, cents(9_000));
        assert_eq!(paid.balance_owner, BalanceOwner::Settled as i32);
        let denied = claims_api
            .get_claim(get(&c2.claim_id))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(denied.status, ClaimStatus::Denied as i32);
        assert_eq!(denied.balance_owner, BalanceOwner::Insurance as i32);

        // Coding re-codes the encounter (a 59 on the venipuncture) and
        // releases it naming the claim it replaces.
        let mut recoded = release1.clone();
        recoded.release_number = 2;
        recoded.replaces_claim_id = c1.claim_id.clone();
        recoded.lines[1].modifiers = vec!["59".into()];
        h.coding.publish(&e1, &recoded).await;
        let replacement = claims_of_encounter(svc, &e1, 2).await.remove(0);
        assert_eq!(replacement.frequency_code, "7");
        assert_eq!(replacement.replaces_claim_id, c1.claim_id);
        assert_eq!(replacement.payer_claim_number, "ICN-1");
        assert_ne!(
            replacement.patient_control_number,
            c1.patient_control_number
        );
        assert_eq!(
            replacement.submission,
            SubmissionStatus::Ready as i32,
            "{:?}",
            replacement.scrub_findings
        );
        let next = sub
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(next.claim_ids, std::slice::from_ref(&replacement.claim_id));
        let file = sub
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: next.batch_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        let text = String::from_utf8(file.content).unwrap();
        assert!(text.contains("REF*F8*ICN-1~"), "{text}");
        assert!(text.contains(":B:7*"), "CLM05-3 = 7: {text}");
        let voided: Vec<ClaimVoided> = outbox(svc, "medbill.billing.v1.ClaimVoided").await;
        assert_eq!(voided.len(), 1);
        assert_eq!(voided[0].claim_id, c1.claim_id);
        assert_eq!(voided[0].replaced_by_claim_id, replacement.claim_id);
        let old = claims_api
            .get_claim(get(&c1.claim_id))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(old.status, ClaimStatus::Replaced as i32);

        // Appeals: within the window it is filed; past it, refused.
        let mut denial_api = DenialServiceClient::new(svc.channel().await);
        let late = denial_api
            .create_appeal(as_biller(CreateAppealRequest {
                denial_id: n.denial_id.clone(),
                letter: "The chest X-ray was ordered for documented dyspnea.".into(),
                submit: true,
            }))
            .await;
        assert_fails(late, Code::FailedPrecondition, "the payer's appeal window");
        let appeal = denial_api
            .create_appeal(as_biller(CreateAppealRequest {
                denial_id: b.denial_id.clone(),
                letter: "The missing referring provider is now on the claim.".into(),
                submit: true,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (appeal.level, appeal.status),
            (1, AppealStatus::Submitted as i32)
        );
        let letter = &appeal.letter;
        for expected in [
            "Re: level 1 appeal of the denial of line 1 (99213, $150.00)",
            "Patient: Doe, Jane",
            &format!("Patient control number: {}", c3.patient_control_number),
            "Payer claim number: ICN-3",
            "Denied: $150.00 on 2026-11-20, reason CO-16 (remarks M51)",
            "The missing referring provider is now on the claim.",
            "Riverside Clinic",
        ] {
            assert!(letter.contains(expected), "{expected:?} not in:\n{letter}");
        }
        let after = denial_api
            .get_denial(as_biller(
                medbill_contracts::medbill::billing::v1::GetDenialRequest {
                    denial_id: b.denial_id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(after.status, DenialStatus::Appealed as i32);

        // Billing corrects c3 itself: a frequency-7 claim naming ICN-3,
        // which replaces c3 when the batch sends it.
        let correct = |id: &str| {
            as_biller(CorrectClaimRequest {
                claim_id: id.into(),
                reason: "referring provider added".into(),
            })
        };
        let corrected = claims_api
            .correct_claim(correct(&c3.claim_id))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(corrected.frequency_code, "7");
        assert_eq!(corrected.payer_claim_number, "ICN-3");
        assert_eq!(corrected.replaces_claim_id, c3.claim_id);
        assert_eq!(corrected.submission, SubmissionStatus::Ready as i32);
        assert_fails(
            claims_api.correct_claim(correct(&c3.claim_id)).await,
            Code::AlreadyExists,
            "corrected claim ",
        );
        assert_fails(
            claims_api.correct_claim(correct(&corrected.claim_id)).await,
            Code::FailedPrecondition,
            "claim ",
        );
        let sent = sub
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(sent.claim_ids, std::slice::from_ref(&corrected.claim_id));
        let voided: Vec<ClaimVoided> = outbox(svc, "medbill.billing.v1.ClaimVoided").await;
        assert_eq!(voided.len(), 2);
        assert_eq!(voided[1].claim_id, c3.claim_id);
        assert_eq!(voided[1].replaced_by_claim_id, corrected.claim_id);

        // The letter as a PDF, and the payer upholding the denial: the
        // biller writes it off, and payments is asked to.
        let pdf = denial_api
            .get_appeal_letter(as_biller(GetAppealRequest {
                appeal_id: appeal.appeal_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            pdf.file_name,
            format!("appeal-{}-level-1.pdf", c3.patient_control_number)
        );
        assert!(pdf.pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf.text, appeal.letter);
        if let Some(text) = pdf_text(&pdf.pdf) {
            for expected in [
                "Payer claim number: ICN-3",
                "The missing referring provider is now on the claim.",
            ] {
                assert!(text.contains(expected), "{expected:?} not in:\n{text}");
            }
        }
        let outcome = |status: AppealStatus, write_off: bool| {
            as_biller(RecordAppealOutcomeRequest {
                appeal_id: appeal.appeal_id.clone(),
                outcome: status as i32,
                recovered: None,
                note: "payer upheld: referral was not on file at the time".into(),
                write_off,
            })
        };
        assert_fails(
            denial_api
                .record_appeal_outcome(outcome(AppealStatus::Won, true))
                .await,
            Code::InvalidArgument,
            "write_off",
        );
        let lost = denial_api
            .record_appeal_outcome(outcome(AppealStatus::Lost, true))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(lost.status, AppealStatus::Lost as i32);
        let written_off = denial_api
            .get_denial(as_biller(
                medbill_contracts::medbill::billing::v1::GetDenialRequest {
                    denial_id: b.denial_id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(written_off.status, DenialStatus::Resolved as i32);
        assert_eq!(
            written_off.resolution,
            "written off: appeal level 1 upheld by the payer"
        );
        let requests: Vec<DenialWriteOffRequested> =
            outbox(svc, "medbill.billing.v1.DenialWriteOffRequested").await;
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(
            (
                r.denial_id.as_str(),
                r.claim_id.as_str(),
                r.appeal_id.as_str()
            ),
            (
                b.denial_id.as_str(),
                c3.claim_id.as_str(),
                appeal.appeal_id.as_str()
            )
        );
        assert_eq!(r.amount.as_ref().map(|m| m.cents), Some(15_000));
        assert_eq!(r.line_control_number, b.line_control_number);
        assert_eq!(r.carc_codes, ["16"]);
        // Decided once: a second outcome is refused and asks for nothing.
        assert_fails(
            denial_api
                .record_appeal_outcome(outcome(AppealStatus::Lost, true))
                .await,
            Code::FailedPrecondition,
            "appeal ",
        );
        let requests: Vec<DenialWriteOffRequested> =
            outbox(svc, "medbill.billing.v1.DenialWriteOffRequested").await;
        assert_eq!(requests.len(), 1);

        // The payer denies the corrected claim whole, for the patient's plan
        // (PR-204 only): a non-covered denial with its CARC; and a corrected
        // claim can itself be corrected, naming the new payer claim number.
        h.payments
            .publish(
                &corrected.claim_id,
                &posted(
                    &corrected.claim_id,
                    ClaimPayment {
                        patient_control_number: corrected.patient_control_number.clone(),
                        claim_id: corrected.claim_id.clone(),
                        status_code: "4".into(),
                        charge: cents(15_000),
                        paid: cents(0),
                        payer_claim_number: "ICN-3B".into(),
                        adjustments: vec![adjustment("PR", "204", 15_000)],
                        ..Default::default()
                    },
                    date(2026, 11, 25),
                ),
            )
            .await;
        let non_covered = eventually("the non-covered denial", || async move {
            let found = denials(svc, DenialCategory::NonCovered).await;
            (!found.is_empty()).then_some(found)
        })
        .await;
        assert_eq!(non_covered.len(), 1);
        let n = &non_covered[0];
        assert_eq!(n.claim_id, corrected.claim_id);
        assert_eq!(
            (n.group_code.as_str(), n.carc_codes.clone()),
            ("PR", vec!["204".to_string()])
        );
        assert_eq!(n.denied_amount, cents(15_000));
        assert_eq!(n.origin, "patient / plan");
        let again = claims_api
            .correct_claim(correct(&corrected.claim_id))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again.frequency_code, "7");
        assert_eq!(again.payer_claim_number, "ICN-3B");
        assert_eq!(again.replaces_claim_id, corrected.claim_id);
        h.service.stop().await;
    }
);
