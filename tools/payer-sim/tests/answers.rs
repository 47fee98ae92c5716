//! The answers that are not payments: a 999 rejecting the set that fails
//! validation (IK3/IK4 naming the segment, element and claim) while the
//! others go on, a 271 for each 270, a 277 for each 276, and files the
//! simulator cannot answer set aside with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/world.rs"]
mod world;

use medbill_x12::ack::{AckStatus, read_999};
use medbill_x12::claim_ack::read_277ca;
use medbill_x12::eligibility::{BenefitKind, read_271, write_270};
use medbill_x12::samples;
use medbill_x12::status::{read_277, write_276};
use medbill_x12::{Date, Phi};
use world::*;

#[test]
fn a_set_failing_validation_is_rejected_with_ik3_and_ik4_and_the_others_go_on() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let mut second = claim(1, "PCN-BAD");
    for line in &mut second.lines {
        line.service_date = Date::new(2024, 3, 2).unwrap();
    }
    let file = claims_file(
        7,
        &[
            batch("0001", vec![claim(0, "PCN-OK")]),
            batch("0002", vec![second]),
        ],
    );
    // An impossible month in the second set's first line date.
    let text = String::from_utf8(file).unwrap();
    let broken = text.replacen("DTP*472*D8*20240302", "DTP*472*D8*20241302", 1);
    world.drop_file("837P-000000007.x12", broken.as_bytes());
    let report = sim.process_dir(&world.folders, day(20)).unwrap();
    assert_eq!(report.sets_rejected, 1);

    let ack = read_999(&files_ending(&world.folders.to_billing, "-999.x12")[0])
        .unwrap()
        .remove(0);
    assert_eq!(ack.group_control_number, "7");
    assert_eq!(ack.status, AckStatus::PartiallyAccepted);
    assert_eq!((ack.included, ack.received, ack.accepted), (2, 2, 1));
    assert_eq!(ack.transactions[0].status, AckStatus::Accepted);
    let rejected = &ack.transactions[1];
    assert_eq!(rejected.control_number, "0002");
    assert_eq!(rejected.status, AckStatus::Rejected);
    assert_eq!(rejected.error_codes, ["5"]);
    let ik3 = &rejected.segment_errors[0];
    assert_eq!(ik3.segment_id, "DTP");
    assert_eq!(ik3.code.as_deref(), Some("8"));
    assert_eq!(ik3.patient_control_number(), Some("PCN-BAD"));
    // The DTP is the 40th segment of the set (ST is 1): read it back from
    // the file to be sure the position points at it.
    let set: Vec<&str> = broken
        .split('~')
        .map(str::trim)
        .skip_while(|s| !s.starts_with("ST*837*0002"))
        .collect();
    assert!(set[ik3.position as usize - 1].starts_with("DTP*472*D8*20241302"));
    let ik4 = &ik3.element_errors[0];
    assert_eq!((ik4.position, ik4.code.as_str()), (3, "8"));
    assert_eq!(ik4.bad_value.as_deref(), Some("20241302"));

    // Only the accepted set's claim reaches the 277CA and the payer.
    let ca = read_277ca(&files_ending(&world.folders.to_billing, "-277CA.x12")[0]).unwrap();
    let pcns: Vec<&str> = ca
        .iter()
        .flat_map(|a| &a.claims)
        .map(|c| c.patient_control_number.as_str())
        .collect();
    assert_eq!(pcns, ["PCN-OK"]);
    assert_eq!(sim.record().claims.len(), 1);
}

#[test]
fn a_group_whose_trailer_miscounts_its_sets_is_rejected_whole() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let file = claims_file(7, &[batch("0001", vec![claim(0, "PCN-OK")])]);
    let text = String::from_utf8(file).unwrap();
    let broken = text.replacen("GE*1*7~", "GE*2*7~", 1);
    world.drop_file("837P-000000007.x12", broken.as_bytes());
    let report = sim.process_dir(&world.folders, day(20)).unwrap();
    assert_eq!((report.sets_rejected, report.claims_accepted), (1, 0));
    let ack = read_999(&files_ending(&world.folders.to_billing, "-999.x12")[0])
        .unwrap()
        .remove(0);
    assert_eq!(ack.status, AckStatus::Rejected);
    assert_eq!(ack.group_errors, ["5"]);
    assert_eq!((ack.included, ack.received, ack.accepted), (2, 1, 0));
    assert_eq!(ack.transactions[0].status, AckStatus::Rejected);
    assert!(files_ending(&world.folders.to_billing, "-277CA.x12").is_empty());
}

