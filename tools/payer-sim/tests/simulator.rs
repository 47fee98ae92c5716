//! The simulator over real folders: an 837P batch built with the X12
//! writer goes in; the 999, 277CA, 835s and deposit records that come out
//! are read back with the X12 readers and checked against the claims and
//! against the simulator's own record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/world.rs"]
mod world;

use medbill_payer_sim::record::ClaimState;
use medbill_x12::ack::{AckStatus, read_999};
use medbill_x12::claim_ack::{Disposition, read_277ca};
use medbill_x12::remit::{ClaimStatus, read_835};
use world::*;

/// Claims 0 and 1 primary to ACME01, 2 a replacement of an unknown claim,
/// 3 secondary to SCI002, 4 for a member nobody enrolled.
fn first_batch() -> Vec<u8> {
    claims_file(
        1,
        &[batch(
            "0001",
            vec![
                claim(0, "PCN-A"),
                claim(1, "PCN-B"),
                claim(2, "PCN-C"),
                claim(3, "PCN-D"),
                for_member(claim(0, "PCN-E"), "NOBODY123"),
            ],
        )],
    )
}

#[test]
fn an_837p_batch_is_acknowledged_adjudicated_and_paid_in_balanced_835s() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file("837P-000000001.x12", &first_batch());
    let report = sim.process_dir(&world.folders, day(20)).unwrap();
    assert_eq!(report.files_taken, ["837P-000000001.x12"], "{report:?}");
    assert_eq!((report.claims_accepted, report.claims_rejected), (3, 2));

    // The 999 accepts the one set of the group the 837 sent (GS06 1).
    let acks = read_999(&files_ending(&world.folders.to_billing, "-999.x12")[0]).unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].group_control_number, "1");
    assert_eq!(acks[0].status, AckStatus::Accepted);
    assert_eq!(acks[0].transactions[0].control_number, "0001");
    assert_eq!(acks[0].transactions[0].status, AckStatus::Accepted);

    // The 277CA answers each claim by its CLM01.
    let ca = read_277ca(&files_ending(&world.folders.to_billing, "-277CA.x12")[0]).unwrap();
    let claims = &ca[0].claims;
    let pcns: Vec<&str> = claims
        .iter()
        .map(|c| c.patient_control_number.as_str())
        .collect();
    assert_eq!(pcns, ["PCN-A", "PCN-B", "PCN-C", "PCN-D", "PCN-E"]);
    let verdict = |i: usize| {
        let s = &claims[i].statuses[0];
        (
            claims[i].disposition,
            format!("{}:{}", s.category, s.status),
        )
    };
    assert_eq!(verdict(0), (Disposition::Accepted, "A2:20".into()));
    assert_eq!(verdict(2), (Disposition::Rejected, "A7:21".into()));
    assert_eq!(verdict(4), (Disposition::Rejected, "A7:164".into()));
    let icn_a = claims[0].payer_claim_control_number.clone().unwrap();
    assert!(claims[2].payer_claim_control_number.is_none());
    assert_eq!(
        ca[0]
            .information_receiver
            .as_ref()
            .unwrap()
            .trace_number
            .as_deref(),
        Some("BATCH0001")
    );

    // What billing receives is clean by `medbill x12 validate`.
    for (name, bytes) in files(&world.folders.to_billing) {
        let report = medbill_x12::cli::validate(&bytes);
        assert!(!report.has_errors(), "{name}: {report}");
    }

    // Nothing is paid before adjudication.
    assert!(files(&world.folders.to_payments).is_empty());
    let report = sim
        .adjudicate_due(&world.folders.to_payments, day(20))
        .unwrap();
    assert_eq!((report.claims_adjudicated, report.remittances), (3, 2));

    let remits: Vec<_> = files_ending(&world.folders.to_payments, "-835.x12")
        .iter()
        .map(|f| checked_835(f))
        .collect();
    assert_eq!(remits.len(), 2);
    let acme = remits
        .iter()
        .find(|r| r.payer.name.as_str() == "ACME HEALTH PLAN")
        .unwrap();
    // PCN-A: 99214 allowed 120.00, deductible 50.00, 20% of 70.00 = 14.00,
    // paid 56.00; 36415 allowed 8.00, coinsurance 1.60, paid 6.40.
    // PCN-B: 120.00 − 24.00 = 96.00 and 6.40.
    let a = acme
        .claims()
        .find(|c| c.patient_control_number.as_str() == "PCN-A")
        .unwrap();
    assert_eq!(a.status, ClaimStatus::ProcessedAsPrimary);
    assert_eq!((a.total_charge.cents(), a.paid.cents()), (20_000, 6_240));
    assert_eq!(a.patient_responsibility.map(|p| p.cents()), Some(6_560));
    assert_eq!(a.payer_claim_control_number.as_str(), icn_a);
    let lines: Vec<_> = a.services().collect();
    assert_eq!(
        lines[0].line_item_control_number.as_deref(),
        Some("PCN-A-1")
    );
    assert_eq!(lines[0].paid.cents(), 5_600);
    let b = acme
        .claims()
        .find(|c| c.patient_control_number.as_str() == "PCN-B")
        .unwrap();
    assert_eq!(b.paid.cents(), 10_240);
    assert_eq!(acme.payment.amount.cents(), 16_480);
    assert_eq!(acme.payment.method.as_str(), "ACH");
    // PCN-D as secondary: the lesser of its own benefit and what ACME01
    // left to the patient, line by line: 20.00 + 10.00.
    let sci = remits
        .iter()
        .find(|r| r.payer.name.as_str() == "SECOND CHOICE INSURANCE")
        .unwrap();
    let d = sci.claims().next().unwrap();
    assert_eq!(d.status, ClaimStatus::ProcessedAsSecondary);
    assert_eq!(d.paid.cents(), 3_000);
    assert_eq!(sci.payment.method.as_str(), "CHK");

    // One deposit record, for the EFT: TRN02, BPR02, BPR16.
    let deposits = files_ending(&world.folders.to_payments, "-deposits.csv");
    let text = String::from_utf8(deposits[0].clone()).unwrap();
    let trace = acme.trace.as_ref().unwrap().number.to_string();
    assert_eq!(
        text,
        format!("trace,amount,date,payer\n{trace},164.80,2024-03-22,ACME01\n")
    );

    // The record's totals are the 835s'.
    let record = sim.record();
    let totals = &record.totals;
    let clp04: i64 = remits
        .iter()
        .flat_map(|r| r.claims().map(|c| c.paid.cents()).collect::<Vec<_>>())
        .sum();
    let clp03: i64 = remits
        .iter()
        .flat_map(|r| {
            r.claims()
                .map(|c| c.total_charge.cents())
                .collect::<Vec<_>>()
        })
        .sum();
    let bpr: i64 = remits.iter().map(|r| r.payment.amount.cents()).sum();
    assert_eq!(
        (totals.paid, totals.billed, totals.payments),
        (clp04, clp03, bpr)
    );
    assert_eq!((totals.claims_accepted, totals.claims_rejected), (3, 2));
    assert_eq!(totals.adjustments.get("PR-1"), Some(&5_000));
    assert!(
        record
            .claims
            .iter()
            .all(|c| c.state == ClaimState::Adjudicated)
    );
    // The record file holds the same record.
    let saved: medbill_payer_sim::Record =
        serde_json::from_str(&std::fs::read_to_string(sim.record_path()).unwrap()).unwrap();
    assert_eq!(&saved, record);
}

