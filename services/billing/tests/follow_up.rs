//! Follow-up of unpaid claims through the real server on SQLite and
//! PostgreSQL: claims sent and not adjudicated for their payer's
//! `follow_up_days` are queued oldest first, then largest; a 276 about them
//! goes to the clearinghouse folder; the 277 that comes back records each
//! claim's status (matched by trace, or by patient control number), leaves
//! a paid or pending claim where it is and sends a claim the payer cannot
//! find back to REJECTED; bad requests name the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    Claim, CreateBatchRequest, GetClaimRequest, GetPayerRequest, IngestAcknowledgmentRequest,
    ListFollowUpsRequest, SendStatusInquiriesRequest, SubmissionStatus, UpdatePayerRequest,
};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, eventually};
use medbill_x12::status::{StatusCode, read_276, write_277};
use support::*;
use tonic::Code;

async fn get(service: &RunningService, claim_id: &str) -> Claim {
    claims(service)
        .await
        .get_claim(as_biller(GetClaimRequest {
            claim_id: claim_id.into(),
        }))
        .await
        .unwrap()
        .into_inner()
}

/// Claims for 99213+36415 ($175), 71046 ($200) and 36415 ($25), sent in
/// one batch; the first two as if submitted 41 days before the pinned
/// today (2026-11-30), the third 10 days before.
async fn three_sent_claims(
    service: &RunningService,
    coding: &medbill_platform::testing::FakeFeed,
) -> [Claim; 3] {
    let mut built = Vec::new();
    for lines in [
        vec![line("99213", 1), line("36415", 1)],
        vec![line("71046", 1)],
        vec![line("36415", 1)],
    ] {
        let encounter = new_uuid_v7();
        coding
            .publish(&encounter, &released(&encounter, "MRN-1", lines))
            .await;
        built.push(claims_of_encounter(service, &encounter, 1).await.remove(0));
    }
    submission(service)
        .await
        .create_batch(as_biller(CreateBatchRequest {
            transaction_type: "837P".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
    for (claim, at) in built.iter().zip([
        "2026-10-20T15:00:00Z",
        "2026-10-20T15:00:00Z",
        "2026-11-20T15:00:00Z",
    ]) {
        sqlx::query("UPDATE claims SET submitted_at = $1 WHERE claim_id = $2")
            .bind(at)
            .bind(&claim.claim_id)
            .execute(service.db().pool())
            .await
            .unwrap();
    }
    let mut sent = Vec::new();
    for c in &built {
        sent.push(get(service, &c.claim_id).await);
    }
    sent.try_into().unwrap()
}

async fn queue(service: &RunningService) -> Vec<(String, u32, i64)> {
    submission(service)
        .await
        .list_follow_ups(as_biller(ListFollowUpsRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .follow_ups
        .into_iter()
        .map(|f| (f.claim_id, f.age_days, f.total_charge.unwrap().cents))
        .collect()
}

backend_tests!(
    unpaid_claims_past_the_payers_follow_up_days_are_queued_oldest_then_largest_first,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let [c1, c2, c3] = three_sent_claims(&h.service, &h.coding).await;
        assert_eq!(c1.submission, SubmissionStatus::Submitted as i32);
        let mut api = registry(&h.service).await;
        let payer = api
            .get_payer(as_biller(GetPayerRequest {
                payer_id: reg.payer_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(payer.follow_up_days, 30, "the default");
        assert_eq!(
            queue(&h.service).await,
            [
                (c2.claim_id.clone(), 41, 20_000),
                (c1.claim_id.clone(), 41, 17_500),
            ]
        );

        let mut update = UpdatePayerRequest {
            payer_id: payer.payer_id.clone(),
            name: payer.name.clone(),
            timely_filing_days: payer.timely_filing_days,
            address: payer.address.clone(),
            fee_schedule_id: String::new(),
            active: true,
            appeal_window_days: payer.appeal_window_days,
            claim_forms: payer.claim_forms.clone(),
            follow_up_days: 400,
        };
        assert_fails(
            api.update_payer(as_biller(update.clone())).await,
            Code::InvalidArgument,
            "follow_up_days",
        );
        update.follow_up_days = 7;
        let updated = api
            .update_payer(as_biller(update))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(updated.follow_up_days, 7);
        assert_eq!(
            queue(&h.service).await,
            [
                (c2.claim_id.clone(), 41, 20_000),
                (c1.claim_id.clone(), 41, 17_500),
                (c3.claim_id.clone(), 10, 2_500),
            ]
        );
        assert_fails(
            submission(&h.service)
                .await
                .list_follow_ups(as_biller(ListFollowUpsRequest {
                    payer_id: "nope".into(),
                }))
                .await,
            Code::InvalidArgument,
            "payer_id",
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_276_asks_about_the_queue_and_the_277_records_statuses_and_sends_a_claim_not_found_back,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        register_for_claims(&h.service, "MRN-1", true).await;
        let [c1, c2, c3] = three_sent_claims(&h.service, &h.coding).await;
        let mut api = submission(&h.service).await;
        let sent = api
            .send_status_inquiries(as_biller(SendStatusInquiriesRequest::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            sent.file_name,
            format!("276-{}.x12", sent.interchange_control_number)
        );
        let asked: Vec<&str> = sent.inquiries.iter().map(|q| q.claim_id.as_str()).collect();
        assert_eq!(
            asked,
            [c2.claim_id.as_str(), c1.claim_id.as_str()],
            "the queue"
        );
        let file = std::fs::read(folder.join("outbound").join(&sent.file_name)).unwrap();
        keep_for_oracle("billing-276.x12", &file);
        let read = read_276(&file).unwrap();
        let pcns: Vec<Option<&str>> = read[0]
            .claims
            .iter()
            .map(|c| c.patient_control_number.as_deref())
            .collect();
        assert_eq!(
            pcns,
            [
                Some(c2.patient_control_number.as_str()),
                Some(c1.patient_control_number.as_str())
            ]
        );
        assert_eq!(
            read[0].claims[0].trace_number,
            sent.inquiries[0].trace_number
        );

        // The payer: c2 finalized and paid, c1 not found, c3 (never asked
        // about, matched by its patient control number) pending, and one
        // claim that is none of ours.
        let mut response = medbill_x12::samples::status_response();
        let template = response.claims[0].clone();
        let result = |trace: &str, pcn: &str, category: &str, status: &str| {
            let mut r = template.clone();
            r.trace_number = trace.into();
            r.patient_control_number = Some(pcn.into());
            r.payer_claim_control_number = None;
            r.statuses[0].codes = vec![StatusCode {
                category: category.into(),
                status: status.into(),
                entity: None,
            }];
            r
        };
        response.claims = vec![
            result(
                &sent.inquiries[0].trace_number,
                &c2.patient_control_number,
                "F1",
                "65",
            ),
            result(
                &sent.inquiries[1].trace_number,
                &c1.patient_control_number,
                "A4",
                "35",
            ),
            result("NOT-OURS", &c3.patient_control_number, "P1", "20"),
            result("NOT-OURS-2", "ZZ999", "P1", "20"),
        ];
        let content =
            write_277(&medbill_x12::samples::interchange_params(77), &[response]).unwrap();
        let inbound = folder.join("inbound");
        std::fs::create_dir_all(&inbound).unwrap();
        medbill_billing::submission::adapter::write_whole(&inbound, "277-0077.x12", &content)
            .unwrap();
        let rejected = eventually("c1 back to rejected", || async {
            let c = get(&h.service, &c1.claim_id).await;
            (c.submission == SubmissionStatus::Rejected as i32).then_some(c)
        })
        .await;
        let last = rejected.history.last().unwrap();
        assert_eq!(
            (last.dimension.as_str(), last.to_state.as_str()),
            ("submission", "rejected")
        );
        assert!(
            last.reason.contains("A4:35") && last.reason.contains("not found at payer"),
            "{last:?}"
        );
        let outcomes: Vec<String> = rejected
            .payer_statuses
            .iter()
            .map(|s| s.outcome.clone())
            .collect();
        assert_eq!(outcomes, ["not_found"]);
        let paid = get(&h.service, &c2.claim_id).await;
        assert_eq!(
            paid.submission,
            SubmissionStatus::Submitted as i32,
            "paid is a note: the 835 posts the money"
        );
        let status = &paid.payer_statuses[..];
        assert_eq!(status.len(), 1);
        assert_eq!(status[0].outcome, "paid");
        assert_eq!(status[0].trace_number, sent.inquiries[0].trace_number);
        assert_eq!(status[0].paid.unwrap().cents, 12_000);
        assert!(status[0].statuses.starts_with("STC F1:65"), "{status:?}");
        let follow_ups = api
            .list_follow_ups(as_biller(ListFollowUpsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .follow_ups;
        let statuses: Vec<(&str, &str, bool)> = follow_ups
            .iter()
            .map(|f| {
                (
                    f.claim_id.as_str(),
                    f.last_status.as_str(),
                    f.last_inquiry_at.is_some(),
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [(c2.claim_id.as_str(), "paid", true)],
            "c1 left the queue"
        );
        let pending: Vec<String> =
            sqlx::query_scalar("SELECT outcome FROM claim_statuses WHERE claim_id = $1")
                .bind(&c3.claim_id)
                .fetch_all(h.service.db().pool())
                .await
                .unwrap();
        assert_eq!(
            pending,
            ["pending"],
            "matched by its patient control number"
        );

        // The same 277 through the RPC changes nothing.
        let again = api
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content,
                file_name: "277-0077.x12".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.newly_applied);
        assert_eq!(again.transaction_type, "277");
        assert_eq!((again.claims_accepted, again.claims_rejected), (3, 1));
        assert_eq!(again.unmatched.len(), 1, "{again:?}");
        h.service.stop().await;
    }
);

backend_tests!(
    send_status_inquiries_refuses_bad_ids_claims_not_at_the_payer_an_empty_queue_and_no_folder,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = submission(&h.service).await;
        let send = |ids: Vec<String>| as_biller(SendStatusInquiriesRequest { claim_ids: ids });
        assert_fails(
            api.send_status_inquiries(send(vec![])).await,
            Code::FailedPrecondition,
            "no claim is due",
        );
        assert_fails(
            api.send_status_inquiries(send(vec!["x".into()])).await,
            Code::InvalidArgument,
            "claim_ids[0]",
        );
        assert_fails(
            api.send_status_inquiries(send(vec![new_uuid_v7()])).await,
            Code::NotFound,
            "",
        );
        let encounter = new_uuid_v7();
        h.coding
            .publish(
                &encounter,
                &released(&encounter, "MRN-1", vec![line("99213", 1)]),
            )
            .await;
        let ready = claims_of_encounter(&h.service, &encounter, 1)
            .await
            .remove(0);
        assert_fails(
            api.send_status_inquiries(send(vec![ready.claim_id.clone()]))
                .await,
            Code::FailedPrecondition,
            "claim ",
        );
        assert!(
            !folder.join("outbound").exists()
                || std::fs::read_dir(folder.join("outbound")).unwrap().count() == 0
        );

        // A 277 that does not read is refused with the segment position.
        let good = write_277(
            &medbill_x12::samples::interchange_params(5),
            &[medbill_x12::samples::status_response()],
        )
        .unwrap();
        let bad = String::from_utf8(good).unwrap().replacen("SE*", "SE*9", 1);
        let refused = api
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: bad.into_bytes(),
                file_name: "277-bad.x12".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument);
        assert!(
            refused.message().starts_with("content: segment "),
            "{refused:?}"
        );
        h.service.stop().await;

        let h = start_with_coding(&test_db).await;
        assert_fails(
            submission(&h.service)
                .await
                .send_status_inquiries(send(vec![ready.claim_id.clone()]))
                .await,
            Code::FailedPrecondition,
            "no clearinghouse folder",
        );
        h.service.stop().await;
    }
);

backend_tests!(
    two_queue_sends_at_once_ask_about_each_claim_once_and_a_claim_awaiting_its_277_waits,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        register_for_claims(&h.service, "MRN-1", true).await;
        let [c1, c2, _c3] = three_sent_claims(&h.service, &h.coding).await;
        let (mut a, mut b) = (submission(&h.service).await, submission(&h.service).await);
        let (first, second) = tokio::join!(
            a.send_status_inquiries(as_biller(SendStatusInquiriesRequest::default())),
            b.send_status_inquiries(as_biller(SendStatusInquiriesRequest::default())),
        );
        // One call takes the queue; the other finds every claim awaiting
        // the 277 of the first.
        let (sent, refused) = match (first, second) {
            (Ok(sent), Err(refused)) | (Err(refused), Ok(sent)) => (sent.into_inner(), refused),
            other => panic!("one 276 and one refusal expected: {other:?}"),
        };
        assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
        assert!(refused.message().contains("no claim is due"), "{refused:?}");
        let mut asked: Vec<&str> = sent.inquiries.iter().map(|q| q.claim_id.as_str()).collect();
        asked.sort_unstable();
        let mut due = vec![c1.claim_id.as_str(), c2.claim_id.as_str()];
        due.sort_unstable();
        assert_eq!(asked, due);
        let files = std::fs::read_dir(folder.join("outbound"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("276-"))
            .count();
        assert_eq!(files, 1, "one 276 file");

        // Asked for by name, a claim is asked about again at once.
        let again = a
            .send_status_inquiries(as_biller(SendStatusInquiriesRequest {
                claim_ids: vec![c1.claim_id.clone()],
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again.inquiries.len(), 1);
        assert_ne!(
            again.interchange_control_number,
            sent.interchange_control_number
        );
    }
);
