//! Submission through the real server on SQLite and PostgreSQL: READY
//! claims become one 837 interchange per batch (one transaction set per
//! payer) with persisted control numbers, dropped in the clearinghouse's
//! outbound folder, readable back and valid; `ClaimSubmitted` carries what
//! payments needs; 999 and 277CA rejections move exactly their claims back
//! to work; the same acknowledgment twice changes nothing; a malformed one
//! is refused with the segment position.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_contracts::medbill::billing::v1::{
    BatchStatus, Claim, ClaimForm, ClaimSubmitted, CreateBatchRequest, CreateFacilityRequest,
    GetBatchFileRequest, GetClaimRequest, IngestAcknowledgmentRequest, ListAcknowledgmentsRequest,
    PayerRules, RuleOverride, RuleSeverity, ScrubClaimRequest, SubmissionStatus,
};
use medbill_contracts::medbill::coding::v1::{Diagnosis, EncounterType, InpatientStay};
use medbill_contracts::medbill::common::v1::{Address, DateRange};
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase};
use medbill_x12::ack::{AckStatus, write_999};
use medbill_x12::claim_ack::{Disposition, write_277ca};
use prost::Message;
use support::*;
use tonic::Code;
use tonic::transport::Channel;

async fn submission(service: &RunningService) -> SubmissionServiceClient<Channel> {
    SubmissionServiceClient::new(service.channel().await)
}

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

fn batch_request(kind: &str) -> tonic::Request<CreateBatchRequest> {
    as_biller(CreateBatchRequest {
        transaction_type: kind.into(),
        ..Default::default()
    })
}

/// `ClaimSubmitted` events in billing's outbox, in feed order.
async fn submitted_events(service: &RunningService) -> Vec<ClaimSubmitted> {
    let rows: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT payload FROM outbox_events WHERE event_type = $1 ORDER BY sequence",
    )
    .bind("medbill.billing.v1.ClaimSubmitted")
    .fetch_all(service.db().pool())
    .await
    .unwrap();
    rows.iter()
        .map(|p| ClaimSubmitted::decode(p.as_slice()).unwrap())
        .collect()
}

