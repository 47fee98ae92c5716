//! Two coders claiming from the queue at the same time, 1,000 times each,
//! never receive the same encounter (SQLite and PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::collections::HashSet;

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1 as common;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};

const CLAIMS_PER_CODER: usize = 1_000;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_coding::MIGRATIONS).await;
    seed::start(db).await
}

fn submission(n: usize) -> pb::SubmitEncounterRequest {
    pb::SubmitEncounterRequest {
        source_system: "ehr".into(),
        source_encounter_id: format!("E-{n}"),
        patient_mrn: format!("MRN{n}"),
        patient_age_years: 30,
        patient_sex: common::Sex::Male as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(common::DateRange {
            start: Some(common::Date {
                year: 2026,
                month: 5,
                day: 4,
            }),
            end: None,
        }),
        place_of_service: "11".into(),
        encounter_type: pb::EncounterType::Professional as i32,
        documentation: "Follow-up visit.".into(),
        proposed: None,
        // Mixed priorities, so the queue order is exercised too.
        priority: if n.is_multiple_of(5) {
            pb::Priority::High as i32
        } else {
            0
        },
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: None,
    }
}

backend_tests!(
    two_coders_claiming_concurrently_never_get_the_same_encounter,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let channel = service.channel().await;
        let total = 2 * CLAIMS_PER_CODER;
        // Submit from 8 clients at once to fill the queue quickly.
        let mut loaders = Vec::new();
        for part in 0..8 {
            let mut client = EncounterServiceClient::new(channel.clone());
            loaders.push(tokio::spawn(async move {
                for n in (part..total).step_by(8) {
                    client
                        .submit_encounter(authorized(submission(n), "ehr-link", &[Role::Service]))
                        .await
                        .unwrap();
                }
            }));
        }
        for l in loaders {
            l.await.unwrap();
        }

        let mut coders = Vec::new();
        for coder in ["ann", "bob"] {
            let mut client = EncounterServiceClient::new(service.channel().await);
            coders.push(tokio::spawn(async move {
                let mut got = Vec::with_capacity(CLAIMS_PER_CODER);
                for _ in 0..CLAIMS_PER_CODER {
                    let encounter = client
                        .claim_next_encounter(authorized(
                            pb::ClaimNextEncounterRequest::default(),
                            coder,
                            &[Role::Coder],
                        ))
                        .await
                        .unwrap()
                        .into_inner();
                    assert_eq!(encounter.assigned_coder, coder);
                    got.push((encounter.encounter_id, encounter.priority));
                }
                got
            }));
        }
        let ann = coders.remove(0).await.unwrap();
        let bob = coders.remove(0).await.unwrap();
        let distinct: HashSet<&String> = ann.iter().chain(&bob).map(|(id, _)| id).collect();
        assert_eq!(distinct.len(), total, "an encounter was handed out twice");

        // Each coder got the high-priority encounters before routine ones.
        for claims in [&ann, &bob] {
            let first_routine = claims
                .iter()
                .position(|(_, p)| *p == pb::Priority::Routine as i32)
                .unwrap();
            assert!(
                claims[first_routine..]
                    .iter()
                    .all(|(_, p)| *p == pb::Priority::Routine as i32),
                "a high-priority encounter came after a routine one"
            );
        }

        // The queue is empty now.
        let mut client = EncounterServiceClient::new(service.channel().await);
        let status = client
            .claim_next_encounter(authorized(
                pb::ClaimNextEncounterRequest::default(),
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::NotFound);
        service.stop().await;
    }
);
