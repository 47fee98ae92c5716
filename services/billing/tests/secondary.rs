//! Secondary claims through the real server on SQLite and PostgreSQL: once
//! the primary's remittance posts, the secondary coverage is billed with the
//! primary's adjudication in loops 2320/2430 (paid amounts and every CAS
//! group and reason as the primary sent them); a claim the primary forwarded
//! itself (crossover) is not billed to the secondary again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::denial_service_client::DenialServiceClient;
use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_contracts::medbill::billing::v1::{
    AdjudicationStatus, Claim, ClaimSubmitted, CorrectClaimRequest, CreateBatchRequest,
    CreateSecondaryClaimRequest, GetBatchFileRequest, GetClaimRequest, ListDenialsRequest,
    SubmissionStatus,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_contracts::medbill::payments::v1::{
    Adjustment, ClaimPayment, RemittancePosted, ServicePayment,
};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, eventually};
use medbill_x12::claim::PayerResponsibility;
use prost::Message;
use support::*;
use tonic::Code;

/// A CAS adjustment as read back: group, reason, cents.
type Cas = (String, String, i64);

fn cents(cents: i64) -> Option<Money> {
    Some(Money { cents })
}

fn cas(group: &str, reason: &str, amount: i64) -> Adjustment {
    Adjustment {
        group_code: group.into(),
        reason_code: reason.into(),
        amount: cents(amount),
        quantity: 0,
    }
}

