//! A claim's life at the payer over several days and restarts: each file
//! is taken once, nothing is adjudicated twice, replacements and voids
//! reverse what was paid, a remittance that would be negative carries its
//! balance forward and a later one recovers it, and the payer's own
//! corrections and interest balance like everything else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/world.rs"]
mod world;

use medbill_payer_sim::record::{ClaimState, PaymentKind};
use medbill_x12::claim::Frequency;
use medbill_x12::claim_ack::read_277ca;
use medbill_x12::remit::ClaimStatus;
use world::*;

fn one_claim_file(control: u32, pcn: &str) -> Vec<u8> {
    claims_file(control, &[batch("0001", vec![claim(0, pcn)])])
}

#[test]
fn each_file_is_taken_once_even_when_dropped_again_or_after_a_restart() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let file = one_claim_file(1, "PCN-A");
    world.drop_file("837P-000000001.x12", &file);
    // A file billing is still writing is left alone.
    std::fs::write(
        world.folders.from.join(".837P-000000002.x12.part"),
        b"ISA*00*",
    )
    .unwrap();
    let first = sim.step(&world.folders, day(20)).unwrap();
    assert_eq!(first.files_taken, ["837P-000000001.x12"]);
    assert_eq!(first.claims_adjudicated, 1);
    assert!(
        world
            .folders
            .from
            .join("processed/837P-000000001.x12")
            .exists()
    );
    assert!(world.folders.from.join(".837P-000000002.x12.part").exists());
    let written = files(&world.folders.to_billing).len() + files(&world.folders.to_payments).len();

    // Nothing new: nothing taken, nothing written.
    let again = sim.step(&world.folders, day(20)).unwrap();
    assert!(again.files_taken.is_empty() && again.files_written.is_empty());

    // Billing drops the same file again (a crash on its side), and the
    // simulator restarts: the record remembers the file and the payment.
    world.drop_file("837P-000000001.x12", &file);
    drop(sim);
    let mut sim = world.simulator(config(), SEED);
    let after_restart = sim.step(&world.folders, day(21)).unwrap();
    assert_eq!(after_restart.files_seen_before, ["837P-000000001.x12"]);
    assert!(after_restart.files_written.is_empty());
    assert_eq!(after_restart.claims_adjudicated, 0);
    let now = files(&world.folders.to_billing).len() + files(&world.folders.to_payments).len();
    assert_eq!(now, written);
    assert_eq!(sim.record().claims.len(), 1);
    assert_eq!(sim.record().files.len(), 1);
    assert!(
        world
            .folders
            .from
            .join("processed/837P-000000001.x12.1")
            .exists()
    );
}

#[test]
fn a_record_made_with_another_seed_is_refused() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file("837P-000000001.x12", &one_claim_file(1, "PCN-A"));
    sim.step(&world.folders, day(20)).unwrap();
    let err = medbill_payer_sim::Simulator::open(config(), SEED + 1, &world.work).unwrap_err();
    assert!(err.to_string().contains("seed"), "{err}");
}

#[test]
fn a_claim_is_adjudicated_on_its_due_day_not_before() {
    let world = World::new();
    let mut later = config();
    later.adjudication_days = 3;
    let mut sim = world.simulator(later, SEED);
    world.drop_file("837P-000000001.x12", &one_claim_file(1, "PCN-A"));
    assert_eq!(
        sim.step(&world.folders, day(20))
            .unwrap()
            .claims_adjudicated,
        0
    );
    assert_eq!(
        sim.step(&world.folders, day(22))
            .unwrap()
            .claims_adjudicated,
        0
    );
    assert_eq!(sim.record().claims[0].state, ClaimState::Pending);
    assert_eq!(
        sim.step(&world.folders, day(23))
            .unwrap()
            .claims_adjudicated,
        1
    );
}

/// The payer claim control numbers the 277CA files gave, by CLM01.
fn numbers(world: &World) -> Vec<(String, String)> {
    files_ending(&world.folders.to_billing, "-277CA.x12")
        .iter()
        .flat_map(|f| read_277ca(f).unwrap())
        .flat_map(|a| a.claims)
        .filter_map(|c| Some((c.patient_control_number, c.payer_claim_control_number?)))
        .collect()
}

fn number_of(world: &World, pcn: &str) -> String {
    numbers(world)
        .into_iter()
        .find(|(p, _)| p == pcn)
        .unwrap()
        .1
}

fn remits(world: &World) -> Vec<medbill_x12::remit::Remittance> {
    files_ending(&world.folders.to_payments, "-835.x12")
        .iter()
        .map(|f| checked_835(f))
        .collect()
}

