//! `SuggestCodes` through the gRPC API (SQLite and PostgreSQL): findings in
//! the documentation become ranked ICD-10-CM candidates with the matched
//! text as evidence; negated findings are flagged and ranked below present
//! ones; nothing is applied to the encounter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1 as wire;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};

const NOTE: &str = "Patient reports chest pain and shortness of breath since this morning. \
                    Denies fever. No cough.";

backend_tests!(
    documentation_findings_are_suggested_with_evidence_and_negations_ranked_down,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        seed::seed_code_sets(&db).await;
        let service = seed::start(db).await;
        let mut client = EncounterServiceClient::new(service.channel().await);
        let submitted = client
            .submit_encounter(authorized(
                pb::SubmitEncounterRequest {
                    source_system: "ehr".into(),
                    source_encounter_id: "S-1".into(),
                    patient_mrn: "MRN1".into(),
                    patient_age_years: 58,
                    patient_sex: wire::Sex::Male as i32,
                    rendering_provider_npi: "1234567893".into(),
                    dates_of_service: Some(wire::DateRange {
                        start: Some(wire::Date {
                            year: 2026,
                            month: 6,
                            day: 1,
                        }),
                        end: None,
                    }),
                    place_of_service: "23".into(),
                    encounter_type: pb::EncounterType::Professional as i32,
                    documentation: NOTE.into(),
                    proposed: None,
                    priority: 0,
                    payer_id: String::new(),
                    facility_npi: String::new(),
                    inpatient_stay: None,
                },
                "ehr-link",
                &[Role::Service],
            ))
            .await
            .unwrap()
            .into_inner()
            .encounter
            .unwrap();

        let suggestions = client
            .suggest_codes(authorized(
                pb::SuggestCodesRequest {
                    encounter_id: submitted.encounter_id.clone(),
                    text: String::new(),
                    date_of_service: None,
                    limit: 10,
                },
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap()
            .into_inner()
            .suggestions;
        let codes: Vec<&str> = suggestions.iter().map(|s| s.code.as_str()).collect();
        let position = |code: &str| {
            codes
                .iter()
                .position(|c| *c == code)
                .unwrap_or_else(|| panic!("{code} missing from {codes:?}"))
        };

        // Present findings first, with the text that matched.
        for code in ["R079", "R0602"] {
            let s = &suggestions[position(code)];
            assert!(!s.negated, "{code} is present: {s:?}");
        }
        let chest = &suggestions[position("R079")];
        assert_eq!(chest.evidence[0].text, "chest pain");
        assert_eq!(
            &NOTE[chest.evidence[0].start as usize..chest.evidence[0].end as usize],
            "chest pain"
        );
        // Negated findings are flagged and ranked below every present one.
        for code in ["R509", "R059"] {
            let s = &suggestions[position(code)];
            assert!(s.negated, "{code} is negated: {s:?}");
            assert!(position(code) > position("R079") && position(code) > position("R0602"));
        }

        // Suggestions are not applied: the encounter's coding is untouched.
        let after = client
            .get_encounter(authorized(
                pb::GetEncounterRequest {
                    encounter_id: submitted.encounter_id,
                },
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(after.coding.unwrap().diagnoses.is_empty());

        // Free text works too, and a finding without a code suggests nothing.
        let free = client
            .suggest_codes(authorized(
                pb::SuggestCodesRequest {
                    encounter_id: String::new(),
                    text: "Routine paperwork only.".into(),
                    date_of_service: None,
                    limit: 5,
                },
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(free.suggestions.is_empty(), "{:?}", free.suggestions);
        service.stop().await;
    }
);
