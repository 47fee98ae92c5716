//! The coding workbench through the generated client against a real server
//! on 127.0.0.1 port 0, on SQLite and PostgreSQL: intake, the queue, saving,
//! holds, release through the outbox, and the rules that guard each step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1::event_feed_client::EventFeedClient;
use medbill_contracts::medbill::common::v1::{self as common, SubscribeRequest};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use prost::{Message, Name};
use tonic::Code;
use tonic::transport::Channel;

type Client = EncounterServiceClient<Channel>;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_coding::MIGRATIONS).await;
    seed::seed_code_sets(&db).await;
    seed::start(db).await
}

fn date(y: i32, m: i32, d: i32) -> common::Date {
    common::Date {
        year: y,
        month: m,
        day: d,
    }
}

fn submission(source_id: &str) -> pb::SubmitEncounterRequest {
    pb::SubmitEncounterRequest {
        source_system: "ehr".into(),
        source_encounter_id: source_id.into(),
        patient_mrn: "MRN0001".into(),
        patient_age_years: 44,
        patient_sex: common::Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(common::DateRange {
            start: Some(date(2026, 6, 1)),
            end: None,
        }),
        place_of_service: "11".into(),
        encounter_type: pb::EncounterType::Professional as i32,
        documentation: "Sore throat and fever for two days. Rapid strep negative.".into(),
        proposed: None,
        priority: 0,
        payer_id: String::new(),
        // Seen at the urgent care center, not at the billing address.
        facility_npi: "1587987656".into(),
        inpatient_stay: None,
    }
}

async fn submit(client: &mut Client, source_id: &str) -> pb::SubmitEncounterResponse {
    client
        .submit_encounter(authorized(
            submission(source_id),
            "ehr-link",
            &[Role::Service],
        ))
        .await
        .unwrap()
        .into_inner()
}

fn coding(pointers: &[u32]) -> pb::Coding {
    pb::Coding {
        diagnoses: vec![
            pb::Diagnosis {
                code: "J02.9".into(),
                present_on_admission: String::new(),
            },
            pb::Diagnosis {
                code: "R50.9".into(),
                present_on_admission: String::new(),
            },
        ],
        lines: vec![pb::ProcedureLine {
            code: "99213".into(),
            modifiers: vec![],
            units: 1,
            diagnosis_pointers: pointers.to_vec(),
            date_of_service: None,
            revenue_code: String::new(),
        }],
    }
}

fn as_coder<T>(message: T, coder: &str) -> tonic::Request<T> {
    authorized(message, coder, &[Role::Coder])
}

backend_tests!(
    submitting_the_same_source_encounter_twice_returns_the_first,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let first = submit(&mut client, "E-1").await;
        let again = submit(&mut client, "E-1").await;
        assert!(first.created);
        assert!(!again.created);
        let (a, b) = (first.encounter.unwrap(), again.encounter.unwrap());
        assert_eq!(a.encounter_id, b.encounter_id);
        assert_eq!(a.status, pb::EncounterStatus::Ready as i32);
        service.stop().await;
    }
);