#[test]
fn a_replacement_reverses_the_paid_claim_a_void_reverses_and_a_negative_remittance_is_recovered_later()
 {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file(
        "837P-000000001.x12",
        &claims_file(
            1,
            &[batch("0001", vec![claim(0, "PCN-A"), claim(1, "PCN-B")])],
        ),
    );
    sim.step(&world.folders, day(20)).unwrap();
    let icn_a = number_of(&world, "PCN-A");
    let icn_b = number_of(&world, "PCN-B");

    // Day 2: A is replaced by A2 billing only the office visit; B is voided.
    let mut replacement = claim(0, "PCN-A2");
    replacement.frequency = Frequency::Replacement;
    replacement.payer_claim_control_number = Some(icn_a.clone());
    replacement.lines.truncate(1);
    replacement.total_charge = replacement.lines[0].charge;
    let mut void = claim(1, "PCN-B2");
    void.frequency = Frequency::Void;
    void.payer_claim_control_number = Some(icn_b.clone());
    world.drop_file(
        "837P-000000002.x12",
        &claims_file(2, &[batch("0002", vec![replacement, void])]),
    );
    let report = sim.step(&world.folders, day(21)).unwrap();
    assert_eq!((report.claims_accepted, report.remittances), (2, 1));
    let second = remits(&world).remove(1);
    let clps: Vec<(String, ClaimStatus, i64, String)> = second
        .claims()
        .map(|c| {
            (
                c.patient_control_number.to_string(),
                c.status,
                c.paid.cents(),
                c.payer_claim_control_number.to_string(),
            )
        })
        .collect();
    // A's 62.40 and B's 102.40 come back; A2's visit is paid as A's was
    // (the deductible A used is given back first): 56.00.
    assert_eq!(
        clps,
        [
            ("PCN-A".into(), ClaimStatus::Reversal, -6_240, icn_a.clone()),
            (
                "PCN-A2".into(),
                ClaimStatus::ProcessedAsPrimary,
                5_600,
                number_of(&world, "PCN-A2")
            ),
            (
                "PCN-B".into(),
                ClaimStatus::Reversal,
                -10_240,
                icn_b.clone()
            ),
        ]
    );
    // −62.40 + 56.00 − 102.40 = −108.80: nothing is paid, the balance is
    // carried forward (PLB FB, negative) and owed.
    assert_eq!(second.payment.amount.cents(), 0);
    assert_eq!(second.payment.handling_code.as_str(), "H");
    let fb = &second.provider_adjustments[0];
    assert_eq!((fb.reason.as_str(), fb.amount.cents()), ("FB", -10_880));
    assert_eq!(sim.record().recoveries[0].outstanding, 10_880);
    let record = sim.record();
    let state = |pcn: &str| {
        record
            .claims
            .iter()
            .find(|c| c.claim.patient_control_number == pcn)
            .unwrap()
            .state
    };
    assert_eq!(state("PCN-A"), ClaimState::Superseded);
    assert_eq!(state("PCN-B"), ClaimState::Superseded);
    assert_eq!(state("PCN-B2"), ClaimState::Applied);

    // Day 3: a new claim pays 102.40, all of it kept back (PLB WO).
    world.drop_file("837P-000000003.x12", &one_claim_file(3, "PCN-C"));
    sim.step(&world.folders, day(22)).unwrap();
    let third = remits(&world).remove(2);
    assert_eq!(third.claims().next().unwrap().paid.cents(), 10_240);
    let wo = &third.provider_adjustments[0];
    assert_eq!((wo.reason.as_str(), wo.amount.cents()), ("WO", 10_240));
    assert_eq!(third.payment.amount.cents(), 0);
    assert_eq!(sim.record().recoveries[0].outstanding, 640);

    // The record's totals are the three 835s'.
    let all = remits(&world);
    let totals = &sim.record().totals;
    let clp04: i64 = all
        .iter()
        .flat_map(|r| r.claims().map(|c| c.paid.cents()).collect::<Vec<_>>())
        .sum();
    let plb: i64 = all
        .iter()
        .flat_map(|r| {
            r.provider_adjustments
                .iter()
                .map(|p| p.amount.cents())
                .collect::<Vec<_>>()
        })
        .sum();
    assert_eq!((totals.paid, totals.provider_adjustments), (clp04, plb));
    assert_eq!(totals.payments, 16_480);
    // A replaced claim cannot be replaced again.
    let mut twice = claim(0, "PCN-A3");
    twice.frequency = Frequency::Replacement;
    twice.payer_claim_control_number = Some(icn_a);
    world.drop_file(
        "837P-000000004.x12",
        &claims_file(4, &[batch("0004", vec![twice])]),
    );
    let report = sim.step(&world.folders, day(23)).unwrap();
    assert_eq!((report.claims_accepted, report.claims_rejected), (0, 1));
}