async fn batch_file(service: &RunningService) -> (Vec<String>, Vec<u8>) {
    let mut sub = SubmissionServiceClient::new(service.channel().await);
    let batch = sub
        .create_batch(as_biller(CreateBatchRequest {
            transaction_type: "837P".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let file = sub
        .get_batch_file(as_biller(GetBatchFileRequest {
            batch_id: batch.batch_id,
        }))
        .await
        .unwrap()
        .into_inner();
    (batch.claim_ids, file.content)
}

fn remittance(
    claim: &Claim,
    status: &str,
    paid: i64,
    services: Vec<ServicePayment>,
) -> RemittancePosted {
    RemittancePosted {
        remittance_id: format!("remit-{}", claim.patient_control_number),
        claim_id: claim.claim_id.clone(),
        payment: Some(ClaimPayment {
            patient_control_number: claim.patient_control_number.clone(),
            claim_id: claim.claim_id.clone(),
            status_code: status.into(),
            charge: claim.total_charge,
            paid: cents(paid),
            payer_claim_number: format!("ICN-{}", claim.patient_control_number),
            services,
            ..Default::default()
        }),
        trace_number: "EFT-9".into(),
        payment_date: date(2026, 11, 25),
        payer_identifier: "60054".into(),
    }
}

backend_tests!(
    a_secondary_claim_carries_the_primary_adjudication_and_a_crossover_is_not_billed_twice,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = registry(&h.service).await;
        let mut gap = commercial_payer("Medigap Plan");
        gap.electronic_payer_id = "88888".into();
        let gap = api.create_payer(as_biller(gap)).await.unwrap().into_inner();
        let mut second = coverage(&reg.patient_id, &gap.payer_id, 2);
        second.member_id = "GAP-5551".into();
        api.add_coverage(as_biller(second)).await.unwrap();

        let e1 = new_uuid_v7();
        h.coding
            .publish(
                &e1,
                &released(&e1, "MRN-1", vec![line("99213", 1), line("36415", 1)]),
            )
            .await;
        let primary = claims_of_encounter(&h.service, &e1, 1).await.remove(0);
        batch_file(&h.service).await;
        let l = &primary.lines;
        let service = |i: usize, paid: i64, adjustments: Vec<Adjustment>| ServicePayment {
            line_control_number: l[i].line_control_number.clone(),
            charge: l[i].charge,
            paid: cents(paid),
            adjustments,
            matched_line_number: l[i].line_number,
            units: 1,
            ..Default::default()
        };
        // 150.00 - CO-45 40.00 - PR-1 20.00 = 90.00; 25.00 - CO-45 20.00 - PR-2 5.00 = 0.
        h.payments
            .publish(
                &primary.claim_id,
                &remittance(
                    &primary,
                    "1",
                    9_000,
                    vec![
                        service(
                            0,
                            9_000,
                            vec![cas("CO", "45", 4_000), cas("PR", "1", 2_000)],
                        ),
                        service(1, 0, vec![cas("CO", "45", 2_000), cas("PR", "2", 500)]),
                    ],
                ),
            )
            .await;
        let found = claims_of_encounter(&h.service, &e1, 2).await;
        let secondary = found.iter().find(|c| c.payer_rank == 2).unwrap().clone();
        assert_eq!(secondary.payer_id, gap.payer_id);
        assert_eq!(secondary.frequency_code, "1");
        assert_eq!(secondary.total_charge, primary.total_charge);
        assert_eq!(
            secondary.submission,
            SubmissionStatus::Ready as i32,
            "{:?}",
            secondary.scrub_findings
        );
        let again = claims(&h.service)
            .await
            .create_secondary_claim(as_biller(CreateSecondaryClaimRequest {
                primary_claim_id: primary.claim_id.clone(),
            }))
            .await;
        assert_fails(again, Code::AlreadyExists, "secondary claim ");

        let (ids, content) = batch_file(&h.service).await;
        assert_eq!(ids, std::slice::from_ref(&secondary.claim_id));
        keep_for_oracle("billing-837p-secondary.x12", &content);
        let report = medbill_x12::cli::validate(&content);
        assert!(!report.has_errors(), "{report:?}");
        let read = medbill_x12::professional::read_837p(&content).unwrap();
        let claim = &read[0].claims[0];
        assert_eq!(
            claim.subscriber.responsibility,
            PayerResponsibility::Secondary
        );
        assert_eq!(claim.payer.id, "88888");
        assert_eq!(claim.other_payers.len(), 1);
        let other = &claim.other_payers[0];
        assert_eq!(other.responsibility, PayerResponsibility::Primary);
        assert_eq!(other.payer_id, "60054");
        assert_eq!(
            other.paid_amount.map(|a| a.cents()),
            Some(9_000),
            "2320 AMT*D = the primary's paid"
        );
        let adjudicated: Vec<(i64, Vec<Cas>)> = claim
            .lines
            .iter()
            .map(|line| {
                let a = &line.adjudications[0];
                assert_eq!(a.payer_id, "60054");
                assert_eq!(a.adjudication_date.to_x12(), "20261125");
                (
                    a.paid_amount.cents(),
                    a.adjustments
                        .iter()
                        .map(|c| {
                            (
                                format!("{:?}", c.group),
                                c.reason.to_string(),
                                c.amount.cents(),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            adjudicated,
            [
                (
                    9_000,
                    vec![
                        ("Contractual".into(), "45".into(), 4_000),
                        ("PatientResponsibility".into(), "1".into(), 2_000)
                    ]
                ),
                (
                    0,
                    vec![
                        ("Contractual".into(), "45".into(), 2_000),
                        ("PatientResponsibility".into(), "2".into(), 500)
                    ]
                ),
            ],
            "2430 SVD and CAS equal the primary's remittance"
        );
        // Payments learns which claim's patient share this one bills.
        let rows: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT payload FROM outbox_events WHERE event_type = $1 ORDER BY sequence",
        )
        .bind("medbill.billing.v1.ClaimSubmitted")
        .fetch_all(h.service.db().pool())
        .await
        .unwrap();
        let submitted: Vec<ClaimSubmitted> = rows
            .iter()
            .map(|p| ClaimSubmitted::decode(p.as_slice()).unwrap())
            .collect();
        let links: Vec<(u32, &str)> = submitted
            .iter()
            .map(|e| (e.payer_rank, e.primary_claim_id.as_str()))
            .collect();
        assert_eq!(links, [(1, ""), (2, primary.claim_id.as_str())]);
        // The secondary pays $20.00 of the $25.00 the primary left; the rest
        // of the charge is the prior payer's (OA-23): no denial for it.
        h.payments
            .publish(
                &secondary.claim_id,
                &remittance(
                    &secondary,
                    "1",
                    2_000,
                    vec![
                        service(0, 2_000, vec![cas("OA", "23", 13_000)]),
                        service(1, 0, vec![cas("OA", "23", 2_000), cas("PR", "2", 500)]),
                    ],
                ),
            )
            .await;
        let paid = eventually("the secondary adjudicated", || async {
            let c = claims(&h.service)
                .await
                .get_claim(as_biller(GetClaimRequest {
                    claim_id: secondary.claim_id.clone(),
                }))
                .await
                .unwrap()
                .into_inner();
            (c.adjudication != AdjudicationStatus::None as i32).then_some(c)
        })
        .await;
        assert_eq!(paid.adjudication, AdjudicationStatus::Paid as i32);
        let denials = DenialServiceClient::new(h.service.channel().await)
            .list_denials(as_biller(ListDenialsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .denials;
        assert!(denials.is_empty(), "{denials:?}");
        // A corrected secondary claim bills after the same primary: its 837
        // carries the primary's adjudication again.
        let corrected = claims(&h.service)
            .await
            .correct_claim(as_biller(CorrectClaimRequest {
                claim_id: secondary.claim_id.clone(),
                reason: "secondary member id corrected".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            corrected.submission,
            SubmissionStatus::Ready as i32,
            "{:?}",
            corrected.scrub_findings
        );
        let (ids, content) = batch_file(&h.service).await;
        assert_eq!(ids, std::slice::from_ref(&corrected.claim_id));
        let read = medbill_x12::professional::read_837p(&content).unwrap();
        let again = &read[0].claims[0];
        assert_eq!(again.payer.id, "88888");
        assert_eq!(again.other_payers.len(), 1);
        assert_eq!(
            again.other_payers[0].paid_amount.map(|a| a.cents()),
            Some(9_000)
        );
        assert_eq!(again.lines[0].adjudications.len(), 1);

        // Crossover: the primary forwarded the claim to the secondary itself.
        let e2 = new_uuid_v7();
        h.coding
            .publish(&e2, &released(&e2, "MRN-1", vec![line("71046", 1)]))
            .await;
        let crossed = claims_of_encounter(&h.service, &e2, 1).await.remove(0);
        batch_file(&h.service).await;
        let mut forwarded = remittance(&crossed, "19", 12_000, Vec::new());
        forwarded.payment.as_mut().unwrap().adjustments = vec![cas("CO", "45", 8_000)];
        h.payments.publish(&crossed.claim_id, &forwarded).await;
        // A later remittance: once its effect shows, the crossover was applied.
        let e3 = new_uuid_v7();
        let mut later = released(&e3, "MRN-1", vec![line("99213", 1)]);
        later.dates_of_service = later.dates_of_service.map(|mut d| {
            d.start = date(2026, 10, 3);
            d.end = date(2026, 10, 3);
            d
        });
        h.coding.publish(&e3, &later).await;
        let marker = claims_of_encounter(&h.service, &e3, 1).await.remove(0);
        batch_file(&h.service).await;
        h.payments
            .publish(
                &marker.claim_id,
                &remittance(&marker, "1", 15_000, Vec::new()),
            )
            .await;
        claims_of_encounter(&h.service, &e3, 2).await;
        let crossed_claims = claims_of_encounter(&h.service, &e2, 1).await;
        assert_eq!(
            crossed_claims.len(),
            1,
            "no secondary claim after a crossover"
        );
        let refused = claims(&h.service)
            .await
            .create_secondary_claim(as_biller(CreateSecondaryClaimRequest {
                primary_claim_id: crossed.claim_id.clone(),
            }))
            .await;
        assert_fails(
            refused,
            Code::FailedPrecondition,
            "the primary payer forwarded",
        );
        h.service.stop().await;
    }
);