backend_tests!(
    bad_intake_names_the_field_and_stores_nothing,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let mut bad = submission("E-2");
        bad.rendering_provider_npi = "1234567890".into();
        let status = client
            .submit_encounter(authorized(bad, "ehr-link", &[Role::Service]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with("rendering_provider_npi:"),
            "{}",
            status.message()
        );

        let mut bad = submission("E-2");
        bad.facility_npi = "1587987650".into();
        let status = client
            .submit_encounter(authorized(bad, "ehr-link", &[Role::Service]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with("facility_npi:"),
            "{}",
            status.message()
        );

        let mut bad = submission("E-2");
        bad.proposed = Some(pb::Coding {
            diagnoses: vec![pb::Diagnosis {
                code: "9999".into(),
                present_on_admission: String::new(),
            }],
            lines: vec![],
        });
        let status = client
            .submit_encounter(authorized(bad, "ehr-link", &[Role::Service]))
            .await
            .unwrap_err();
        assert_eq!(
            status.message().split(':').next(),
            Some("proposed.diagnoses[0].code")
        );

        // A present-on-admission indicator is Y, N, U, W or 1 (exempt).
        let mut bad = submission("E-2");
        bad.proposed = Some(pb::Coding {
            diagnoses: [("E119", "Y"), ("I10", "X")]
                .into_iter()
                .map(|(code, poa)| pb::Diagnosis {
                    code: code.into(),
                    present_on_admission: poa.into(),
                })
                .collect(),
            lines: vec![],
        });
        let status = client
            .submit_encounter(authorized(bad, "ehr-link", &[Role::Service]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message().split(':').next(),
            Some("proposed.diagnoses[1].present_on_admission"),
            "{}",
            status.message()
        );

        // Nothing was stored: the valid submission is new.
        assert!(submit(&mut client, "E-2").await.created);
        service.stop().await;
    }
);

backend_tests!(
    a_coder_codes_and_releases_and_the_release_is_published_once,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let id = submit(&mut client, "E-3")
            .await
            .encounter
            .unwrap()
            .encounter_id;

        let claimed = client
            .claim_next_encounter(as_coder(pb::ClaimNextEncounterRequest::default(), "ann"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(claimed.encounter_id, id);
        assert_eq!(claimed.assigned_coder, "ann");

        // Another coder may not save ann's encounter.
        let status = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1])),
                    expected_version: 0,
                },
                "bob",
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");

        // A pointer to a third diagnosis points nowhere: release is blocked.
        let saved = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1, 3])),
                    expected_version: claimed.version,
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(saved.coding.as_ref().unwrap().diagnoses[0].code, "J029");
        assert_eq!(saved.findings[0].edit_id, "DX_POINTER_INVALID");
        let release = pb::ReleaseEncounterRequest {
            encounter_id: id.clone(),
            acknowledgments: vec![],
        };
        let status = client
            .release_encounter(as_coder(release.clone(), "ann"))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(
            status.message().contains("DX_POINTER_INVALID"),
            "{}",
            status.message()
        );

        // A stale version is refused rather than overwriting.
        let status = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1, 2])),
                    expected_version: claimed.version,
                },
                "ann",
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Aborted);

        client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1, 2])),
                    expected_version: saved.version,
                },
                "ann",
            ))
            .await
            .unwrap();
        let check = client
            .check_coding(as_coder(
                pb::CheckCodingRequest {
                    encounter_id: id.clone(),
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(check.releasable, "{:?}", check.findings);
        let released = client
            .release_encounter(as_coder(release.clone(), "ann"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            released.encounter.as_ref().unwrap().status,
            pb::EncounterStatus::Released as i32
        );

        // Read-only after release.
        let status = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1])),
                    expected_version: 0,
                },
                "ann",
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition);
        let status = client
            .release_encounter(as_coder(release, "ann"))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition);

        // Exactly one EncounterReleased on the feed, carrying the coding.
        let mut feed = EventFeedClient::new(service.channel().await);
        let mut stream = feed
            .subscribe(authorized(
                SubscribeRequest::default(),
                "billing",
                &[Role::Service],
            ))
            .await
            .unwrap()
            .into_inner();
        let mut events = Vec::new();
        while let Ok(Ok(Some(event))) =
            tokio::time::timeout(std::time::Duration::from_millis(500), stream.message()).await
        {
            events.push(event);
        }
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].event_type, pb::EncounterReleased::full_name());
        assert_eq!(events[0].sequence, released.event_sequence);
        let payload = pb::EncounterReleased::decode(events[0].payload.as_slice()).unwrap();
        assert_eq!(payload.encounter_id, id);
        assert_eq!(payload.lines[0].diagnosis_pointers, vec![1, 2]);
        assert_eq!(payload.release_number, 1);
        assert_eq!(payload.replaces_claim_id, "");
        assert_eq!(payload.facility_npi, "1587987656");

        // The history names every step and the coding before and after.
        let history = client
            .get_encounter_history(as_coder(
                pb::GetEncounterHistoryRequest { encounter_id: id },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        let actions: Vec<&str> = history.changes.iter().map(|c| c.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "submitted",
                "claimed",
                "coding_saved",
                "coding_saved",
                "released"
            ]
        );
        assert_eq!(
            history.changes[3].before.as_ref().unwrap().lines[0].diagnosis_pointers,
            vec![1, 3]
        );
        service.stop().await;
    }
);

backend_tests!(
    a_warning_must_be_acknowledged_with_a_reason_before_release,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let id = submit(&mut client, "E-4")
            .await
            .encounter
            .unwrap()
            .encounter_id;
        client
            .claim_next_encounter(as_coder(pb::ClaimNextEncounterRequest::default(), "ann"))
            .await
            .unwrap();
        let mut twice = coding(&[1]);
        twice.diagnoses[1].code = "J02.9".into();
        let saved = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(twice),
                    expected_version: 0,
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        let warning = &saved.findings[0];
        assert_eq!(warning.severity, pb::Severity::Warning as i32);
        let release = |reason: &str| pb::ReleaseEncounterRequest {
            encounter_id: id.clone(),
            acknowledgments: vec![pb::WarningAcknowledgment {
                finding_key: warning.finding_key.clone(),
                reason: reason.into(),
            }],
        };
        let status = client
            .release_encounter(as_coder(release("  "), "ann"))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(
            status.message().contains("DUPLICATE_DIAGNOSIS"),
            "{}",
            status.message()
        );
        client
            .release_encounter(as_coder(
                release("listed twice by the EHR; claim shows once"),
                "ann",
            ))
            .await
            .unwrap();
        service.stop().await;
    }
);

