//! Claims through the real server on SQLite and PostgreSQL: a release from
//! coding's feed becomes exactly one priced claim, scrubbed at once; a claim
//! with a scrubber error is held with the rule and field until it is fixed;
//! voids; bad requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    AdjudicationStatus, BalanceOwner, ClaimStatus, CreateClaimRequest, GetClaimRequest,
    ListChargesRequest, PayerRules, RuleOverride, RuleSeverity, ScrubClaimRequest,
    SubmissionStatus, SubmitterProfile, VoidClaimRequest,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use support::*;
use tonic::Code;

backend_tests!(
    a_release_delivered_twice_becomes_exactly_one_priced_claim_ready_for_a_batch,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let encounter = new_uuid_v7();
        let event = released(
            &encounter,
            "MRN-1",
            vec![line("99213", 1), line("36415", 1)],
        );
        h.coding.publish(&encounter, &event).await;
        h.coding.publish(&encounter, &event).await;
        // A later release: once its claim exists, both copies were applied.
        let marker = new_uuid_v7();
        h.coding
            .publish(&marker, &released(&marker, "MRN-1", vec![line("71046", 1)]))
            .await;
        claims_of_encounter(&h.service, &marker, 1).await;

        let found = claims_of_encounter(&h.service, &encounter, 1).await;
        assert_eq!(found.len(), 1, "one claim however often the release came");
        let claim = &found[0];
        assert_eq!(
            claim.status,
            ClaimStatus::Ready as i32,
            "{:?}",
            claim.scrub_findings
        );
        assert_eq!(claim.submission, SubmissionStatus::Ready as i32);
        assert_eq!(claim.adjudication, AdjudicationStatus::None as i32);
        assert_eq!(claim.balance_owner, BalanceOwner::Insurance as i32);
        assert!(
            claim.scrub_findings.iter().all(|f| !f.blocking),
            "{:?}",
            claim.scrub_findings
        );
        assert_eq!(claim.total_charge, Some(Money { cents: 17_500 }));
        assert_eq!(claim.payer_id, reg.payer_id);
        assert_eq!(claim.coverage_id, reg.coverage_id);
        assert_eq!(claim.payer_rank, 1);
        assert_eq!(claim.frequency_code, "1");
        assert_eq!(claim.billing_provider_npi, "1245319599");
        assert_eq!(claim.diagnosis_codes, ["E11.9"]);
        assert_eq!(claim.diagnosis_present_on_admission, [""]);
        let pcn = &claim.patient_control_number;
        assert!(!pcn.is_empty() && pcn.len() <= 20, "{pcn}");
        assert_eq!(claim.lines.len(), 2);
        assert_eq!(claim.lines[0].line_control_number, format!("{pcn}-1"));
        assert_eq!(claim.lines[1].code, "36415");
        assert_eq!(claim.lines[1].charge, Some(Money { cents: 2_500 }));
        assert_eq!(claim.lines[1].revenue_code, "0300");

        let mut api = claims(&h.service).await;
        let full = api
            .get_claim(as_biller(GetClaimRequest {
                claim_id: claim.claim_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        let dims: Vec<(&str, &str, &str)> = full
            .history
            .iter()
            .map(|t| (t.dimension.as_str(), t.to_state.as_str(), t.actor.as_str()))
            .collect();
        assert_eq!(
            dims,
            [
                ("submission", "ready", "billing.coding-feed"),
                ("adjudication", "none", "billing.coding-feed"),
                ("balance_owner", "insurance", "billing.coding-feed"),
                ("lifecycle", "active", "billing.coding-feed"),
            ]
        );
        let reads = audit_rows(&h.service, &claim.claim_id).await;
        assert!(
            reads.contains(&("read".into(), "GetClaim".into())),
            "{reads:?}"
        );
        let unbilled = api
            .list_charges(as_biller(ListChargesRequest {
                encounter_id: encounter.clone(),
                unbilled_only: true,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .charges;
        assert!(
            unbilled.is_empty(),
            "every charge is on the claim: {unbilled:?}"
        );

        // Billing the release again by hand is refused: the claim exists.
        let again = api
            .create_claim(as_biller(CreateClaimRequest {
                encounter_id: encounter.clone(),
                ..Default::default()
            }))
            .await;
        assert_fails(again, Code::AlreadyExists, "claim ");

        // A claim the payer never received is voided outright, once.
        let voided = api
            .void_claim(as_biller(VoidClaimRequest {
                claim_id: claim.claim_id.clone(),
                reason: "patient self-pays".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(voided.status, ClaimStatus::Voided as i32);
        let last = voided.history.last().unwrap();
        assert_eq!(
            (
                last.dimension.as_str(),
                last.from_state.as_str(),
                last.to_state.as_str()
            ),
            ("lifecycle", "active", "voided")
        );
        assert_eq!(last.reason, "patient self-pays");
        let twice = api
            .void_claim(as_biller(VoidClaimRequest {
                claim_id: claim.claim_id.clone(),
                reason: "again".into(),
            }))
            .await;
        assert_fails(twice, Code::FailedPrecondition, "claim ");
        h.service.stop().await;
    }
);

backend_tests!(
    a_claim_with_a_scrubber_error_is_held_with_the_rule_and_field_until_it_is_fixed,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        // The rendering physician is not registered yet.
        let reg = register_for_claims(&h.service, "MRN-2", false).await;
        let mut api = registry(&h.service).await;
        api.set_payer_rules(as_biller(PayerRules {
            payer_id: reg.payer_id.clone(),
            overrides: vec![RuleOverride {
                rule_id: "TIMELY_FILING_RISK".into(),
                severity: RuleSeverity::Off as i32,
            }],
            authorization_required_codes: vec!["99213".into()],
        }))
        .await
        .unwrap();
        let claim = h
            .claim_of("MRN-2", vec![line("36415", 1), line("99213", 1)])
            .await;
        assert_eq!(claim.status, ClaimStatus::Draft as i32);
        assert_eq!(claim.submission, SubmissionStatus::Held as i32);
        let errors: Vec<(&str, &str)> = claim
            .scrub_findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| (f.rule_id.as_str(), f.field.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                ("RENDERING_PROVIDER_UNKNOWN", "rendering_provider_npi"),
                ("AUTHORIZATION_REQUIRED", "lines[1].code"),
            ]
        );
        assert!(
            claim
                .scrub_findings
                .iter()
                .all(|f| !f.suggested_fix.is_empty())
        );

        let mut claims_api = claims(&h.service).await;
        // A coder may not touch claims.
        let coder = claims_api
            .scrub_claim(authorized(
                ScrubClaimRequest {
                    claim_id: claim.claim_id.clone(),
                    ..Default::default()
                },
                "cody",
                &[Role::Coder],
            ))
            .await;
        assert_eq!(coder.unwrap_err().code(), Code::PermissionDenied);

        api.create_provider(as_biller(physician("1234567893")))
            .await
            .unwrap();
        let scrubbed = claims_api
            .scrub_claim(as_biller(ScrubClaimRequest {
                claim_id: claim.claim_id.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let rules: Vec<&str> = scrubbed
            .scrub_findings
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect();
        assert_eq!(rules, ["AUTHORIZATION_REQUIRED"]);
        assert_eq!(scrubbed.submission, SubmissionStatus::Held as i32);

        let fixed = claims_api
            .scrub_claim(as_biller(ScrubClaimRequest {
                claim_id: claim.claim_id.clone(),
                prior_authorization: "AUTH-778899".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(fixed.submission, SubmissionStatus::Ready as i32);
        assert_eq!(fixed.prior_authorization, "AUTH-778899");
        assert!(
            fixed.scrub_findings.is_empty(),
            "{:?}",
            fixed.scrub_findings
        );
        let last = fixed.history.last().unwrap();
        assert_eq!(
            (
                last.dimension.as_str(),
                last.from_state.as_str(),
                last.to_state.as_str(),
                last.actor.as_str()
            ),
            ("submission", "held", "ready", "pat")
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_change_to_the_payers_rules_reaches_the_very_next_scrub,
    |test_db: TestDatabase| async move {
        // Claims are scrubbed against registry facts kept in memory; a
        // change to them must be seen by the next scrub, not a later one.
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-3", true).await;
        let claim = h.claim_of("MRN-3", vec![line("99213", 1)]).await;
        assert_eq!(claim.submission, SubmissionStatus::Ready as i32);
        let mut registry_api = registry(&h.service).await;
        let mut claims_api = claims(&h.service).await;
        let scrub = || ScrubClaimRequest {
            claim_id: claim.claim_id.clone(),
            ..Default::default()
        };
        let mut rules = PayerRules {
            payer_id: reg.payer_id.clone(),
            overrides: vec![],
            authorization_required_codes: vec!["99213".into()],
        };
        for (wanted, held) in [(true, true), (false, false)] {
            rules.authorization_required_codes = if wanted { vec!["99213".into()] } else { vec![] };
            registry_api
                .set_payer_rules(as_biller(rules.clone()))
                .await
                .unwrap();
            let scrubbed = claims_api
                .scrub_claim(as_biller(scrub()))
                .await
                .unwrap()
                .into_inner();
            let blocking: Vec<&str> = scrubbed
                .scrub_findings
                .iter()
                .filter(|f| f.blocking)
                .map(|f| f.rule_id.as_str())
                .collect();
            if held {
                assert_eq!(blocking, ["AUTHORIZATION_REQUIRED"]);
                assert_eq!(scrubbed.submission, SubmissionStatus::Held as i32);
            } else {
                assert!(blocking.is_empty(), "{blocking:?}");
                assert_eq!(scrubbed.submission, SubmissionStatus::Ready as i32);
            }
        }
        h.service.stop().await;
    }
);

backend_tests!(
    bad_claim_requests_are_refused_naming_the_field_and_change_nothing,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-3", true).await;
        let mut api = claims(&h.service).await;
        let get = |id: &str| {
            as_biller(GetClaimRequest {
                claim_id: id.into(),
            })
        };
        assert_fails(
            api.get_claim(get("nope")).await,
            Code::InvalidArgument,
            "claim_id",
        );
        assert_fails(
            api.get_claim(get(&new_uuid_v7())).await,
            Code::NotFound,
            "claim ",
        );
        let create = |encounter: &str, rank| {
            as_biller(CreateClaimRequest {
                encounter_id: encounter.into(),
                payer_rank: rank,
                prior_authorization: String::new(),
            })
        };
        assert_fails(
            api.create_claim(create(&new_uuid_v7(), 0)).await,
            Code::NotFound,
            "released encounter",
        );
        assert_fails(
            api.create_claim(create(&new_uuid_v7(), 4)).await,
            Code::InvalidArgument,
            "payer_rank",
        );
        assert_fails(
            api.void_claim(as_biller(VoidClaimRequest {
                claim_id: new_uuid_v7(),
                reason: " ".into(),
            }))
            .await,
            Code::InvalidArgument,
            "reason",
        );
        let mut registry_api = registry(&h.service).await;
        assert_fails(
            registry_api
                .set_payer_rules(as_biller(PayerRules {
                    payer_id: reg.payer_id.clone(),
                    overrides: vec![RuleOverride {
                        rule_id: "NO_SUCH_RULE".into(),
                        severity: RuleSeverity::Off as i32,
                    }],
                    authorization_required_codes: vec![],
                }))
                .await,
            Code::InvalidArgument,
            "overrides[0].rule_id",
        );
        let physician = registry_api
            .create_provider(as_biller(physician("1003000126")))
            .await
            .unwrap()
            .into_inner();
        assert_fails(
            registry_api
                .set_submitter_profile(as_biller(SubmitterProfile {
                    billing_provider_id: physician.provider_id,
                    submitter_name: "X".into(),
                    submitter_id: "X".into(),
                    contact_name: "X".into(),
                    contact_phone: "5185551234".into(),
                    receiver_name: "X".into(),
                    receiver_id: "X".into(),
                    interchange_sender_id: "X".into(),
                    interchange_receiver_id: "X".into(),
                    usage_indicator: "T".into(),
                }))
                .await,
            Code::InvalidArgument,
            "billing_provider_id",
        );
        let rules = registry_api
            .get_payer_rules(as_biller(
                medbill_contracts::medbill::billing::v1::GetPayerRulesRequest {
                    payer_id: reg.payer_id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(
            rules.overrides.is_empty(),
            "the refused rules changed nothing"
        );
        let profile = registry_api
            .get_submitter_profile(as_biller(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(profile.billing_provider_id, reg.billing_provider_id);

        // A release with a charge nothing prices is not billed; billing it
        // by hand says why.
        let encounter = new_uuid_v7();
        h.coding
            .publish(
                &encounter,
                &released(
                    &encounter,
                    "MRN-3",
                    vec![line("99213", 1), line("99499", 1)],
                ),
            )
            .await;
        let marker = new_uuid_v7();
        h.coding
            .publish(&marker, &released(&marker, "MRN-3", vec![line("71046", 1)]))
            .await;
        claims_of_encounter(&h.service, &marker, 1).await;
        assert_fails(
            api.create_claim(create(&encounter, 1)).await,
            Code::FailedPrecondition,
            "line 2 (99499) is held",
        );
        h.service.stop().await;
    }
);

backend_tests!(
    list_claims_filters_by_each_field_and_pages_newest_first,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::billing::v1::ListClaimsRequest;
        use medbill_contracts::medbill::common::v1::PageRequest;
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut encounters = Vec::new();
        for code in ["99213", "71046", "36415"] {
            let encounter = new_uuid_v7();
            h.coding
                .publish(
                    &encounter,
                    &released(&encounter, "MRN-1", vec![line(code, 1)]),
                )
                .await;
            claims_of_encounter(&h.service, &encounter, 1).await;
            encounters.push(encounter);
        }
        let list = |request: ListClaimsRequest| {
            let service = &h.service;
            async move {
                claims(service)
                    .await
                    .list_claims(as_biller(request))
                    .await
                    .unwrap()
                    .into_inner()
            }
        };
        let all = list(ListClaimsRequest::default()).await.claims;
        assert_eq!(all.len(), 3);
        let newest_first: Vec<&str> = all.iter().map(|c| c.encounter_id.as_str()).collect();
        let mut expected: Vec<&str> = encounters.iter().map(String::as_str).collect();
        expected.reverse();
        assert_eq!(newest_first, expected);

        let one = list(ListClaimsRequest {
            encounter_id: encounters[1].clone(),
            ..Default::default()
        })
        .await
        .claims;
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].encounter_id, encounters[1]);

        let by_patient_and_payer = list(ListClaimsRequest {
            patient_id: reg.patient_id.clone(),
            payer_id: reg.payer_id.clone(),
            statuses: vec![ClaimStatus::Ready as i32],
            ..Default::default()
        })
        .await
        .claims;
        assert_eq!(by_patient_and_payer.len(), 3);
        for empty in [
            ListClaimsRequest {
                patient_id: new_uuid_v7(),
                ..Default::default()
            },
            ListClaimsRequest {
                payer_id: new_uuid_v7(),
                ..Default::default()
            },
            ListClaimsRequest {
                statuses: vec![ClaimStatus::Draft as i32, ClaimStatus::Submitted as i32],
                ..Default::default()
            },
        ] {
            assert!(list(empty.clone()).await.claims.is_empty(), "{empty:?}");
        }

        // Two a page: the three claims once each, newest first.
        let mut paged = Vec::new();
        let mut token = String::new();
        loop {
            let page = list(ListClaimsRequest {
                page: Some(PageRequest {
                    page_size: 2,
                    page_token: token.clone(),
                }),
                ..Default::default()
            })
            .await;
            assert!(page.claims.len() <= 2);
            paged.extend(page.claims.into_iter().map(|c| c.encounter_id));
            match page.page {
                Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
                _ => break,
            }
        }
        assert_eq!(paged, expected);
    }
);