backend_tests!(
    a_batch_writes_ready_claims_into_a_valid_837_with_fresh_control_numbers_and_publishes_claim_submitted,
    |test_db: TestDatabase| async move {
        let folder = tempfile_dir();
        let h = start_with_folder(&test_db, Some(folder.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        // The X-ray is taken at the imaging center, not at the billing
        // provider's address: the claim names it (2310C).
        let facility = registry(&h.service)
            .await
            .create_facility(as_biller(CreateFacilityRequest {
                npi: "1587987656".into(),
                name: "Riverside Imaging Center".into(),
                address: Some(Address {
                    line1: "40 Mill St".into(),
                    line2: String::new(),
                    city: "Albany".into(),
                    state: "NY".into(),
                    postal_code: "12207".into(),
                }),
            }))
            .await
            .unwrap()
            .into_inner();
        let (e1, e2) = (new_uuid_v7(), new_uuid_v7());
        // Coding may send an indicator with any encounter's diagnoses; only
        // an inpatient 837I carries it.
        let mut office = released(&e1, "MRN-1", vec![line("99213", 1), line("36415", 1)]);
        office.diagnoses[0].present_on_admission = "Y".into();
        h.coding.publish(&e1, &office).await;
        let mut at_facility = released(&e2, "MRN-1", vec![line("71046", 1)]);
        at_facility.facility_npi = facility.npi.clone();
        h.coding.publish(&e2, &at_facility).await;
        let c1 = claims_of_encounter(&h.service, &e1, 1).await.remove(0);
        let c2 = claims_of_encounter(&h.service, &e2, 1).await.remove(0);
        assert_eq!(c1.submission, SubmissionStatus::Ready as i32, "{:?}", c1.scrub_findings);
        assert_eq!(c2.submission, SubmissionStatus::Ready as i32, "{:?}", c2.scrub_findings);

        let mut api = submission(&h.service).await;
        let batch = api.create_batch(batch_request("837P")).await.unwrap().into_inner();
        assert_eq!(batch.transaction_type, "837P");
        assert_eq!(batch.status, BatchStatus::Sent as i32);
        assert_eq!(batch.claim_ids, [c1.claim_id.clone(), c2.claim_id.clone()]);
        assert_eq!(batch.total_charge.unwrap().cents, 37_500);
        assert_eq!(batch.interchange_control_number, "000000001");
        let file = api
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: batch.batch_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        let dropped = std::fs::read(folder.join("outbound").join(&file.file_name)).unwrap();
        assert_eq!(dropped, file.content, "the outbound file is the stored batch, byte for byte");
        keep_for_oracle("billing-837p.x12", &file.content);
        let text = String::from_utf8(file.content.clone()).unwrap();
        assert!(text.contains("HI*ABK:E119~"), "no indicator on an 837P: {text}");
        let report = medbill_x12::cli::validate(&file.content);
        assert!(!report.has_errors(), "{report:?}");
        let read = medbill_x12::professional::read_837p(&file.content).unwrap();
        let pcns: Vec<&str> = read
            .iter()
            .flat_map(|b| b.claims.iter().map(|c| c.patient_control_number.as_str()))
            .collect();
        assert_eq!(pcns, [c1.patient_control_number.as_str(), c2.patient_control_number.as_str()]);
        let first = &read[0].claims[0];
        assert_eq!(first.lines[0].line_item_control_number, c1.lines[0].line_control_number);
        assert_eq!(first.billing_provider.npi, "1245319599");
        assert_eq!(first.total_charge.cents(), 17_500);
        assert_eq!(first.service_facility, None);
        assert_eq!(c2.service_facility_npi, "1587987656");
        let imaging = read[0].claims[1].service_facility.as_ref().unwrap();
        assert_eq!(
            (imaging.name.as_str(), imaging.npi.as_str()),
            ("Riverside Imaging Center", "1587987656")
        );
        assert_eq!(imaging.address.line1.expose(), "40 Mill St");

        let sent = get(&h.service, &c1.claim_id).await;
        assert_eq!(sent.submission, SubmissionStatus::Submitted as i32);
        assert_eq!(sent.batch_id, batch.batch_id);
        let events = submitted_events(&h.service).await;
        assert_eq!(events.len(), 2);
        let e = &events[0];
        assert_eq!(e.claim_id, c1.claim_id);
        assert_eq!(e.patient_id, reg.patient_id);
        assert_eq!(e.patient_mrn, "MRN-1");
        assert!(!e.guarantor_account_id.is_empty());
        assert_eq!(e.payer_id, reg.payer_id);
        assert_eq!(e.payer_name, "Acme");
        assert_eq!(e.claim_filing_indicator, "CI");
        assert_eq!(e.patient_control_number, c1.patient_control_number);
        assert_eq!(e.frequency_code, "1");
        assert_eq!(e.total_charge.unwrap().cents, 17_500);
        assert_eq!(e.lines, c1.lines);
        assert_eq!(e.batch_id, batch.batch_id);
        assert_eq!(e.encounter_id, e1);
        assert_eq!(e.guarantor_name.as_ref().unwrap().last, "Doe");
        assert_eq!(e.submitted_on, date(2026, 11, 30));
        assert_eq!(e.first_date_of_service, date(2026, 10, 1));

        // Nothing is ready any more; the next batch has the next number.
        assert_fails(
            api.create_batch(batch_request("837P")).await,
            Code::FailedPrecondition,
            "no 837P claim is ready",
        );
        // An outpatient encounter is billed on an 837I with revenue codes.
        let e3 = new_uuid_v7();
        let mut outpatient = released(&e3, "MRN-1", vec![line("36415", 2)]);
        outpatient.encounter_type = EncounterType::Outpatient as i32;
        outpatient.diagnoses[0].present_on_admission = "Y".into();
        outpatient.facility_npi = facility.npi.clone();
        outpatient.dates_of_service = outpatient.dates_of_service.map(|mut d| {
            d.start = date(2026, 10, 2);
            d.end = date(2026, 10, 2);
            d
        });
        h.coding.publish(&e3, &outpatient).await;
        let c3 = claims_of_encounter(&h.service, &e3, 1).await.remove(0);
        assert_eq!(c3.type_of_bill, "131");
        assert_eq!(c3.submission, SubmissionStatus::Ready as i32, "{:?}", c3.scrub_findings);
        let stay_of = |e: &str, stay| inpatient_release(e, "MRN-1", stay);
        let e4 = new_uuid_v7();
        h.coding.publish(&e4, &stay_of(&e4, Some(appendectomy_stay()))).await;
        let c4 = claims_of_encounter(&h.service, &e4, 1).await.remove(0);
        assert_eq!(c4.type_of_bill, "111");
        assert_eq!(c4.submission, SubmissionStatus::Ready as i32, "{:?}", c4.scrub_findings);
        assert_eq!(c4.lines.len(), 1, "only the venipuncture is a charge: {:?}", c4.lines);
        assert_eq!(c4.diagnosis_codes, ["E11.9", "L89.152", "Z79.01"]);
        assert_eq!(c4.diagnosis_present_on_admission, ["Y", "N", "1"]);
        // Without its stay an inpatient claim is held, naming the field.
        let e5 = new_uuid_v7();
        let mut no_stay = stay_of(&e5, None);
        // Another service, so the two claims are not duplicates.
        no_stay.lines[0].code = "71046".into();
        h.coding.publish(&e5, &no_stay).await;
        let held = claims_of_encounter(&h.service, &e5, 1).await.remove(0);
        assert_eq!(held.submission, SubmissionStatus::Held as i32);
        assert!(
            held.scrub_findings.iter().any(|f| f.rule_id == "INPATIENT_ADMISSION"
                && f.field == "inpatient_stay"
                && f.blocking),
            "{:?}",
            held.scrub_findings
        );
        let institutional = api.create_batch(batch_request("837I")).await.unwrap().into_inner();
        assert_eq!(institutional.interchange_control_number, "000000002");
        let file = api
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: institutional.batch_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        keep_for_oracle("billing-837i.x12", &file.content);
        let report = medbill_x12::cli::validate(&file.content);
        assert!(!report.has_errors(), "{report:?}");
        let read = medbill_x12::institutional::read_837i(&file.content).unwrap();
        let claim = &read[0].claims[0];
        assert_eq!(claim.facility_type, "13");
        assert_eq!(
            claim.service_facility.as_ref().map(|f| f.npi.as_str()),
            Some("1587987656")
        );
        assert_eq!(claim.lines[0].revenue_code, "0300");
        assert_eq!(claim.total_charge.cents(), 5_000);
        assert_eq!((claim.admission_date, claim.discharge_hour), (None, None));
        // Coding sent an indicator with the outpatient diagnosis too; an
        // outpatient 837I does not carry it.
        assert_eq!(
            claim.principal_diagnosis,
            medbill_x12::institutional::Diagnosis::new("E119")
        );
        let stay = read
            .iter()
            .flat_map(|set| &set.claims)
            .find(|c| c.patient_control_number == c4.patient_control_number)
            .unwrap_or_else(|| panic!("the inpatient claim is in the 837I: {read:?}"));
        assert_eq!(stay.facility_type, "11");
        assert_eq!(
            (stay.statement_from.to_x12(), stay.statement_to.to_x12()),
            ("20261003".to_string(), "20261006".to_string())
        );
        assert_eq!(stay.admission_date.map(|d| d.to_x12()), Some("20261003".into()));
        assert_eq!((stay.admission_hour, stay.discharge_hour), (Some(22), Some(11)));
        assert_eq!(
            (
                stay.admission_type.as_deref(),
                stay.admission_source.as_deref(),
                stay.patient_status.as_str()
            ),
            (Some("1"), Some("1"), "01")
        );
        let principal = stay.principal_procedure.as_ref().unwrap();
        assert_eq!(
            (principal.code.as_str(), principal.date.to_x12()),
            ("0DTJ4ZZ", "20261004".to_string())
        );
        let others: Vec<(&str, String)> = stay
            .other_procedures
            .iter()
            .map(|p| (p.code.as_str(), p.date.to_x12()))
            .collect();
        assert_eq!(others, [("BW03ZZZ", "20261003".to_string())]);
        assert_eq!(stay.lines.len(), 1);
        assert_eq!(stay.lines[0].procedure_code.as_deref(), Some("36415"));
        let text = String::from_utf8(file.content.clone()).unwrap();
        use medbill_x12::institutional::{Diagnosis, PresentOnAdmission as Poa};
        // The exempt code goes without HI0n-9: the 5010 guide has no `1`.
        assert_eq!(
            (&stay.principal_diagnosis, stay.other_diagnoses.as_slice()),
            (
                &Diagnosis::present("E119", Poa::Yes),
                [Diagnosis::present("L89152", Poa::No), Diagnosis::new("Z7901")].as_slice()
            )
        );
        for segment in [
            "DTP*096*TM*1100~",
            "DTP*435*DT*202610032200~",
            "CL1*1*1*01~",
            "HI*ABK:E119:::::::Y~",
            "HI*ABF:L89152:::::::N*ABF:Z7901~",
        ] {
            assert!(text.contains(segment), "{segment} in {text}");
        }
        h.service.stop().await;
    }
);

/// The stay of [`inpatient_release`]: admitted from the emergency
/// department at 22:00, discharged home at 11:00.
fn appendectomy_stay() -> InpatientStay {
    InpatientStay {
        admission_hour: 22,
        admission_type: "1".into(),
        admission_source: "1".into(),
        discharge_hour: 11,
        discharge_status: "01".into(),
    }
}

/// Coding's release of an inpatient stay from 2026-10-03 to 10-06 with an
/// appendectomy on the 4th: the ICD-10-PCS codes are procedures of the
/// stay, not charges. Its diagnoses carry their present-on-admission
/// indicators: diabetes present, a pressure ulcer acquired during the
/// stay, long-term anticoagulant use exempt from reporting.
fn inpatient_release(
    encounter_id: &str,
    mrn: &str,
    stay: Option<InpatientStay>,
) -> medbill_contracts::medbill::coding::v1::EncounterReleased {
    let mut inpatient = released(
        encounter_id,
        mrn,
        vec![line("36415", 1), line("0DTJ4ZZ", 1), line("BW03ZZZ", 1)],
    );
    inpatient.encounter_type = EncounterType::Inpatient as i32;
    inpatient.place_of_service = String::new();
    inpatient.dates_of_service = Some(DateRange {
        start: date(2026, 10, 3),
        end: date(2026, 10, 6),
    });
    inpatient.lines[1].date_of_service = date(2026, 10, 4);
    inpatient.inpatient_stay = stay;
    inpatient.diagnoses = [("E11.9", "Y"), ("L89.152", "N"), ("Z79.01", "1")]
        .into_iter()
        .map(|(code, poa)| Diagnosis {
            code: code.into(),
            present_on_admission: poa.into(),
        })
        .collect();
    inpatient
}

backend_tests!(
    an_inpatient_diagnosis_without_a_present_on_admission_indicator_holds_the_claim_naming_it,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let encounter = new_uuid_v7();
        let mut release = inpatient_release(&encounter, "MRN-1", Some(appendectomy_stay()));
        release.diagnoses[1].present_on_admission = String::new();
        h.coding.publish(&encounter, &release).await;
        let held = claims_of_encounter(&h.service, &encounter, 1)
            .await
            .remove(0);
        assert_eq!(held.submission, SubmissionStatus::Held as i32);
        assert_eq!(held.diagnosis_present_on_admission, ["Y", "", "1"]);
        let blocking: Vec<_> = held.scrub_findings.iter().filter(|f| f.blocking).collect();
        assert_eq!(blocking.len(), 1, "{blocking:?}");
        let finding = blocking[0];
        assert_eq!(
            (finding.rule_id.as_str(), finding.field.as_str()),
            ("PRESENT_ON_ADMISSION", "diagnoses[1].present_on_admission")
        );
        assert!(finding.message.contains("L89.152"), "{}", finding.message);
        assert!(
            finding.suggested_fix.contains("coding"),
            "{}",
            finding.suggested_fix
        );

        // A payer that does not ask for the indicators may make the rule a
        // warning: the claim then goes, the diagnosis without HI0n-9.
        registry(&h.service)
            .await
            .set_payer_rules(as_biller(PayerRules {
                payer_id: reg.payer_id.clone(),
                overrides: vec![RuleOverride {
                    rule_id: "PRESENT_ON_ADMISSION".into(),
                    severity: RuleSeverity::Warning as i32,
                }],
                authorization_required_codes: Vec::new(),
            }))
            .await
            .unwrap();
        let batch = scrubbed_and_sent_again(&h.service, &held.claim_id, "837I").await;
        let file = submission(&h.service)
            .await
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: batch.batch_id,
            }))
            .await
            .unwrap()
            .into_inner();
        let text = String::from_utf8(file.content).unwrap();
        assert!(text.contains("HI*ABK:E119:::::::Y~"), "{text}");
        assert!(text.contains("HI*ABF:L89152*ABF:Z7901~"), "{text}");
        h.service.stop().await;
    }
);

