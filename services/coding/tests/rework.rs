//! The denial feedback loop end to end over gRPC: a released encounter, a
//! `CodingReviewRequested` on billing's feed, the coding consumer re-opening
//! the encounter once at denial-rework priority with the denial's codes, and
//! the re-release naming the claim it replaces (SQLite and PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::time::Duration;

use medbill_contracts::medbill::billing::v1::CodingReviewRequested;
use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1::event_feed_client::EventFeedClient;
use medbill_contracts::medbill::common::v1::{self as common, SubscribeRequest};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::db::Database;
use medbill_platform::testing::{FakeFeed, TestDatabase, authorized, eventually, start_on};
use medbill_platform::{events, outbox};
use tonic::transport::Channel;

type Client = EncounterServiceClient<Channel>;

async fn publish_review(billing: &FakeFeed, encounter_id: &str, denial: &str) {
    let review = CodingReviewRequested {
        denial_id: denial.into(),
        claim_id: "0190d9a0-0000-7000-8000-00000000c1a1".into(),
        encounter_id: encounter_id.into(),
        carc_codes: vec!["11".into()],
        rarc_codes: vec!["M76".into()],
        note: "diagnosis inconsistent with procedure".into(),
    };
    billing.publish(denial, &review).await;
}

async fn cursor(db: &Database) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT last_sequence FROM consumer_cursors WHERE consumer = $1")
        .bind(medbill_coding::encounters::rework::CONSUMER)
        .fetch_optional(db.pool())
        .await
        .unwrap()
        .map(|r| r.get::<i64, _>(0))
        .unwrap_or(0)
}

fn as_coder<T>(message: T, coder: &str) -> tonic::Request<T> {
    authorized(message, coder, &[Role::Coder])
}

async fn code_and_release(client: &mut Client, coder: &str) -> pb::ReleaseEncounterResponse {
    let encounter = client
        .claim_next_encounter(as_coder(pb::ClaimNextEncounterRequest::default(), coder))
        .await
        .unwrap()
        .into_inner();
    let coding = pb::Coding {
        diagnoses: vec![pb::Diagnosis {
            code: "M54.50".into(),
            present_on_admission: String::new(),
        }],
        lines: vec![pb::ProcedureLine {
            code: "97110".into(),
            modifiers: vec!["GP".into()],
            units: 2,
            diagnosis_pointers: vec![1],
            date_of_service: None,
            revenue_code: String::new(),
        }],
    };
    client
        .save_coding(as_coder(
            pb::SaveCodingRequest {
                encounter_id: encounter.encounter_id.clone(),
                coding: Some(coding),
                expected_version: 0,
            },
            coder,
        ))
        .await
        .unwrap();
    client
        .release_encounter(as_coder(
            pb::ReleaseEncounterRequest {
                encounter_id: encounter.encounter_id,
                acknowledgments: vec![],
            },
            coder,
        ))
        .await
        .unwrap()
        .into_inner()
}

