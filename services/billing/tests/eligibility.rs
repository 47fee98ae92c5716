//! Eligibility through the real server on SQLite and PostgreSQL:
//! `CheckEligibility` drops a 270 in the clearinghouse folder and answers
//! PENDING; the 271 that comes back in `inbound/` (or through
//! `IngestAcknowledgment`) is matched by its trace and recorded, and
//! `GetEligibility` and later checks read it; a claim for a coverage the
//! latest 271 says is inactive is held; a malformed 271 is refused with
//! the segment position and records nothing; bad requests name the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    CheckEligibilityRequest, EligibilityResponse, EligibilityStatus, GetEligibilityRequest,
    IngestAcknowledgmentRequest, SubmissionStatus,
};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, eventually};
use support::*;
use tonic::Code;

/// The engine's 271 fixture (two members: ELIG-1001 active on GOLD PPO
/// with deductible, copay, coinsurance and out-of-pocket lines, ELIG-1002
/// rejected) answering our inquiry `trace` as its first member. The trace
/// is replaced inside its TRN segment: the segment count stays right.
fn answer_271(trace: &str, active: bool) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap();
    let fixture =
        std::fs::read_to_string(root.join("shared/x12/tests/fixtures/eligibility.271")).unwrap();
    let mut text = fixture.replace("TRN*2*ELIG-1001*", &format!("TRN*2*{trace}*"));
    if !active {
        text = text.replace("EB*1*IND*30^98*PR*GOLD PPO", "EB*6*IND*30");
    }
    text.into_bytes()
}

fn check(coverage_id: &str) -> CheckEligibilityRequest {
    CheckEligibilityRequest {
        coverage_id: coverage_id.into(),
        date_of_service: date(2026, 10, 1),
        service_types: vec![],
    }
}

async fn get(service: &RunningService, inquiry_id: &str) -> EligibilityResponse {
    registry(service)
        .await
        .get_eligibility(as_biller(GetEligibilityRequest {
            inquiry_id: inquiry_id.into(),
        }))
        .await
        .unwrap()
        .into_inner()
}

backend_tests!(
    a_270_goes_out_pending_and_the_271_in_inbound_records_the_answer_on_it,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = registry(&h.service).await;
        let pending = api
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(pending.status, EligibilityStatus::Pending as i32);
        assert!(!pending.active && pending.benefits.is_empty());
        assert_eq!(pending.coverage_id, reg.coverage_id);
        let sent = std::fs::read(folder.join("outbound").join("270-000000001.x12")).unwrap();
        let text = String::from_utf8(sent.clone()).unwrap();
        assert!(text.contains("ST*270*"), "{text}");
        assert!(
            text.contains(&format!("TRN*1*{}*1061234567~", pending.trace_number)),
            "{text}"
        );
        assert!(
            text.contains("NM1*IL*1*Doe*Jane****MI*W123456789~"),
            "{text}"
        );
        assert!(text.contains("DTP*291*D8*20261001~EQ*30~"), "{text}");
        keep_for_oracle("billing-270.x12", &sent);
        let report = medbill_x12::cli::validate(&sent);
        assert!(!report.has_errors(), "{report:?}");

        let inbound = folder.join("inbound");
        std::fs::create_dir_all(&inbound).unwrap();
        medbill_billing::submission::adapter::write_whole(
            &inbound,
            "271-0001.x12",
            &answer_271(&pending.trace_number, true),
        )
        .unwrap();
        let answered = eventually("the 271 recorded", || async {
            let found = get(&h.service, &pending.inquiry_id).await;
            (found.status == EligibilityStatus::Answered as i32).then_some(found)
        })
        .await;
        assert!(answered.active);
        assert_eq!(answered.plan, "GOLD PPO");
        assert_eq!(
            benefit_lines(&answered),
            [
                ("1", "", None, 0, false),
                ("C", "23", Some(150_000), 0, true),
                ("C", "29", Some(125_050), 0, true),
                ("B", "27", Some(2_500), 0, true),
                ("A", "", None, 2_000, true),
                ("G", "23", Some(600_000), 0, false),
                ("L", "", None, 0, false),
            ]
        );
        assert!(folder.join("inbound/processed/271-0001.x12").exists());

        // Asked again for the same coverage and date: the recorded answer,
        // no second 270.
        let again = api
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again.inquiry_id, pending.inquiry_id);
        assert!(again.active);
        let outbound = std::fs::read_dir(folder.join("outbound")).unwrap().count();
        assert_eq!(outbound, 1);
        assert_fails(
            api.check_eligibility(as_biller(check(&new_uuid_v7())))
                .await,
            Code::NotFound,
            "",
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_claim_for_a_coverage_the_latest_271_says_is_inactive_is_held,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-2", true).await;
        let pending = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        let ack = submission(&h.service)
            .await
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: answer_271(&pending.trace_number, false),
                file_name: "271-inactive.x12".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(ack.transaction_type, "271");
        assert_eq!(ack.claims_accepted, 1, "one inquiry answered");
        assert_eq!(ack.unmatched.len(), 1, "ELIG-1002 is none of ours: {ack:?}");
        let answered = get(&h.service, &pending.inquiry_id).await;
        assert_eq!(answered.status, EligibilityStatus::Answered as i32);
        assert!(!answered.active);

        let claim = h.claim_of("MRN-2", vec![line("99213", 1)]).await;
        assert_eq!(claim.submission, SubmissionStatus::Held as i32);
        let errors: Vec<(&str, &str)> = claim
            .scrub_findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| (f.rule_id.as_str(), f.field.as_str()))
            .collect();
        assert_eq!(errors, [("COVERAGE_INACTIVE_271", "dates_of_service")]);
        h.service.stop().await;
    }
);

