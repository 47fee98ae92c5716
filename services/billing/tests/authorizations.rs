//! Prior authorizations through the real server on SQLite and PostgreSQL:
//! a claim for a code the payer wants authorized takes a matching
//! authorization's number (REF*G1 in the 837) and one of its visits, and is
//! READY; without one left it is held by AUTHORIZATION_REQUIRED; bad
//! requests name the field; an unknown patient is NOT_FOUND.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    AddAuthorizationRequest, CreateBatchRequest, GetBatchFileRequest, ListAuthorizationsRequest,
    PayerRules, SubmissionStatus,
};
use medbill_contracts::medbill::common::v1::DateRange;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use support::*;
use tonic::Code;

fn authorization(reg: &Registered, number: &str, visits: u32) -> AddAuthorizationRequest {
    AddAuthorizationRequest {
        number: number.into(),
        patient_id: reg.patient_id.clone(),
        payer_id: reg.payer_id.clone(),
        procedure_codes: vec!["99213".into(), "71046".into()],
        valid: Some(DateRange {
            start: date(2026, 9, 1),
            end: date(2026, 12, 31),
        }),
        visits_allowed: visits,
    }
}

backend_tests!(
    a_claim_for_an_authorized_code_takes_the_authorization_and_one_visit_until_none_is_left,
    |test_db: TestDatabase| async move {
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = registry(&h.service).await;
        api.set_payer_rules(as_biller(PayerRules {
            payer_id: reg.payer_id.clone(),
            overrides: vec![],
            authorization_required_codes: vec!["99213".into()],
        }))
        .await
        .unwrap();
        let added = api
            .add_authorization(as_biller(authorization(&reg, "AUTH-4455", 1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(added.procedure_codes, ["71046", "99213"]);
        assert_eq!((added.visits_allowed, added.visits_used), (1, 0));

        let first = new_uuid_v7();
        h.coding
            .publish(
                &first,
                &released(&first, "MRN-1", vec![line("99213", 1), line("36415", 1)]),
            )
            .await;
        let claim = claims_of_encounter(&h.service, &first, 1).await.remove(0);
        assert_eq!(
            claim.submission,
            SubmissionStatus::Ready as i32,
            "{:?}",
            claim.scrub_findings
        );
        assert_eq!(claim.prior_authorization, "AUTH-4455");

        // The one visit is used: the next claim for 99213 is held.
        let second = new_uuid_v7();
        h.coding
            .publish(&second, &released(&second, "MRN-1", vec![line("99213", 1)]))
            .await;
        let held = claims_of_encounter(&h.service, &second, 1).await.remove(0);
        assert_eq!(held.submission, SubmissionStatus::Held as i32);
        assert_eq!(held.prior_authorization, "");
        let rules: Vec<&str> = held
            .scrub_findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| f.rule_id.as_str())
            .collect();
        assert_eq!(rules, ["AUTHORIZATION_REQUIRED"]);
        let listed = api
            .list_authorizations(as_biller(ListAuthorizationsRequest {
                patient_id: reg.patient_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .authorizations;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].visits_used, 1);
        let reads = audit_rows(&h.service, &reg.patient_id).await;
        assert!(
            reads.contains(&("read".into(), "ListAuthorizations".into())),
            "{reads:?}"
        );

        // The ready claim's 837 carries the number in REF*G1.
        let mut sub = submission(&h.service).await;
        let batch = sub
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(batch.claim_ids, std::slice::from_ref(&claim.claim_id));
        let file = sub
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: batch.batch_id,
            }))
            .await
            .unwrap()
            .into_inner();
        let text = String::from_utf8(file.content).unwrap();
        assert!(text.contains("REF*G1*AUTH-4455~"), "{text}");

        // Re-coded after it went out: the replacement bills the same visit
        // with the same authorization, and uses no other.
        let mut again = released(&first, "MRN-1", vec![line("99213", 2)]);
        again.release_number = 2;
        h.coding.publish(&first, &again).await;
        let replacement = claims_of_encounter(&h.service, &first, 2).await.remove(0);
        assert_eq!(replacement.frequency_code, "7");
        assert_eq!(replacement.prior_authorization, "AUTH-4455");
        let listed = api
            .list_authorizations(as_biller(ListAuthorizationsRequest {
                patient_id: reg.patient_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .authorizations;
        assert_eq!(listed[0].visits_used, 1);
        h.service.stop().await;
    }
);

backend_tests!(
    an_authorization_for_another_code_or_outside_its_dates_does_not_serve_a_claim,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-2", true).await;
        let mut api = registry(&h.service).await;
        api.set_payer_rules(as_biller(PayerRules {
            payer_id: reg.payer_id.clone(),
            overrides: vec![],
            authorization_required_codes: vec!["99213".into()],
        }))
        .await
        .unwrap();
        let mut other_code = authorization(&reg, "AUTH-1", 5);
        other_code.procedure_codes = vec!["71046".into()];
        api.add_authorization(as_biller(other_code)).await.unwrap();
        let mut expired = authorization(&reg, "AUTH-2", 5);
        expired.valid = Some(DateRange {
            start: date(2026, 1, 1),
            end: date(2026, 9, 30),
        });
        api.add_authorization(as_biller(expired)).await.unwrap();
        let claim = h.claim_of("MRN-2", vec![line("99213", 1)]).await;
        assert_eq!(claim.submission, SubmissionStatus::Held as i32);
        assert!(
            claim
                .scrub_findings
                .iter()
                .any(|f| f.rule_id == "AUTHORIZATION_REQUIRED" && f.blocking)
        );
        let listed = api
            .list_authorizations(as_biller(ListAuthorizationsRequest {
                patient_id: reg.patient_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .authorizations;
        assert!(listed.iter().all(|a| a.visits_used == 0), "{listed:?}");
        h.service.stop().await;
    }
);

backend_tests!(
    add_authorization_refuses_bad_input_naming_the_field_and_an_unknown_patient,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-3", true).await;
        let mut api = registry(&h.service).await;
        let mut cases: Vec<(AddAuthorizationRequest, &str)> = Vec::new();
        let mut r = authorization(&reg, "", 1);
        cases.push((r.clone(), "number"));
        r = authorization(&reg, "A*1", 1);
        cases.push((r.clone(), "number"));
        r = authorization(&reg, "A1", 1);
        r.procedure_codes = vec![];
        cases.push((r.clone(), "procedure_codes"));
        r = authorization(&reg, "A1", 1);
        r.procedure_codes = vec!["99213".into(), "XYZ".into()];
        cases.push((r.clone(), "procedure_codes[1]"));
        r = authorization(&reg, "A1", 1);
        r.valid = Some(DateRange {
            start: date(2026, 9, 1),
            end: None,
        });
        cases.push((r.clone(), "valid.end"));
        r = authorization(&reg, "A1", 1);
        r.valid = Some(DateRange {
            start: date(2026, 9, 1),
            end: date(2026, 8, 1),
        });
        cases.push((r.clone(), "valid.end"));
        r = authorization(&reg, "A1", 0);
        cases.push((r.clone(), "visits_allowed"));
        r = authorization(&reg, "A1", 1);
        r.patient_id = "nope".into();
        cases.push((r.clone(), "patient_id"));
        for (request, field) in cases {
            assert_fails(
                api.add_authorization(as_biller(request)).await,
                Code::InvalidArgument,
                field,
            );
        }
        let listed = api
            .list_authorizations(as_biller(ListAuthorizationsRequest {
                patient_id: reg.patient_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .authorizations;
        assert!(listed.is_empty(), "nothing was recorded: {listed:?}");

        let mut unknown = authorization(&reg, "A1", 1);
        unknown.patient_id = new_uuid_v7();
        assert_fails(
            api.add_authorization(as_biller(unknown)).await,
            Code::NotFound,
            "",
        );
        assert_fails(
            api.list_authorizations(as_biller(ListAuthorizationsRequest {
                patient_id: new_uuid_v7(),
            }))
            .await,
            Code::NotFound,
            "",
        );
        api.add_authorization(as_biller(authorization(&reg, "A1", 1)))
            .await
            .unwrap();
        assert_fails(
            api.add_authorization(as_biller(authorization(&reg, "A1", 1)))
                .await,
            Code::AlreadyExists,
            "",
        );
        // A payment poster reads authorizations but does not add them.
        let poster = |m| authorized(m, "pp", &[Role::PaymentPoster]);
        assert_fails(
            api.add_authorization(poster(authorization(&reg, "A2", 1)))
                .await,
            Code::PermissionDenied,
            "",
        );
        h.service.stop().await;
    }
);