#[test]
fn a_replacement_of_a_claim_not_yet_adjudicated_means_only_the_replacement_is_paid() {
    let world = World::new();
    let mut slow = config();
    slow.adjudication_days = 5;
    let mut sim = world.simulator(slow, SEED);
    world.drop_file("837P-000000001.x12", &one_claim_file(1, "PCN-A"));
    sim.process_dir(&world.folders, day(20)).unwrap();
    let mut replacement = claim(0, "PCN-A2");
    replacement.frequency = Frequency::Replacement;
    replacement.payer_claim_control_number = Some(number_of(&world, "PCN-A"));
    world.drop_file(
        "837P-000000002.x12",
        &claims_file(2, &[batch("0002", vec![replacement])]),
    );
    sim.process_dir(&world.folders, day(21)).unwrap();
    sim.adjudicate_due(&world.folders.to_payments, day(26))
        .unwrap();
    let paid: Vec<String> = remits(&world)
        .iter()
        .flat_map(|r| {
            r.claims()
                .map(|c| c.patient_control_number.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(paid, ["PCN-A2"]);
}

#[test]
fn the_payer_now_and_then_reverses_an_earlier_payment_and_pays_it_corrected_with_interest_as_plb() {
    let world = World::new();
    let mut generous = config();
    let adjustments = &mut generous.payers[0].contract.adjustments;
    adjustments.reversal_rate = "1".parse().unwrap();
    adjustments.correction_percent = "0.10".parse().unwrap();
    adjustments.interest_rate = "1".parse().unwrap();
    adjustments.interest_percent = "0.01".parse().unwrap();
    let mut sim = world.simulator(generous, SEED);
    world.drop_file("837P-000000001.x12", &one_claim_file(1, "PCN-A"));
    sim.step(&world.folders, day(20)).unwrap();
    // Day 1: 62.40 paid with 1% interest (0.62) as PLB L6 −0.62.
    let first = remits(&world).remove(0);
    let l6 = &first.provider_adjustments[0];
    assert_eq!((l6.reason.as_str(), l6.amount.cents()), ("L6", -62));
    assert_eq!(first.payment.amount.cents(), 6_302);

    world.drop_file("837P-000000002.x12", &one_claim_file(2, "PCN-B"));
    sim.step(&world.folders, day(21)).unwrap();
    let second = remits(&world).remove(1);
    let a: Vec<(ClaimStatus, i64)> = second
        .claims()
        .filter(|c| c.patient_control_number.as_str() == "PCN-A")
        .map(|c| (c.status, c.paid.cents()))
        .collect();
    // A's 56.00 and 6.40 lines each give back 10% (5.60 and 0.64): 56.16.
    assert_eq!(
        a,
        [
            (ClaimStatus::Reversal, -6_240),
            (ClaimStatus::ProcessedAsPrimary, 5_616)
        ]
    );
    let record = sim.record();
    let kinds: Vec<PaymentKind> = record.claims[0].payments.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PaymentKind::Original,
            PaymentKind::Reversal,
            PaymentKind::Correction
        ]
    );
    assert_eq!(record.claims[0].net_paid(), 5_616);
    let all = remits(&world);
    let clp04: i64 = all
        .iter()
        .flat_map(|r| r.claims().map(|c| c.paid.cents()).collect::<Vec<_>>())
        .sum();
    let bpr: i64 = all.iter().map(|r| r.payment.amount.cents()).sum();
    assert_eq!((record.totals.paid, record.totals.payments), (clp04, bpr));
    assert_eq!(
        record.totals.interest,
        -record
            .remittances
            .iter()
            .flat_map(|r| &r.provider_adjustments)
            .filter(|p| p.reason == "L6")
            .map(|p| p.amount)
            .sum::<i64>()
    );
}

#[test]
fn a_claim_paid_already_sent_again_under_its_control_number_is_denied_co_18() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file("837P-000000001.x12", &one_claim_file(1, "PCN-A"));
    sim.step(&world.folders, day(20)).unwrap();
    world.drop_file("837P-000000002.x12", &one_claim_file(2, "PCN-A"));
    sim.step(&world.folders, day(21)).unwrap();
    let second = remits(&world).remove(1);
    let c = second.claims().next().unwrap();
    assert_eq!(c.status, ClaimStatus::Denied);
    assert_eq!(
        c.services().next().unwrap().adjustments()[0]
            .reason
            .as_str(),
        "18"
    );
}

#[test]
fn a_file_whose_answer_cannot_be_written_leaves_no_trace_and_is_answered_the_same_later() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let file = one_claim_file(1, "PCN-A");
    world.drop_file("837P-000000001.x12", &file);
    // Billing's inbound folder is in the way: a file where the folder should be.
    std::fs::remove_dir(&world.folders.to_billing).unwrap();
    std::fs::write(&world.folders.to_billing, b"").unwrap();
    assert!(sim.process_dir(&world.folders, day(20)).is_err());
    assert!(sim.record().claims.is_empty() && sim.record().files.is_empty());
    assert!(world.folders.from.join("837P-000000001.x12").exists());

    std::fs::remove_file(&world.folders.to_billing).unwrap();
    let report = sim.process_dir(&world.folders, day(20)).unwrap();
    assert_eq!(report.claims_accepted, 1);
    // The same names and bytes a simulator that never failed writes.
    let fresh = World::new();
    let mut other = fresh.simulator(config(), SEED);
    fresh.drop_file("837P-000000001.x12", &file);
    other.process_dir(&fresh.folders, day(20)).unwrap();
    assert_eq!(
        files(&world.folders.to_billing),
        files(&fresh.folders.to_billing)
    );
}