/// Scrubs a held or rejected claim (READY once clean) and creates the next
/// batch of `kind` (837P or 837I), which it goes in.
async fn scrubbed_and_sent_again(
    service: &RunningService,
    claim_id: &str,
    kind: &str,
) -> medbill_contracts::medbill::billing::v1::Batch {
    let ready = claims(service)
        .await
        .scrub_claim(as_biller(ScrubClaimRequest {
            claim_id: claim_id.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        ready.submission,
        SubmissionStatus::Ready as i32,
        "{:?}",
        ready.scrub_findings
    );
    submission(service)
        .await
        .create_batch(batch_request(kind))
        .await
        .unwrap()
        .into_inner()
}

/// A fresh directory under the system temp dir.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("medbill-billing-{}", new_uuid_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

backend_tests!(
    acknowledgments_move_exactly_the_rejected_claims_back_to_work_once,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register_for_claims(&h.service, "MRN-1", true).await;
        // A second payer and patient: the batch holds one set per payer.
        let mut api = registry(&h.service).await;
        let mut beta = commercial_payer("Beta");
        beta.electronic_payer_id = "77777".into();
        beta.claim_forms = vec![ClaimForm::Professional as i32];
        let beta = api
            .create_payer(as_biller(beta))
            .await
            .unwrap()
            .into_inner();
        let p2 = api
            .create_patient(as_biller(patient("MRN-2")))
            .await
            .unwrap()
            .into_inner();
        api.add_coverage(as_biller(coverage(&p2.patient_id, &beta.payer_id, 1)))
            .await
            .unwrap();
        let encounters: Vec<String> = (0..3).map(|_| new_uuid_v7()).collect();
        let codes = ["99213", "71046", "36415"];
        for (i, e) in encounters.iter().enumerate() {
            let mrn = if i < 2 { "MRN-1" } else { "MRN-2" };
            h.coding
                .publish(e, &released(e, mrn, vec![line(codes[i], 1)]))
                .await;
        }
        let mut ids = Vec::new();
        for e in &encounters {
            ids.push(claims_of_encounter(&h.service, e, 1).await.remove(0));
        }
        let mut sub = submission(&h.service).await;
        let batch = sub
            .create_batch(batch_request("837P"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(batch.claim_ids.len(), 3);
        let file = sub
            .get_batch_file(as_biller(GetBatchFileRequest {
                batch_id: batch.batch_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        let sets = medbill_x12::professional::read_837p(&file.content).unwrap();
        assert_eq!(sets.len(), 2, "one transaction set per payer");
        let set_of = |pcn: &str| {
            sets.iter()
                .find(|s| s.claims.iter().any(|c| c.patient_control_number == pcn))
                .unwrap()
                .control_number
                .clone()
        };
        let beta_set = set_of(&ids[2].patient_control_number);

        // The 999 accepts Acme's set and rejects Beta's.
        let mut ack = medbill_x12::samples::implementation_ack();
        ack.group_control_number = batch.group_control_number.clone();
        let template = ack.transactions.clone();
        ack.transactions = vec![template[0].clone(), template[1].clone()];
        ack.transactions[0].control_number = set_of(&ids[0].patient_control_number);
        ack.transactions[1].control_number = beta_set.clone();
        ack.status = AckStatus::PartiallyAccepted;
        ack.included = 2;
        ack.received = 2;
        ack.accepted = 1;
        let params = medbill_x12::samples::interchange_params(900);
        let ack_999 = write_999(&params, &[ack]).unwrap();
        keep_for_oracle("billing-ack.999", &ack_999);
        let ingest = |content: Vec<u8>| {
            as_biller(IngestAcknowledgmentRequest {
                content,
                file_name: "ack.999".into(),
            })
        };
        let applied = sub
            .ingest_acknowledgment(ingest(ack_999.clone()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(applied.transaction_type, "999");
        assert_eq!(applied.batch_id, batch.batch_id);
        assert_eq!((applied.claims_accepted, applied.claims_rejected), (2, 1));
        assert!(applied.newly_applied);
        assert!(
            applied.errors[0].contains("IK3 NM1 at segment 8"),
            "{:?}",
            applied.errors
        );
        let rejected = get(&h.service, &ids[2].claim_id).await;
        assert_eq!(rejected.submission, SubmissionStatus::Rejected as i32);
        let why = &rejected.history.last().unwrap().reason;
        assert!(
            why.starts_with(&format!("999 rejected transaction set {beta_set}")),
            "{why}"
        );
        for c in &ids[..2] {
            assert_eq!(
                get(&h.service, &c.claim_id).await.submission,
                SubmissionStatus::Submitted as i32
            );
        }
        let again = sub
            .ingest_acknowledgment(ingest(ack_999))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.newly_applied);
        assert_eq!(again.acknowledgment_id, applied.acknowledgment_id);

        // The 277CA accepts one Acme claim, rejects the other, and names a
        // claim we never sent.
        let mut ca = medbill_x12::samples::claim_acknowledgment();
        let (accepted, refused) = (ca.claims[0].clone(), ca.claims[1].clone());
        assert_eq!(accepted.disposition, Disposition::Accepted);
        assert_eq!(refused.disposition, Disposition::Rejected);
        let mut a = accepted;
        a.patient_control_number = ids[0].patient_control_number.clone();
        let mut r = refused.clone();
        r.patient_control_number = ids[1].patient_control_number.clone();
        let mut stranger = refused;
        stranger.patient_control_number = "NOT-OURS-1".into();
        ca.claims = vec![a, r, stranger];
        let ack_277 = write_277ca(&params, &[ca]).unwrap();
        keep_for_oracle("billing-ack.277", &ack_277);
        let applied = sub
            .ingest_acknowledgment(ingest(ack_277))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(applied.transaction_type, "277CA");
        assert_eq!((applied.claims_accepted, applied.claims_rejected), (1, 1));
        assert_eq!(
            applied.unmatched,
            ["patient control number NOT-OURS-1: no claim we sent"]
        );
        assert_eq!(
            get(&h.service, &ids[0].claim_id).await.submission,
            SubmissionStatus::Accepted as i32
        );
        let back = get(&h.service, &ids[1].claim_id).await;
        assert_eq!(back.submission, SubmissionStatus::Rejected as i32);
        assert!(
            back.history.last().unwrap().reason.contains("STC A7:21"),
            "{:?}",
            back.history.last()
        );

        // Back to work: scrubbed clean it is READY and goes in the next batch.
        let next = scrubbed_and_sent_again(&h.service, &back.claim_id, "837P").await;
        assert_eq!(
            next.claim_ids,
            std::slice::from_ref(&back.claim_id),
            "the corrected claim goes again"
        );

        // A malformed acknowledgment is refused with its position and
        // changes nothing.
        let listed_before = sub
            .list_acknowledgments(as_biller(ListAcknowledgmentsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .acknowledgments
            .len();
        let mut broken = write_999(&params, &[medbill_x12::samples::implementation_ack()]).unwrap();
        let text = String::from_utf8(broken.clone()).unwrap();
        let cut = text.find("AK9").unwrap();
        broken.truncate(cut);
        let refused = sub.ingest_acknowledgment(ingest(broken)).await;
        let status = refused.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with("content: "),
            "{}",
            status.message()
        );
        assert!(status.message().contains("segment"), "{}", status.message());
        let listed_after = sub
            .list_acknowledgments(as_biller(ListAcknowledgmentsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .acknowledgments
            .len();
        assert_eq!(listed_before, listed_after);
        h.service.stop().await;
    }
);

backend_tests!(
    a_claim_rejected_for_its_member_id_goes_again_with_the_corrected_coverage,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::billing::v1::UpdateCoverageRequest;
        let h = start_with_coding(&test_db).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let claim = h.claim_of("MRN-1", vec![line("99213", 1)]).await;
        let mut sub = submission(&h.service).await;
        let batch = sub
            .create_batch(batch_request("837P"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(batch.claim_ids, std::slice::from_ref(&claim.claim_id));
        let member_ids = |content: &[u8]| -> Vec<String> {
            medbill_x12::professional::read_837p(content)
                .unwrap()
                .iter()
                .flat_map(|set| set.claims.iter())
                .map(|c| c.subscriber.member_id.expose().clone())
                .collect()
        };
        let file = |batch_id: String| as_biller(GetBatchFileRequest { batch_id });
        let first = sub
            .get_batch_file(file(batch.batch_id.clone()))
            .await
            .unwrap()
            .into_inner();
        let old_member_id = member_ids(&first.content).remove(0);

        // The payer's 277CA: no such member.
        let mut ca = medbill_x12::samples::claim_acknowledgment();
        let mut refused = ca.claims[1].clone();
        assert_eq!(refused.disposition, Disposition::Rejected);
        refused.patient_control_number = claim.patient_control_number.clone();
        ca.claims = vec![refused];
        let params = medbill_x12::samples::interchange_params(901);
        sub.ingest_acknowledgment(as_biller(IngestAcknowledgmentRequest {
            content: write_277ca(&params, &[ca]).unwrap(),
            file_name: "member.277".into(),
        }))
        .await
        .unwrap();
        assert_eq!(
            get(&h.service, &claim.claim_id).await.submission,
            SubmissionStatus::Rejected as i32
        );

        // Bad corrections are refused by field and change nothing.
        let mut api = registry(&h.service).await;
        let update = |coverage_id: &str, member_id: &str| {
            as_biller(UpdateCoverageRequest {
                coverage_id: coverage_id.into(),
                member_id: member_id.into(),
                group_number: "GRP-77".into(),
            })
        };
        assert_fails(
            api.update_coverage(update(&reg.coverage_id, "  ")).await,
            Code::InvalidArgument,
            "member_id: ",
        );
        assert_fails(
            api.update_coverage(update("not-an-id", "XJH400200311"))
                .await,
            Code::InvalidArgument,
            "coverage_id: ",
        );
        assert_fails(
            api.update_coverage(update(&new_uuid_v7(), "XJH400200311"))
                .await,
            Code::NotFound,
            "",
        );
        // A coder may not change a coverage.
        let mut as_coder = update(&reg.coverage_id, "XJH400200311");
        as_coder.metadata_mut().insert(
            "authorization",
            medbill_platform::testing::bearer("coder.cy", &[medbill_platform::auth::Role::Coder])
                .parse()
                .unwrap(),
        );
        assert_fails(
            api.update_coverage(as_coder).await,
            Code::PermissionDenied,
            "",
        );

        // The biller corrects the member id; scrubbed, the claim goes again
        // as an original carrying it.
        let corrected = api
            .update_coverage(update(&reg.coverage_id, " XJH400200311 "))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(corrected.member_id, "XJH400200311");
        assert_eq!(corrected.group_number, "GRP-77");
        assert_eq!(corrected.coverage_id, reg.coverage_id);
        let listed = api
            .list_coverages(as_biller(
                medbill_contracts::medbill::billing::v1::ListCoveragesRequest {
                    patient_id: reg.patient_id.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.coverages[0].member_id, "XJH400200311");
        let again = scrubbed_and_sent_again(&h.service, &claim.claim_id, "837P").await;
        assert_eq!(again.claim_ids, std::slice::from_ref(&claim.claim_id));
        let second = sub
            .get_batch_file(file(again.batch_id))
            .await
            .unwrap()
            .into_inner();
        assert_ne!(old_member_id, "XJH400200311");
        assert_eq!(member_ids(&second.content), ["XJH400200311"]);
        let x12 = String::from_utf8(second.content).unwrap();
        assert!(x12.contains("SBR*P*18*GRP-77"), "{x12}");
        h.service.stop().await;
    }
);
