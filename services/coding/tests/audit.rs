//! Coding productivity and audits through the gRPC API (SQLite and
//! PostgreSQL): per-coder releases, holds and edit-error rates; a random
//! audit sample; recorded verdicts and the accuracy they give.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::coding_audit_service_client::CodingAuditServiceClient;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1 as common;
use medbill_kernel::Timestamp;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::convert::wire_date;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use tonic::Code;
use tonic::transport::Channel;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_coding::MIGRATIONS).await;
    seed::seed_code_sets(&db).await;
    seed::start(db).await
}

fn today() -> common::DateRange {
    let today = wire_date(Timestamp::now().date());
    common::DateRange {
        start: Some(today),
        end: Some(today),
    }
}

async fn submit(client: &mut EncounterServiceClient<Channel>, n: u32) {
    let request = pb::SubmitEncounterRequest {
        source_system: "ehr".into(),
        source_encounter_id: format!("A-{n}"),
        patient_mrn: format!("MRN{n}"),
        patient_age_years: 61,
        patient_sex: common::Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(common::DateRange {
            start: Some(common::Date {
                year: 2026,
                month: 2,
                day: 2,
            }),
            end: None,
        }),
        place_of_service: "11".into(),
        encounter_type: pb::EncounterType::Professional as i32,
        documentation: "Hypertension follow-up.".into(),
        proposed: None,
        priority: 0,
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: None,
    };
    client
        .submit_encounter(authorized(request, "ehr-link", &[Role::Service]))
        .await
        .unwrap();
}

fn coding(pointer: u32) -> pb::Coding {
    pb::Coding {
        diagnoses: vec![pb::Diagnosis {
            code: "I10".into(),
            present_on_admission: String::new(),
        }],
        lines: vec![pb::ProcedureLine {
            code: "99214".into(),
            modifiers: vec![],
            units: 1,
            diagnosis_pointers: vec![pointer],
            date_of_service: None,
            revenue_code: String::new(),
        }],
    }
}

fn as_auditor<T>(message: T) -> tonic::Request<T> {
    authorized(message, "carol", &[Role::CodingAuditor])
}

/// Claims the next encounter as `coder`, saves `first` then `final_pointer`
/// coding, optionally holds and resumes, and releases it.
async fn work(
    client: &mut EncounterServiceClient<Channel>,
    coder: &str,
    first: u32,
    hold: bool,
) -> String {
    let as_coder = |m| authorized(m, coder, &[Role::Coder]);
    let e = client
        .claim_next_encounter(as_coder(pb::ClaimNextEncounterRequest::default()))
        .await
        .unwrap()
        .into_inner();
    let id = e.encounter_id.clone();
    for pointer in [first, 1] {
        client
            .save_coding(authorized(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(pointer)),
                    expected_version: 0,
                },
                coder,
                &[Role::Coder],
            ))
            .await
            .unwrap();
    }
    if hold {
        let held = client
            .hold_encounter(authorized(
                pb::HoldEncounterRequest {
                    encounter_id: id.clone(),
                    question: "Confirm the blood pressure reading.".into(),
                },
                coder,
                &[Role::Coder],
            ))
            .await
            .unwrap()
            .into_inner();
        client
            .resume_encounter(authorized(
                pb::ResumeEncounterRequest {
                    encounter_id: id.clone(),
                    query_id: held.queries[0].query_id.clone(),
                    answer: "142/90".into(),
                },
                coder,
                &[Role::Coder],
            ))
            .await
            .unwrap();
    }
    client
        .release_encounter(authorized(
            pb::ReleaseEncounterRequest {
                encounter_id: id.clone(),
                acknowledgments: vec![],
            },
            coder,
            &[Role::Coder],
        ))
        .await
        .unwrap();
    id
}

backend_tests!(
    productivity_and_audit_accuracy_are_reported_per_coder,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut encounters = EncounterServiceClient::new(service.channel().await);
        for n in 0..3 {
            submit(&mut encounters, n).await;
        }
        // ann's first save of one encounter points nowhere (an edit error).
        let ann_1 = work(&mut encounters, "ann", 2, false).await;
        work(&mut encounters, "ann", 1, false).await;
        work(&mut encounters, "bob", 1, true).await;

        let mut audit = CodingAuditServiceClient::new(service.channel().await);
        let report = audit
            .get_coder_productivity(as_auditor(pb::GetCoderProductivityRequest {
                period: Some(today()),
                coder: String::new(),
            }))
            .await
            .unwrap()
            .into_inner();
        let ann = report.coders.iter().find(|c| c.coder == "ann").unwrap();
        let bob = report.coders.iter().find(|c| c.coder == "bob").unwrap();
        assert_eq!(
            (ann.encounters_released, ann.edit_error_rate_permille),
            (2, 500)
        );
        assert_eq!((bob.encounters_released, bob.encounters_held), (1, 1));
        assert_eq!(bob.edit_error_rate_permille, 0);

        let sample = audit
            .sample_for_audit(as_auditor(pb::SampleForAuditRequest {
                released: Some(today()),
                coder: "ann".into(),
                sample_size: 10,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(sample.encounter_ids.len(), 2, "only ann's two releases");
        assert!(sample.encounter_ids.contains(&ann_1));

        let verdict = |encounter_id: &str| pb::RecordAuditOutcomeRequest {
            sample_id: sample.sample_id.clone(),
            encounter_id: encounter_id.to_string(),
            codes_correct: 3,
            codes_wrong: 1,
            codes_missing: 0,
            comment: "E/M level one too high".into(),
        };
        let outcome = audit
            .record_audit_outcome(as_auditor(verdict(&ann_1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (outcome.coder.as_str(), outcome.auditor.as_str()),
            ("ann", "carol")
        );
        let again = audit
            .record_audit_outcome(as_auditor(verdict(&ann_1)))
            .await
            .unwrap_err();
        assert_eq!(again.code(), Code::AlreadyExists);
        let outside = audit
            .record_audit_outcome(as_auditor(verdict("0190d9a0-0000-7000-8000-000000000099")))
            .await
            .unwrap_err();
        assert_eq!(outside.code(), Code::NotFound);

        let summary = audit
            .get_audit_summary(as_auditor(pb::GetAuditSummaryRequest {
                period: Some(today()),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(summary.coders.len(), 1);
        assert_eq!(summary.coders[0].coder, "ann");
        assert_eq!(summary.coders[0].accuracy_permille, 750);

        // Coders do not sample their own work.
        let denied = audit
            .sample_for_audit(authorized(
                pb::SampleForAuditRequest {
                    released: Some(today()),
                    coder: String::new(),
                    sample_size: 1,
                },
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap_err();
        assert_eq!(denied.code(), Code::PermissionDenied);
        service.stop().await;
    }
);