/// Runs the first batch through a fresh simulator and returns every file
/// written (billing's and payments') and the record file.
fn run_once(config: medbill_payer_sim::SimConfig, seed: u64) -> (Vec<(String, Vec<u8>)>, Vec<u8>) {
    let world = World::new();
    let mut sim = world.simulator(config, seed);
    world.drop_file("837P-000000001.x12", &first_batch());
    sim.step(&world.folders, day(20)).unwrap();
    let mut out = files(&world.folders.to_billing);
    out.extend(files(&world.folders.to_payments));
    (out, std::fs::read(sim.record_path()).unwrap())
}

#[test]
fn the_same_inputs_and_seed_give_byte_identical_files_and_another_seed_draws_differently() {
    let mut drawing = config();
    let rates = &mut drawing.payers[0].contract.denial_rates;
    rates.missing_information = "0.3".parse().unwrap();
    rates.medical_necessity = "0.3".parse().unwrap();
    drawing.payers[0].contract.adjustments.interest_rate = "0.5".parse().unwrap();
    drawing.payers[0].contract.adjustments.interest_percent = "0.01".parse().unwrap();
    let (first, first_record) = run_once(drawing.clone(), SEED);
    let (second, second_record) = run_once(drawing.clone(), SEED);
    assert!(
        first.len() >= 5,
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(first, second);
    assert_eq!(first_record, second_record);
    let outcomes = |seed: u64| {
        (1..=8u64)
            .map(|n| run_once(drawing.clone(), seed * 100 + n).0)
            .collect::<Vec<_>>()
    };
    assert_ne!(outcomes(1), outcomes(2));
}

#[test]
fn every_835_reads_back_with_the_claims_the_277ca_accepted() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    world.drop_file("837P-000000001.x12", &first_batch());
    sim.step(&world.folders, day(20)).unwrap();
    let ca = read_277ca(&files_ending(&world.folders.to_billing, "-277CA.x12")[0]).unwrap();
    let mut accepted: Vec<(String, String)> = ca[0]
        .claims
        .iter()
        .filter(|c| c.disposition == Disposition::Accepted)
        .map(|c| {
            (
                c.patient_control_number.clone(),
                c.payer_claim_control_number.clone().unwrap(),
            )
        })
        .collect();
    let mut paid: Vec<(String, String)> = files_ending(&world.folders.to_payments, "-835.x12")
        .iter()
        .flat_map(|f| read_835(f).unwrap())
        .flat_map(|r| {
            r.claims()
                .map(|c| {
                    (
                        c.patient_control_number.to_string(),
                        c.payer_claim_control_number.to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    accepted.sort();
    paid.sort();
    assert_eq!(accepted, paid);
}

#[test]
fn an_837i_claim_is_acknowledged_with_its_type_of_bill_and_paid_line_by_revenue_code() {
    let world = World::new();
    let mut sim = world.simulator(config(), SEED);
    let file = medbill_x12::institutional::write_837i(
        &medbill_x12::samples::interchange_params(5),
        &[medbill_x12::samples::batch(
            "0001",
            vec![medbill_x12::samples::institutional_claim(0)],
        )],
    )
    .unwrap();
    world.drop_file("837I-000000005.x12", &file);
    let report = sim.step(&world.folders, day(20)).unwrap();
    assert_eq!((report.claims_accepted, report.remittances), (1, 1));
    let ca = read_277ca(&files_ending(&world.folders.to_billing, "-277CA.x12")[0]).unwrap();
    assert_eq!(ca[0].claims[0].bill_type.as_deref(), Some("131"));
    let remit = checked_835(&files_ending(&world.folders.to_payments, "-835.x12")[0]);
    let claim = remit.claims().next().unwrap();
    assert_eq!(claim.facility_type.as_deref(), Some("13"));
    // 0450/99284 is not in the schedule: 900.00 × 60% = 540.00 allowed,
    // 50.00 deductible, 20% of 490.00 = 98.00, paid 392.00.
    // 0300/80053: 15.00 × 80% = 12.00, 20% = 2.40, paid 9.60.
    let lines: Vec<_> = claim.services().collect();
    assert_eq!(lines[0].procedure.code.as_str(), "99284");
    assert_eq!(lines[0].revenue_code.as_deref(), Some("0450"));
    assert_eq!(
        (lines[0].paid.cents(), lines[1].paid.cents()),
        (39_200, 960)
    );
    assert_eq!(remit.payment.amount.cents(), 40_160);
}
