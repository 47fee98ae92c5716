//! Billing's metrics through the real server on SQLite and PostgreSQL, with
//! figures worked out by hand: of three claims submitted one went out clean
//! (one was held by the scrubber first, one rejected by a 277CA); of two
//! claims adjudicated one was denied (CO-50, $200.00 of $350.00); a ready
//! claim two days from its filing deadline is at risk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_billing::testing::*;
use medbill_contracts::medbill::billing::v1::analytics_service_client::AnalyticsServiceClient;
use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_contracts::medbill::billing::v1::{
    ClaimMetrics, CreateBatchRequest, GetClaimMetricsRequest, IngestAcknowledgmentRequest,
    PayerRules, ScrubClaimRequest,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_contracts::medbill::payments::v1::{Adjustment, ClaimPayment, RemittancePosted};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized, eventually};
use tonic::Code;

fn on(
    day: u32,
    mut release: medbill_contracts::medbill::coding::v1::EncounterReleased,
) -> medbill_contracts::medbill::coding::v1::EncounterReleased {
    release.dates_of_service = release.dates_of_service.map(|mut d| {
        d.start = date(2026, if day > 100 { 6 } else { 10 }, (day % 100) as i32);
        d.end = d.start;
        d
    });
    release
}

async fn metrics(service: &RunningService) -> ClaimMetrics {
    AnalyticsServiceClient::new(service.channel().await)
        .get_claim_metrics(as_biller(GetClaimMetricsRequest::default()))
        .await
        .unwrap()
        .into_inner()
}