/// The sample 270 asking Acme about `members` members, the first one
/// Acme's member MEM123456.
fn acme_inquiry(members: usize) -> medbill_x12::eligibility::EligibilityInquiry {
    let mut inquiry = samples::eligibility_inquiry("0001", members);
    inquiry.payer.id = "ACME01".into();
    inquiry.subscribers[0].member_id = Phi::new("MEM123456".into());
    inquiry
}

/// Drops `inquiry` as a 270 on day 21 and returns the simulator's 271 to
/// it, checked to validate.
fn answered(
    world: &World,
    sim: &mut medbill_payer_sim::Simulator,
    inquiry: medbill_x12::eligibility::EligibilityInquiry,
) -> medbill_x12::eligibility::EligibilityResponse {
    let file = write_270(&samples::interchange_params(11), &[inquiry]).unwrap();
    world.drop_file("270-000000011.x12", &file);
    let report = sim.process_dir(&world.folders, day(21)).unwrap();
    assert_eq!(report.eligibility_answered, 1);
    let bytes = &files_ending(&world.folders.to_billing, "-271.x12")[0];
    let report = medbill_x12::cli::validate(bytes);
    assert!(!report.has_errors(), "{report}");
    read_271(bytes).unwrap().remove(0)
}

#[test]
fn a_271_answers_each_member_with_coverage_and_what_is_left_of_the_deductible() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    // A claim first, so 50.00 of the deductible is used.
    world.drop_file(
        "837P-000000001.x12",
        &claims_file(1, &[batch("0001", vec![claim(0, "PCN-A")])]),
    );
    sim.step(&world.folders, day(20)).unwrap();
    let response = answered(&world, &mut sim, acme_inquiry(2));
    assert_eq!(response.reference_id, "INQ0001");
    let known = &response.members[0];
    assert_eq!(known.traces[0].number, "ELIG0001-0");
    let kinds: Vec<BenefitKind> = known.benefits.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BenefitKind::ActiveCoverage,
            BenefitKind::Deductible,
            BenefitKind::Deductible,
            BenefitKind::Coinsurance,
            BenefitKind::OutOfPocket,
            BenefitKind::OutOfPocket,
        ]
    );
    assert_eq!(
        known.benefits[0].plan_description.as_deref(),
        Some("GOLD PPO")
    );
    let money = |i: usize| known.benefits[i].amount.map(|a| a.cents());
    assert_eq!((money(1), money(2)), (Some(5_000), Some(0)));
    // Out of pocket: 65.60 paid of 3,000.00.
    assert_eq!(money(5), Some(300_000 - 6_560));
    assert_eq!(
        known.benefits[3].percent.map(|p| p.to_string()),
        Some("0.2".into())
    );
    let unknown = &response.members[1];
    assert!(unknown.benefits.is_empty());
    assert_eq!(unknown.rejections[0].reason, "75");
}

#[test]
fn a_dependent_asked_about_under_the_subscriber_is_answered_in_its_own_loop() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let mut inquiry = acme_inquiry(1);
    inquiry.subscribers[0].dependent = Some(medbill_x12::eligibility::DependentInquiry {
        name: medbill_x12::claim::PersonName {
            last: Phi::from("DOE"),
            first: Some(Phi::from("KID")),
            middle: None,
            suffix: None,
        },
        birth_date: Some(Phi::new(medbill_x12::Date::new(2015, 6, 9).unwrap())),
        sex: None,
        relationship: Some("19".into()),
    });
    let response = answered(&world, &mut sim, inquiry);
    let [subscriber, dependent] = &response.members[..] else {
        panic!(
            "want a subscriber and a dependent level: {:?}",
            response.members
        );
    };
    assert!(!subscriber.dependent);
    assert!(subscriber.traces.is_empty() && subscriber.benefits.is_empty());
    assert_eq!(
        subscriber
            .member
            .as_ref()
            .unwrap()
            .id
            .as_ref()
            .unwrap()
            .expose(),
        "MEM123456"
    );
    assert!(dependent.dependent);
    assert_eq!(dependent.traces[0].number, "ELIG0001-0");
    let member = dependent.member.as_ref().unwrap();
    assert_eq!(
        (member.role.as_str(), member.last_name.expose().as_str()),
        ("03", "DOE")
    );
    assert_eq!(dependent.benefits[0].kind, BenefitKind::ActiveCoverage);
}