backend_tests!(
    a_coding_denial_reopens_the_encounter_once_and_the_rerelease_names_the_replaced_claim,
    |test_db: TestDatabase| async move {
        // Billing is a fake feed the test publishes to; coding is served
        // with it as its billing peer, so coding's own consumer follows it.
        let billing = FakeFeed::start(&test_db).await;
        let coding_db = test_db.connect(medbill_coding::MIGRATIONS).await;
        seed::seed_code_sets(&coding_db).await;
        let peers = medbill_coding::Peers {
            billing: Some(billing.peer("billing", "coding")),
        };
        let coding = start_on(
            coding_db.clone(),
            move |listener, db, settings, shutdown| {
                medbill_coding::serve(listener, db, settings, peers, shutdown)
            },
        )
        .await;

        let mut client = Client::new(coding.channel().await);
        let submission = pb::SubmitEncounterRequest {
            source_system: "ehr".into(),
            source_encounter_id: "E-900".into(),
            patient_mrn: "MRN900".into(),
            patient_age_years: 52,
            patient_sex: common::Sex::Male as i32,
            rendering_provider_npi: "1234567893".into(),
            dates_of_service: Some(common::DateRange {
                start: Some(common::Date {
                    year: 2026,
                    month: 3,
                    day: 9,
                }),
                end: None,
            }),
            place_of_service: "11".into(),
            encounter_type: pb::EncounterType::Professional as i32,
            documentation: "Low back pain, therapeutic exercise 30 minutes.".into(),
            proposed: None,
            priority: 0,
            payer_id: String::new(),
            facility_npi: String::new(),
            inpatient_stay: None,
        };
        let id = client
            .submit_encounter(authorized(submission, "ehr-link", &[Role::Service]))
            .await
            .unwrap()
            .into_inner()
            .encounter
            .unwrap()
            .encounter_id;
        let first = code_and_release(&mut client, "ann").await;
        assert_eq!(first.encounter.unwrap().encounter_id, id);

        // Billing works a coding denial; the same request is published twice
        // (a retry on billing's side) under two event ids.
        publish_review(&billing, &id, "denial-1").await;
        publish_review(&billing, &id, "denial-1-retry").await;
        let reopened = eventually("the denial to re-open the encounter", || {
            let mut client = client.clone();
            let id = id.clone();
            async move {
                let e = client
                    .get_encounter(as_coder(
                        pb::GetEncounterRequest { encounter_id: id },
                        "bob",
                    ))
                    .await
                    .unwrap()
                    .into_inner();
                (e.status == pb::EncounterStatus::Ready as i32).then_some(e)
            }
        })
        .await;
        assert_eq!(reopened.priority, pb::Priority::DenialRework as i32);
        let rework = reopened.rework.unwrap();
        assert_eq!(rework.claim_id, "0190d9a0-0000-7000-8000-00000000c1a1");
        assert_eq!(rework.carc_codes, ["11"]);
        assert_eq!(rework.rarc_codes, ["M76"]);

        // Re-coded and re-released: the event names the replaced claim.
        let second = code_and_release(&mut client, "bob").await;
        let mut feed = EventFeedClient::new(coding.channel().await);
        let mut stream = feed
            .subscribe(authorized(
                SubscribeRequest::default(),
                "billing",
                &[Role::Service],
            ))
            .await
            .unwrap()
            .into_inner();
        // The feed holds one event per release: read until both arrived,
        // then make sure no third one is stored.
        let mut released = Vec::new();
        while released.len() < 2 {
            let event = tokio::time::timeout(Duration::from_secs(20), stream.message())
                .await
                .expect("the releases to arrive on the feed")
                .unwrap()
                .unwrap();
            let typed = events::decode::<pb::EncounterReleased>(&event)
                .unwrap()
                .unwrap();
            released.push(typed.payload);
        }
        let mut conn = coding_db.pool().acquire().await.unwrap();
        let stored = outbox::read_after(&mut conn, 0, 10, &[]).await.unwrap();
        assert_eq!(stored.events.len(), 2, "one event per release");
        drop(conn);
        assert_eq!(released[0].replaces_claim_id, "");
        assert_eq!(
            released[1].replaces_claim_id,
            "0190d9a0-0000-7000-8000-00000000c1a1"
        );
        assert_eq!(released[1].release_number, 2);
        assert_eq!(second.event_sequence, 2);

        // A late retry of the same denial, after the re-release, must not
        // re-open the replacement release.
        publish_review(&billing, &id, "denial-1-late-retry").await;
        eventually("the late retry to be consumed", || {
            let db = coding_db.clone();
            async move { (cursor(&db).await >= 3).then_some(()) }
        })
        .await;
        let after = client
            .get_encounter(as_coder(
                pb::GetEncounterRequest {
                    encounter_id: id.clone(),
                },
                "bob",
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(after.status, pb::EncounterStatus::Released as i32);

        // The retries did not re-open the encounter a second time.
        let history = client
            .get_encounter_history(as_coder(
                pb::GetEncounterHistoryRequest { encounter_id: id },
                "bob",
            ))
            .await
            .unwrap()
            .into_inner();
        let reopens = history
            .changes
            .iter()
            .filter(|c| c.action == "reopened")
            .count();
        assert_eq!(reopens, 1);

        coding.stop().await;
    }
);