async fn batch(service: &RunningService) -> Vec<String> {
    SubmissionServiceClient::new(service.channel().await)
        .create_batch(as_biller(CreateBatchRequest {
            transaction_type: "837P".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .claim_ids
}

backend_tests!(
    claim_metrics_match_the_figures_worked_out_by_hand,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        registry(&h.service)
            .await
            .set_payer_rules(as_biller(PayerRules {
                payer_id: reg.payer_id.clone(),
                overrides: vec![],
                authorization_required_codes: vec!["71046".into()],
            }))
            .await
            .unwrap();
        let (e1, e2, e3) = (new_uuid_v7(), new_uuid_v7(), new_uuid_v7());
        h.coding
            .publish(&e1, &on(1, released(&e1, "MRN-1", vec![line("99213", 1)])))
            .await;
        h.coding
            .publish(&e2, &on(2, released(&e2, "MRN-1", vec![line("71046", 1)])))
            .await;
        h.coding
            .publish(&e3, &on(3, released(&e3, "MRN-1", vec![line("36415", 1)])))
            .await;
        let c1 = claims_of_encounter(&h.service, &e1, 1).await.remove(0);
        let c2 = claims_of_encounter(&h.service, &e2, 1).await.remove(0);
        let c3 = claims_of_encounter(&h.service, &e3, 1).await.remove(0);
        // c2 is held until its authorization number is entered.
        claims(&h.service)
            .await
            .scrub_claim(as_biller(ScrubClaimRequest {
                claim_id: c2.claim_id.clone(),
                prior_authorization: "AUTH-1".into(),
            }))
            .await
            .unwrap();
        assert_eq!(batch(&h.service).await.len(), 3);
        // The payer's front end rejects c3; corrected, it goes again.
        let mut ca = medbill_x12::samples::claim_acknowledgment();
        let mut rejected = ca.claims[1].clone();
        rejected.patient_control_number = c3.patient_control_number.clone();
        ca.claims = vec![rejected];
        let file = medbill_x12::claim_ack::write_277ca(
            &medbill_x12::samples::interchange_params(5),
            &[ca],
        )
        .unwrap();
        SubmissionServiceClient::new(h.service.channel().await)
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: file,
                file_name: "ca.277".into(),
            }))
            .await
            .unwrap();
        claims(&h.service)
            .await
            .scrub_claim(as_biller(ScrubClaimRequest {
                claim_id: c3.claim_id.clone(),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(batch(&h.service).await, std::slice::from_ref(&c3.claim_id));

        // c1 paid, c2 denied as not medically necessary.
        let posted = |claim: &medbill_contracts::medbill::billing::v1::Claim,
                      status: &str,
                      paid,
                      adjustments| {
            RemittancePosted {
                remittance_id: format!("r-{}", claim.patient_control_number),
                claim_id: claim.claim_id.clone(),
                payment: Some(ClaimPayment {
                    claim_id: claim.claim_id.clone(),
                    status_code: status.into(),
                    charge: claim.total_charge,
                    paid: Some(Money { cents: paid }),
                    adjustments,
                    ..Default::default()
                }),
                payment_date: date(2026, 11, 25),
                ..Default::default()
            }
        };
        h.payments
            .publish(&c1.claim_id, &posted(&c1, "1", 15_000, vec![]))
            .await;
        let co50 = Adjustment {
            group_code: "CO".into(),
            reason_code: "50".into(),
            amount: Some(Money { cents: 20_000 }),
            quantity: 0,
        };
        h.payments
            .publish(&c2.claim_id, &posted(&c2, "4", 0, vec![co50]))
            .await;
        // Two days before its filing deadline (2026-06-05 + 180 days).
        let e4 = new_uuid_v7();
        h.coding
            .publish(
                &e4,
                &on(105, released(&e4, "MRN-1", vec![line("99213", 1)])),
            )
            .await;
        let c4 = claims_of_encounter(&h.service, &e4, 1).await.remove(0);
        let svc = &h.service;
        let m = eventually("both remittances applied", || async move {
            let m = metrics(svc).await;
            (m.claims_adjudicated == 2).then_some(m)
        })
        .await;

        assert_eq!((m.claims_submitted, m.clean_claims), (3, 1));
        assert_eq!(m.clean_claim_rate, "0.3333");
        assert_eq!((m.claims_adjudicated, m.claims_denied_first_pass), (2, 1));
        assert_eq!(m.first_pass_denial_rate, "0.5000");
        assert_eq!(m.adjudicated_charges, Some(Money { cents: 35_000 }));
        assert_eq!(m.denied_first_pass, Some(Money { cents: 20_000 }));
        assert_eq!(m.first_pass_denial_rate_dollars, "0.5714");
        let keys = |b: &[medbill_contracts::medbill::billing::v1::DenialBreakdown]| {
            b.iter()
                .map(|d| (d.key.clone(), d.denials, d.amount.unwrap().cents))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&m.by_category),
            [("medical_necessity".to_string(), 1, 20_000)]
        );
        assert_eq!(
            keys(&m.by_origin),
            [("clinical documentation".to_string(), 1, 20_000)]
        );
        assert_eq!(keys(&m.by_carc), [("50".to_string(), 1, 20_000)]);
        assert_eq!(keys(&m.by_payer), [(reg.payer_id.clone(), 1, 20_000)]);
        // Releases and submissions share the service clock.
        assert_eq!(m.average_days_release_to_submission, "0.00");
        assert_eq!(m.timely_filing_risk.len(), 1);
        let r = &m.timely_filing_risk[0];
        assert_eq!(
            (r.claim_id.as_str(), r.days_left),
            (c4.claim_id.as_str(), 2)
        );
        assert_eq!(r.deadline, date(2026, 12, 2));
        assert_eq!(r.submission, "ready");

        // Collectors do not read billing's metrics; a bad period is refused.
        let mut api = AnalyticsServiceClient::new(h.service.channel().await);
        let denied = api
            .get_claim_metrics(authorized(
                GetClaimMetricsRequest::default(),
                "col",
                &[Role::Collector],
            ))
            .await;
        assert_eq!(denied.unwrap_err().code(), Code::PermissionDenied);
        let backwards = api
            .get_claim_metrics(as_biller(GetClaimMetricsRequest {
                from: date(2026, 11, 30),
                to: date(2026, 11, 1),
                payer_id: String::new(),
            }))
            .await;
        assert_fails(backwards, Code::InvalidArgument, "from");
        h.service.stop().await;
    }
);