#[test]
fn a_277_reports_paid_pending_denied_and_unknown_claims() {
    let world = World::new();
    let mut slow = config();
    slow.adjudication_days = 1;
    let mut sim = world.simulator(slow, SEED);
    world.drop_file(
        "837P-000000001.x12",
        &claims_file(1, &[batch("0001", vec![claim(0, "PCN-A")])]),
    );
    sim.step(&world.folders, day(20)).unwrap();
    sim.step(&world.folders, day(21)).unwrap();
    // PCN-D's only diagnosis is one the contract excludes: both lines denied.
    let mut unspecified = claim(0, "PCN-D");
    unspecified.diagnoses = vec!["R69".into()];
    for line in &mut unspecified.lines {
        line.diagnosis_pointers = vec![1];
    }
    world.drop_file(
        "837P-000000002.x12",
        &claims_file(2, &[batch("0002", vec![claim(0, "PCN-B"), unspecified])]),
    );
    sim.step(&world.folders, day(22)).unwrap();
    sim.step(&world.folders, day(23)).unwrap();
    world.drop_file(
        "837P-000000003.x12",
        &claims_file(3, &[batch("0003", vec![claim(0, "PCN-C")])]),
    );
    sim.step(&world.folders, day(23)).unwrap();

    let mut inquiry = samples::status_inquiry();
    inquiry.parties.payer.id = "ACME01".into();
    let ask = |pcn: &str, trace: &str| {
        let mut c = inquiry.claims[0].clone();
        c.payer_claim_control_number = None;
        c.patient_control_number = Some(pcn.into());
        c.trace_number = trace.into();
        c
    };
    inquiry.claims = vec![
        ask("PCN-A", "T1"),
        ask("PCN-C", "T2"),
        ask("PCN-Z", "T3"),
        ask("PCN-D", "T4"),
    ];
    let file = write_276(&samples::interchange_params(12), &[inquiry]).unwrap();
    world.drop_file("276-000000012.x12", &file);
    sim.process_dir(&world.folders, day(23)).unwrap();

    let bytes = &files_ending(&world.folders.to_billing, "-277.x12")[0];
    let report = medbill_x12::cli::validate(bytes);
    assert!(!report.has_errors(), "{report}");
    let response = read_277(bytes).unwrap().remove(0);
    let first = |i: usize| {
        let s = &response.claims[i].statuses[0];
        (
            response.claims[i].trace_number.clone(),
            format!("{}:{}", s.codes[0].category, s.codes[0].status),
            s.paid.map(|p| p.cents()),
        )
    };
    assert_eq!(first(0), ("T1".into(), "F1:65".into(), Some(6_240)));
    assert_eq!(first(1), ("T2".into(), "P1:20".into(), Some(0)));
    assert_eq!(first(2), ("T3".into(), "A4:35".into(), None));
    assert_eq!(first(3), ("T4".into(), "F2:1".into(), Some(0)));
    let paid = &response.claims[0].statuses[0];
    let trace = &sim.record().remittances[0].trace;
    assert_eq!(paid.check_number.as_ref(), Some(trace));
}

#[test]
fn a_file_the_simulator_cannot_answer_is_set_aside_with_the_reason_and_nothing_recorded() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file("notes.txt", b"not an interchange");
    let remit = samples::remittance_file(1).unwrap();
    world.drop_file("stray.835", &remit);
    let report = sim.process_dir(&world.folders, day(20)).unwrap();
    assert_eq!(report.files_refused.len(), 2);
    let failed = world.folders.from.join("failed");
    assert!(failed.join("notes.txt").exists());
    let note = std::fs::read_to_string(failed.join("stray.835.error")).unwrap();
    assert!(note.contains("HP"), "{note}");
    assert!(files(&world.folders.to_billing).is_empty());
    assert!(sim.record().files.is_empty());
}
