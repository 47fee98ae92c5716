//! The registry through the real server on SQLite and PostgreSQL: payers,
//! providers, patients (audited) and coverages, with invalid fields named
//! and unknown references refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    ClaimForm, CreateFacilityRequest, GetFacilityRequest, GetPatientRequest, GetPayerRequest,
    GetProviderRequest, ListCoveragesRequest, ListFacilitiesRequest, ListPayersRequest,
    Relationship, ScrubClaimRequest, SubmissionStatus, TerminateCoverageRequest,
    UpdatePatientRequest, UpdatePayerRequest,
};
use medbill_contracts::medbill::common::v1::{DateRange, PageRequest, Sex};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::TestDatabase;
use support::*;
use tonic::Code;

backend_tests!(
    payers_are_listed_by_name_page_by_page_and_a_deactivated_one_only_when_asked,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let zeta = api
            .create_payer(as_biller(commercial_payer("Zeta Health")))
            .await
            .unwrap()
            .into_inner();
        let acme = api
            .create_payer(as_biller(commercial_payer("Acme Mutual")))
            .await
            .unwrap()
            .into_inner();
        let mut medicare = commercial_payer("Medicare Part B");
        medicare.claim_forms = vec![
            ClaimForm::Institutional as i32,
            ClaimForm::Professional as i32,
        ];
        medicare.timely_filing_days = 365;
        medicare.appeal_window_days = 120;
        let medicare = api
            .create_payer(as_biller(medicare))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            medicare.claim_forms,
            vec![
                ClaimForm::Professional as i32,
                ClaimForm::Institutional as i32
            ]
        );

        let mut names = Vec::new();
        let mut token = String::new();
        loop {
            let page = api
                .list_payers(as_biller(ListPayersRequest {
                    include_inactive: false,
                    page: Some(PageRequest {
                        page_size: 2,
                        page_token: token.clone(),
                    }),
                }))
                .await
                .unwrap()
                .into_inner();
            names.extend(page.payers.iter().map(|p| p.name.clone()));
            token = page.page.unwrap().next_page_token;
            if token.is_empty() {
                break;
            }
        }
        assert_eq!(names, ["Acme Mutual", "Medicare Part B", "Zeta Health"]);

        let updated = api
            .update_payer(as_biller(UpdatePayerRequest {
                payer_id: zeta.payer_id.clone(),
                name: "Zeta Health".into(),
                timely_filing_days: 90,
                address: address(),
                fee_schedule_id: String::new(),
                active: false,
                appeal_window_days: 60,
                claim_forms: vec![ClaimForm::Professional as i32],
                follow_up_days: 45,
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(!updated.active);
        assert_eq!(updated.follow_up_days, 45);
        assert_eq!(updated.electronic_payer_id, zeta.electronic_payer_id);
        let read = api
            .get_payer(as_biller(GetPayerRequest {
                payer_id: zeta.payer_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read, updated);
        assert_eq!((read.timely_filing_days, read.appeal_window_days), (90, 60));

        let active = api
            .list_payers(as_biller(ListPayersRequest::default()))
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<_> = active.payers.iter().map(|p| p.payer_id.clone()).collect();
        assert_eq!(ids, [acme.payer_id.clone(), medicare.payer_id.clone()]);
        let all = api
            .list_payers(as_biller(ListPayersRequest {
                include_inactive: true,
                page: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(all.payers.len(), 3);
        service.stop().await;
    }
);

backend_tests!(
    a_payer_request_missing_a_rule_or_naming_an_unknown_payer_is_refused_by_field,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let mut no_forms = commercial_payer("Acme");
        no_forms.claim_forms.clear();
        assert_fails(
            api.create_payer(as_biller(no_forms)).await,
            Code::InvalidArgument,
            "claim_forms:",
        );
        let mut no_indicator = commercial_payer("Acme");
        no_indicator.filing_indicator = 0;
        assert_fails(
            api.create_payer(as_biller(no_indicator)).await,
            Code::InvalidArgument,
            "filing_indicator:",
        );
        let mut no_window = commercial_payer("Acme");
        no_window.timely_filing_days = 0;
        assert_fails(
            api.create_payer(as_biller(no_window)).await,
            Code::InvalidArgument,
            "timely_filing_days:",
        );
        let mut bad_zip = commercial_payer("Acme");
        bad_zip.address.as_mut().unwrap().postal_code = "1220".into();
        assert_fails(
            api.create_payer(as_biller(bad_zip)).await,
            Code::InvalidArgument,
            "address.postal_code:",
        );
        assert_fails(
            api.get_payer(as_biller(GetPayerRequest {
                payer_id: "payer-1".into(),
            }))
            .await,
            Code::InvalidArgument,
            "payer_id:",
        );
        assert_fails(
            api.get_payer(as_biller(GetPayerRequest {
                payer_id: new_uuid_v7(),
            }))
            .await,
            Code::NotFound,
            "payer",
        );
        service.stop().await;
    }
);

backend_tests!(
    a_facility_is_registered_once_by_npi_and_a_claim_naming_an_unknown_one_is_held,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register_for_claims(&h.service, "MRN-F", true).await;
        let mut api = registry(&h.service).await;
        let facility = |npi: &str, name: &str| {
            as_biller(CreateFacilityRequest {
                npi: npi.into(),
                name: name.into(),
                address: address(),
            })
        };
        assert_fails(
            api.create_facility(facility("1587987650", "Imaging")).await,
            Code::InvalidArgument,
            "npi:",
        );
        assert_fails(
            api.create_facility(facility("1587987656", " ")).await,
            Code::InvalidArgument,
            "name:",
        );
        let mut no_address = CreateFacilityRequest {
            npi: "1587987656".into(),
            name: "Imaging".into(),
            address: None,
        };
        assert_fails(
            api.create_facility(as_biller(no_address.clone())).await,
            Code::InvalidArgument,
            "address",
        );
        no_address.address = address();
        let created = api
            .create_facility(as_biller(no_address))
            .await
            .unwrap()
            .into_inner();
        assert_fails(
            api.create_facility(facility("1587987656", "Again")).await,
            Code::AlreadyExists,
            "facility ",
        );
        let by_npi = api
            .get_facility(as_biller(GetFacilityRequest {
                facility_id: String::new(),
                npi: "1587987656".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(by_npi, created);
        assert_fails(
            api.get_facility(as_biller(GetFacilityRequest {
                facility_id: new_uuid_v7(),
                npi: String::new(),
            }))
            .await,
            Code::NotFound,
            "facility",
        );
        let listed = api
            .list_facilities(as_biller(ListFacilitiesRequest { page: None }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.facilities, std::slice::from_ref(&created));

        // A release naming a facility nobody registered: held, by rule and
        // field; registering it lets the claim go.
        let encounter = new_uuid_v7();
        let mut release = released(&encounter, "MRN-F", vec![line("99213", 1)]);
        release.facility_npi = "1334455668".into();
        h.coding.publish(&encounter, &release).await;
        let claim = claims_of_encounter(&h.service, &encounter, 1)
            .await
            .remove(0);
        let blocking: Vec<(&str, &str)> = claim
            .scrub_findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| (f.rule_id.as_str(), f.field.as_str()))
            .collect();
        assert_eq!(
            blocking,
            [("SERVICE_FACILITY_UNKNOWN", "service_facility_npi")]
        );
        api.create_facility(facility("1334455668", "Eastside Clinic"))
            .await
            .unwrap();
        let scrubbed = claims(&h.service)
            .await
            .scrub_claim(as_biller(ScrubClaimRequest {
                claim_id: claim.claim_id.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            scrubbed.submission,
            SubmissionStatus::Ready as i32,
            "{:?}",
            scrubbed.scrub_findings
        );
        assert_eq!(scrubbed.service_facility_npi, "1334455668");
        h.service.stop().await;
    }
);

backend_tests!(
    a_provider_needs_a_luhn_valid_npi_that_no_other_provider_holds,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        assert_fails(
            api.create_provider(as_biller(physician("1234567890")))
                .await,
            Code::InvalidArgument,
            "npi:",
        );
        assert_fails(
            api.create_provider(as_biller(physician("12345"))).await,
            Code::InvalidArgument,
            "npi:",
        );
        let mut bad_ein = physician("1234567893");
        bad_ein.tax_id = "12-345".into();
        assert_fails(
            api.create_provider(as_biller(bad_ein)).await,
            Code::InvalidArgument,
            "tax_id:",
        );
        let mut bad_taxonomy = physician("1234567893");
        bad_taxonomy.taxonomy = "207Q".into();
        assert_fails(
            api.create_provider(as_biller(bad_taxonomy)).await,
            Code::InvalidArgument,
            "taxonomy:",
        );

        let mut clinic = physician("1234567893");
        clinic.organization = true;
        clinic.name = "Albany Clinic".into();
        clinic.first_name = String::new();
        clinic.tax_id = "14-1234567".into();
        let clinic = api
            .create_provider(as_biller(clinic))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(clinic.tax_id, "141234567");
        assert_fails(
            api.create_provider(as_biller(physician("1234567893")))
                .await,
            Code::AlreadyExists,
            "",
        );

        let by_npi = api
            .get_provider(as_biller(GetProviderRequest {
                provider_id: String::new(),
                npi: "1234567893".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(by_npi, clinic);
        assert_fails(
            api.get_provider(as_biller(GetProviderRequest {
                provider_id: String::new(),
                npi: "9876543213".into(),
            }))
            .await,
            Code::NotFound,
            "provider",
        );
        service.stop().await;
    }
);

backend_tests!(
    registering_a_patient_is_idempotent_on_the_mrn_and_every_read_is_audited,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let first = api
            .create_patient(as_biller(patient("MRN-100")))
            .await
            .unwrap()
            .into_inner();
        let again = api
            .create_patient(as_biller(patient("MRN-100")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again, first);
        assert!(!first.guarantor_account_id.is_empty());
        let mut other = patient("MRN-100");
        other.birth_date = date(1971, 1, 1);
        let refused = api
            .create_patient(as_biller(other))
            .await
            .expect_err("other demographics");
        assert_eq!(refused.code(), Code::AlreadyExists);
        assert!(
            refused.message().contains(&first.patient_id),
            "{}",
            refused.message()
        );

        let mut bad_date = patient("MRN-200");
        bad_date.birth_date = date(1960, 2, 30);
        assert_fails(
            api.create_patient(as_biller(bad_date)).await,
            Code::InvalidArgument,
            "birth_date:",
        );
        let mut no_sex = patient("MRN-200");
        no_sex.sex = Sex::Unspecified as i32;
        assert_fails(
            api.create_patient(as_biller(no_sex)).await,
            Code::InvalidArgument,
            "sex:",
        );

        let by_mrn = api
            .get_patient(as_biller(GetPatientRequest {
                patient_id: String::new(),
                mrn: "MRN-100".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(by_mrn, first);
        let moved = api
            .update_patient(as_biller(UpdatePatientRequest {
                patient_id: first.patient_id.clone(),
                name: name("Doe-Smith", "Jane"),
                address: address(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(moved.name.unwrap().last, "Doe-Smith");
        assert_eq!(moved.birth_date, first.birth_date);
        assert_eq!(
            audit_rows(&service, &first.patient_id).await,
            [
                ("create".to_string(), "CreatePatient".to_string()),
                ("create".to_string(), "CreatePatient".to_string()),
                ("read".to_string(), "GetPatient".to_string()),
                ("update".to_string(), "UpdatePatient".to_string()),
            ]
        );
        assert_fails(
            api.get_patient(as_biller(GetPatientRequest {
                patient_id: new_uuid_v7(),
                mrn: String::new(),
            }))
            .await,
            Code::NotFound,
            "patient",
        );
        service.stop().await;
    }
);

backend_tests!(
    coverages_hold_one_payer_per_rank_at_a_time_and_list_by_rank_on_a_date,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let primary_payer = api
            .create_payer(as_biller(commercial_payer("Acme")))
            .await
            .unwrap()
            .into_inner();
        let secondary_payer = api
            .create_payer(as_biller(commercial_payer("Beta")))
            .await
            .unwrap()
            .into_inner();
        let p = api
            .create_patient(as_biller(patient("MRN-300")))
            .await
            .unwrap()
            .into_inner();

        let mut spouse = coverage(&p.patient_id, &secondary_payer.payer_id, 2);
        spouse.relationship = Relationship::Spouse as i32;
        assert_fails(
            api.add_coverage(as_biller(spouse.clone())).await,
            Code::InvalidArgument,
            "subscriber_name:",
        );
        spouse.subscriber_name = name("Doe", "John");
        spouse.subscriber_birth_date = date(1958, 7, 9);
        spouse.subscriber_sex = Sex::Male as i32;
        let secondary = api
            .add_coverage(as_biller(spouse))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(secondary.subscriber_name.unwrap().first, "John");
        let primary = api
            .add_coverage(as_biller(coverage(
                &p.patient_id,
                &primary_payer.payer_id,
                1,
            )))
            .await
            .unwrap()
            .into_inner();

        assert_fails(
            api.add_coverage(as_biller(coverage(
                &p.patient_id,
                &secondary_payer.payer_id,
                1,
            )))
            .await,
            Code::FailedPrecondition,
            "",
        );
        assert_fails(
            api.add_coverage(as_biller(coverage(&p.patient_id, &new_uuid_v7(), 3)))
                .await,
            Code::NotFound,
            "payer",
        );
        assert_fails(
            api.add_coverage(as_biller(coverage(
                &p.patient_id,
                &primary_payer.payer_id,
                4,
            )))
            .await,
            Code::InvalidArgument,
            "rank:",
        );
        let mut backwards = coverage(&p.patient_id, &primary_payer.payer_id, 3);
        backwards.effective = Some(DateRange {
            start: date(2026, 5, 1),
            end: date(2026, 4, 1),
        });
        assert_fails(
            api.add_coverage(as_biller(backwards)).await,
            Code::InvalidArgument,
            "effective.end:",
        );

        let ended = api
            .terminate_coverage(as_biller(TerminateCoverageRequest {
                coverage_id: primary.coverage_id.clone(),
                end: date(2026, 6, 30),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(ended.effective.unwrap().end, date(2026, 6, 30));

        let on = |day| ListCoveragesRequest {
            patient_id: p.patient_id.clone(),
            as_of: day,
        };
        let ranks = |list: Vec<medbill_contracts::medbill::billing::v1::Coverage>| {
            list.iter()
                .map(|c| (c.rank, c.payer_id.clone()))
                .collect::<Vec<_>>()
        };
        let in_june = api
            .list_coverages(as_biller(on(date(2026, 6, 15))))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            ranks(in_june.coverages),
            [
                (1, primary_payer.payer_id.clone()),
                (2, secondary_payer.payer_id.clone())
            ]
        );
        let in_july = api
            .list_coverages(as_biller(on(date(2026, 7, 1))))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            ranks(in_july.coverages),
            [(2, secondary_payer.payer_id.clone())]
        );
        let all = api
            .list_coverages(as_biller(on(None)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(all.coverages.len(), 2);
        // After the primary ended, another payer may take rank 1.
        let mut new_primary = coverage(&p.patient_id, &secondary_payer.payer_id, 1);
        new_primary.effective = Some(DateRange {
            start: date(2026, 7, 1),
            end: None,
        });
        api.add_coverage(as_biller(new_primary)).await.unwrap();
        assert_eq!(
            audit_rows(&service, &p.patient_id)
                .await
                .iter()
                .filter(|(a, _)| a == "read")
                .count(),
            3,
            "each ListCoverages is a read of the patient"
        );
        service.stop().await;
    }
);