backend_tests!(
    a_malformed_271_is_refused_with_the_segment_position_and_records_nothing,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-3", true).await;
        let pending = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        let good = String::from_utf8(answer_271(&pending.trace_number, true)).unwrap();
        let bad = good.replace("SE*31*0001", "SE*29*0001");
        let refused = submission(&h.service)
            .await
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: bad.into_bytes(),
                file_name: "271-bad.x12".into(),
            }))
            .await;
        assert_fails(refused, Code::InvalidArgument, "content");
        let status = submission(&h.service)
            .await
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: good.replace("SE*31*0001", "SE*29*0001").into_bytes(),
                file_name: "271-bad.x12".into(),
            }))
            .await
            .unwrap_err();
        assert!(status.message().contains("segment "), "{status:?}");
        let still = get(&h.service, &pending.inquiry_id).await;
        assert_eq!(still.status, EligibilityStatus::Pending as i32);
        h.service.stop().await;
    }
);

backend_tests!(
    check_eligibility_refuses_bad_input_an_unknown_coverage_and_a_missing_folder,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-4", true).await;
        let mut api = registry(&h.service).await;
        assert_fails(
            api.check_eligibility(as_biller(check(&reg.coverage_id)))
                .await,
            Code::FailedPrecondition,
            "no clearinghouse folder",
        );
        let mut bad = check("nope");
        assert_fails(
            api.check_eligibility(as_biller(bad.clone())).await,
            Code::InvalidArgument,
            "coverage_id",
        );
        bad = check(&reg.coverage_id);
        bad.date_of_service = None;
        assert_fails(
            api.check_eligibility(as_biller(bad)).await,
            Code::InvalidArgument,
            "date_of_service",
        );
        let mut bad = check(&reg.coverage_id);
        bad.service_types = vec!["30".into(), "ABC".into()];
        assert_fails(
            api.check_eligibility(as_biller(bad)).await,
            Code::InvalidArgument,
            "service_types[1]",
        );
        assert_fails(
            api.get_eligibility(as_biller(GetEligibilityRequest {
                inquiry_id: "x".into(),
            }))
            .await,
            Code::InvalidArgument,
            "inquiry_id",
        );
        assert_fails(
            api.get_eligibility(as_biller(GetEligibilityRequest {
                inquiry_id: new_uuid_v7(),
            }))
            .await,
            Code::NotFound,
            "",
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_childs_coverage_is_asked_about_as_the_subscribers_dependent,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::billing::v1::Relationship;
        use medbill_contracts::medbill::common::v1::Sex;
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = registry(&h.service).await;
        let mut child = patient("MRN-KID");
        child.name = name("Doe", "Sam");
        child.birth_date = date(2015, 6, 9);
        child.sex = Sex::Male as i32;
        let child = api
            .create_patient(as_biller(child))
            .await
            .unwrap()
            .into_inner();
        let mut cover = coverage(&child.patient_id, &reg.payer_id, 1);
        cover.relationship = Relationship::Child as i32;
        cover.subscriber_name = name("Doe", "Jane");
        cover.subscriber_birth_date = date(1980, 4, 2);
        cover.subscriber_sex = Sex::Female as i32;
        let cover = api
            .add_coverage(as_biller(cover))
            .await
            .unwrap()
            .into_inner();
        let pending = api
            .check_eligibility(as_biller(check(&cover.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        let sent = std::fs::read(folder.join("outbound").join("270-000000001.x12")).unwrap();
        let text = String::from_utf8(sent.clone()).unwrap();
        // The subscriber by the coverage's member id, the child below them
        // with the trace, the date and the service types.
        let expected = format!(
            "HL*3*2*22*1~\nNM1*IL*1*Doe*Jane****MI*W123456789~\nDMG*D8*19800402*F~\n\
             HL*4*3*23*0~\nTRN*1*{}*1061234567~\nNM1*03*1*Doe*Sam~\nDMG*D8*20150609*M~\n\
             INS*N*19~\nDTP*291*D8*20261001~\nEQ*30~",
            pending.trace_number
        );
        assert!(
            text.replace('\n', "").contains(&expected.replace('\n', "")),
            "{text}"
        );
        let report = medbill_x12::cli::validate(&sent);
        assert!(!report.has_errors(), "{report:?}");
        let read = medbill_x12::eligibility::read_270(&sent).unwrap();
        let dependent = read[0].subscribers[0].dependent.as_ref().unwrap();
        assert_eq!(dependent.relationship.as_deref(), Some("19"));
        h.service.stop().await;
    }
);

backend_tests!(
    a_ready_claim_the_scrubber_holds_when_batching_is_left_out_of_the_batch_and_keeps_no_batch,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::billing::v1::{CreateBatchRequest, GetClaimRequest};
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let lapsed = register_for_claims(&h.service, "MRN-4", true).await;
        let mut api = registry(&h.service).await;
        let other = api
            .create_patient(as_biller(patient("MRN-5")))
            .await
            .unwrap()
            .into_inner();
        api.add_coverage(as_biller(coverage(&other.patient_id, &lapsed.payer_id, 1)))
            .await
            .unwrap();
        let held = h.claim_of("MRN-4", vec![line("99213", 1)]).await;
        let sent = h.claim_of("MRN-5", vec![line("99213", 1)]).await;
        assert_eq!(held.submission, SubmissionStatus::Ready as i32);
        assert_eq!(sent.submission, SubmissionStatus::Ready as i32);
        // After the claim was built, the payer says the coverage is inactive.
        let pending = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&lapsed.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        submission(&h.service)
            .await
            .ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
                content: answer_271(&pending.trace_number, false),
                file_name: "271-lapsed.x12".into(),
            }))
            .await
            .unwrap();

        let batch = submission(&h.service)
            .await
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(batch.claim_ids, std::slice::from_ref(&sent.claim_id));
        let claim = |claim_id: String| async {
            claims(&h.service)
                .await
                .get_claim(as_biller(GetClaimRequest { claim_id }))
                .await
                .unwrap()
                .into_inner()
        };
        let now_held = claim(held.claim_id.clone()).await;
        assert_eq!(now_held.submission, SubmissionStatus::Held as i32);
        assert_eq!(now_held.batch_id, "", "a claim left out carries no batch");
        assert_eq!(now_held.submitted_at, None);
        let now_sent = claim(sent.claim_id.clone()).await;
        assert_eq!(now_sent.submission, SubmissionStatus::Submitted as i32);
        assert_eq!(now_sent.batch_id, batch.batch_id);
        assert!(now_sent.submitted_at.is_some());
        h.service.stop().await;
    }
);