backend_tests!(
    a_held_encounter_resumes_when_the_physician_answers,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let id = submit(&mut client, "E-5")
            .await
            .encounter
            .unwrap()
            .encounter_id;
        client
            .claim_next_encounter(as_coder(pb::ClaimNextEncounterRequest::default(), "ann"))
            .await
            .unwrap();
        let held = client
            .hold_encounter(as_coder(
                pb::HoldEncounterRequest {
                    encounter_id: id.clone(),
                    question: "Was the strep culture sent?".into(),
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(held.status, pb::EncounterStatus::OnHold as i32);
        let query_id = held.queries[0].query_id.clone();
        let status = client
            .save_coding(as_coder(
                pb::SaveCodingRequest {
                    encounter_id: id.clone(),
                    coding: Some(coding(&[1])),
                    expected_version: 0,
                },
                "ann",
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition, "no saving on hold");
        let resumed = client
            .resume_encounter(as_coder(
                pb::ResumeEncounterRequest {
                    encounter_id: id,
                    query_id,
                    answer: "Yes, pending.".into(),
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resumed.status, pb::EncounterStatus::InProgress as i32);
        assert_eq!(resumed.queries[0].answer, "Yes, pending.");
        service.stop().await;
    }
);

backend_tests!(
    an_inpatient_encounter_needs_its_stay_and_keeps_it,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = Client::new(service.channel().await);
        let stay = pb::InpatientStay {
            admission_hour: 22,
            admission_type: "1".into(),
            admission_source: "2".into(),
            discharge_hour: 11,
            discharge_status: "06".into(),
        };
        let inpatient = |id: &str, stay: Option<pb::InpatientStay>| {
            let mut s = submission(id);
            s.encounter_type = pb::EncounterType::Inpatient as i32;
            s.place_of_service = String::new();
            s.facility_npi = String::new();
            s.dates_of_service = Some(common::DateRange {
                start: Some(date(2026, 6, 1)),
                end: Some(date(2026, 6, 4)),
            });
            s.inpatient_stay = stay;
            s
        };
        let refused = async |client: &mut Client, request| {
            let status = client
                .submit_encounter(authorized(request, "ehr-link", &[Role::Service]))
                .await
                .unwrap_err();
            assert_eq!(status.code(), Code::InvalidArgument);
            status.message().to_string()
        };

        let message = refused(&mut client, inpatient("IP-1", None)).await;
        assert!(
            message.starts_with("inpatient_stay: is required"),
            "{message}"
        );
        let bad = |f: &dyn Fn(&mut pb::InpatientStay)| {
            let mut s = stay.clone();
            f(&mut s);
            inpatient("IP-1", Some(s))
        };
        let message = refused(&mut client, bad(&|s| s.discharge_status = "08".into())).await;
        assert!(
            message.starts_with("inpatient_stay.discharge_status: must be a NUBC"),
            "{message}"
        );
        let message = refused(&mut client, bad(&|s| s.admission_hour = 24)).await;
        assert!(
            message.starts_with("inpatient_stay.admission_hour:"),
            "{message}"
        );
        let message = refused(&mut client, bad(&|s| s.admission_type = "7".into())).await;
        assert!(
            message.starts_with("inpatient_stay.admission_type:"),
            "{message}"
        );
        let message = refused(&mut client, bad(&|s| s.admission_source = "3".into())).await;
        assert!(
            message.starts_with("inpatient_stay.admission_source:"),
            "{message}"
        );
        let mut office_visit = submission("IP-1");
        office_visit.inpatient_stay = Some(stay.clone());
        let message = refused(&mut client, office_visit).await;
        assert!(
            message.starts_with("inpatient_stay: is for inpatient encounters only"),
            "{message}"
        );
        // Nothing was stored by the refusals.
        let listed = client
            .list_encounters(as_coder(pb::ListEncountersRequest::default(), "ann"))
            .await
            .unwrap()
            .into_inner();
        assert!(listed.encounters.is_empty(), "{listed:?}");

        // Admission point of origin in lower case is taken as the NUBC code.
        let mut lower = stay.clone();
        lower.admission_source = "d".into();
        let created = client
            .submit_encounter(authorized(
                inpatient("IP-1", Some(lower)),
                "ehr-link",
                &[Role::Service],
            ))
            .await
            .unwrap()
            .into_inner()
            .encounter
            .unwrap();
        let read = client
            .get_encounter(as_coder(
                pb::GetEncounterRequest {
                    encounter_id: created.encounter_id,
                },
                "ann",
            ))
            .await
            .unwrap()
            .into_inner();
        let mut expected = stay.clone();
        expected.admission_source = "D".into();
        assert_eq!(read.inpatient_stay, Some(expected));
        service.stop().await;
    }
);
