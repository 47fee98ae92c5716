//! Worked examples of the adjudication arithmetic, each computed by hand
//! in the comments, and the denials decided from a claim's own codes.

use std::collections::BTreeMap;
use std::str::FromStr;

use medbill_kernel::CalendarDate;
use rust_decimal::Decimal;

use super::*;
use crate::claim::{ClaimType, Frequency, Name, PriorLine, PriorPayer, Provider, SubmittedLine};
use crate::config::{BundledPair, DenialRates, PaymentAdjustments};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn day(text: &str) -> CalendarDate {
    text.parse().unwrap()
}

fn contract() -> Contract {
    Contract {
        fee_schedule_cents: BTreeMap::from([
            ("99214".to_owned(), 15_000),
            ("36415".to_owned(), 1_000),
            ("80053".to_owned(), 1_500),
            ("93000".to_owned(), 2_500),
        ]),
        fee_schedule_percent: d("0.80"),
        billed_percent: d("0.60"),
        timely_filing_days: Some(180),
        bundled_pairs: vec![
            BundledPair {
                column1: "80053".into(),
                column2: "36415".into(),
                modifier_allowed: true,
            },
            BundledPair {
                column1: "99214".into(),
                column2: "93000".into(),
                modifier_allowed: false,
            },
        ],
        excluded_diagnoses: vec!["R69".into()],
        authorization_required: vec!["70553".into()],
        not_covered: vec!["S9999".into()],
        denial_rates: DenialRates::default(),
        adjustments: PaymentAdjustments::default(),
    }
}

fn plan(deductible: i64, copay: i64, coinsurance: &str, max: Option<i64>) -> Plan {
    Plan {
        id: "GOLD".into(),
        payer_id: "ACME01".into(),
        name: "GOLD PPO".into(),
        deductible_cents: deductible,
        copay_cents: copay,
        coinsurance: d(coinsurance),
        out_of_pocket_max_cents: max,
        insurance_type: None,
    }
}

fn member() -> Member {
    Member {
        member_id: "MEM1".into(),
        plan_id: "GOLD".into(),
        coverage_start: day("2024-01-01"),
        coverage_end: None,
        group_number: None,
    }
}

fn line(code: &str, charge: i64, date: &str) -> SubmittedLine {
    SubmittedLine {
        control_number: format!("L-{code}"),
        procedure_code: Some(code.into()),
        revenue_code: None,
        modifiers: Vec::new(),
        charge,
        units: Decimal::ONE,
        service_date: day(date),
        diagnosis_pointers: vec![1],
        prior: None,
    }
}

fn claim(lines: Vec<SubmittedLine>) -> SubmittedClaim {
    SubmittedClaim {
        patient_control_number: "PCN1".into(),
        claim_type: ClaimType::Professional,
        frequency: Frequency::Original,
        replaces: None,
        payer_id: "ACME01".into(),
        rank: Rank::Primary,
        filing_indicator: "CI".into(),
        member_id: "MEM1".into(),
        subscriber: Name {
            last: "DOE".into(),
            first: Some("JANE".into()),
        },
        patient: None,
        billing_provider: Provider {
            name: "RIVERSIDE CLINIC".into(),
            npi: "1234567893".into(),
        },
        facility_code: "11".into(),
        diagnoses: vec!["E119".into(), "I10".into()],
        prior_authorization: None,
        total_charge: lines.iter().map(|l| l.charge).sum(),
        lines,
        prior_payer: None,
    }
}

/// No draw hits: every random rate is missed.
fn facts() -> Circumstances {
    Circumstances {
        received_on: day("2024-03-20"),
        duplicate: false,
        claim_draw: 999_999,
        bundling_draw: 999_999,
        interest_draw: 999_999,
    }
}

fn run(
    claim: &SubmittedClaim,
    plan: &Plan,
    totals: Accumulator,
    facts: &Circumstances,
) -> Adjudication {
    run_with(claim, &contract(), plan, &member(), totals, facts)
}

fn run_with(
    claim: &SubmittedClaim,
    contract: &Contract,
    plan: &Plan,
    member: &Member,
    totals: Accumulator,
    facts: &Circumstances,
) -> Adjudication {
    let terms = Terms {
        contract,
        plan,
        member,
    };
    let adjudication = adjudicate(claim, &terms, totals, facts);
    for (l, decision) in claim.lines.iter().zip(&adjudication.lines) {
        let cas: i64 = decision.adjustments.iter().map(|c| c.amount).sum();
        assert_eq!(
            l.charge - decision.paid,
            cas,
            "line {} balances",
            l.control_number
        );
    }
    adjudication
}

fn cas(list: &[(Group, &str, i64)]) -> Vec<Cas> {
    list.iter().map(|(g, r, a)| Cas::new(*g, r, *a)).collect()
}

use Group::{Contractual as CO, Other as OA, Patient as PR};

#[test]
fn billed_200_at_80_percent_of_a_150_fee_with_50_deductible_left_and_20_percent_coinsurance() {
    // Allowed 150.00 × 80% = 120.00; CO-45 200.00 − 120.00 = 80.00.
    // Deductible left 500.00 − 450.00 = 50.00; coinsurance 20% of 70.00 = 14.00.
    // The patient owes 64.00, the payer pays 120.00 − 64.00 = 56.00.
    let claim = claim(vec![line("99214", 20_000, "2024-03-01")]);
    let totals = Accumulator {
        deductible_met: 45_000,
        out_of_pocket_met: 45_000,
    };
    let a = run(
        &claim,
        &plan(50_000, 0, "0.20", Some(300_000)),
        totals,
        &facts(),
    );
    assert_eq!(a.lines[0].allowed, 12_000);
    assert_eq!(a.lines[0].paid, 5_600);
    assert_eq!(
        a.lines[0].adjustments,
        cas(&[(CO, "45", 8_000), (PR, "1", 5_000), (PR, "2", 1_400)])
    );
    assert_eq!(a.status, "1");
    assert_eq!(a.patient_responsibility(), 6_400);
    assert_eq!(
        a.totals,
        Accumulator {
            deductible_met: 50_000,
            out_of_pocket_met: 51_400
        }
    );
}

#[test]
fn the_deductible_is_used_up_across_lines_and_then_coinsurance_alone_applies() {
    // Line 1: allowed 120.00, deductible left 100.00 → PR-1 100.00, PR-2 20% of 20.00 = 4.00.
    // Line 2: allowed 10.00 × 80% = 8.00, deductible met → PR-2 1.60, paid 6.40.
    let claim = claim(vec![
        line("99214", 20_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-01"),
    ]);
    let totals = Accumulator {
        deductible_met: 40_000,
        out_of_pocket_met: 40_000,
    };
    let a = run(&claim, &plan(50_000, 0, "0.20", None), totals, &facts());
    assert_eq!((a.lines[0].paid, a.lines[1].paid), (1_600, 640));
    assert_eq!(
        a.lines[1].adjustments,
        cas(&[(CO, "45", 2_200), (PR, "2", 160)])
    );
    assert_eq!(a.totals.deductible_met, 50_000);
}

#[test]
fn a_copay_is_taken_once_per_claim_before_coinsurance() {
    // Line 1: allowed 120.00 → PR-3 25.00, PR-2 10% of 95.00 = 9.50, paid 85.50.
    // Line 2: allowed 8.00 → PR-2 0.80, paid 7.20 (no second copay).
    let claim = claim(vec![
        line("99214", 20_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-01"),
    ]);
    let a = run(
        &claim,
        &plan(0, 2_500, "0.10", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(
        a.lines[0].adjustments,
        cas(&[(CO, "45", 8_000), (PR, "3", 2_500), (PR, "2", 950)])
    );
    assert_eq!((a.lines[0].paid, a.lines[1].paid), (8_550, 720));
}

#[test]
fn the_out_of_pocket_maximum_caps_the_member_share() {
    // 10.00 left before the 100.00 maximum: PR-1 10.00, nothing else; paid 110.00.
    let claim = claim(vec![line("99214", 20_000, "2024-03-01")]);
    let totals = Accumulator {
        deductible_met: 0,
        out_of_pocket_met: 9_000,
    };
    let a = run(
        &claim,
        &plan(50_000, 0, "0.20", Some(10_000)),
        totals,
        &facts(),
    );
    assert_eq!(a.lines[0].paid, 11_000);
    assert_eq!(a.totals.out_of_pocket_met, 10_000);
}

#[test]
fn a_code_without_a_fee_is_allowed_a_share_of_its_charge_and_never_more_than_billed() {
    // 99999 is not in the schedule: 125.25 × 60% = 75.15. 99214 billed at
    // 100.00 is allowed 100.00, not the 120.00 the schedule gives.
    let claim = claim(vec![
        line("99999", 12_525, "2024-03-01"),
        line("99214", 10_000, "2024-03-01"),
    ]);
    let a = run(
        &claim,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!((a.lines[0].allowed, a.lines[1].allowed), (7_515, 10_000));
    assert_eq!(a.lines[1].adjustments, Vec::new());
}

#[test]
fn a_bundled_pair_on_one_date_without_a_bypass_modifier_denies_the_column_2_line_co_97() {
    let pair = claim(vec![
        line("80053", 4_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-01"),
    ]);
    let a = run(
        &pair,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(a.lines[1].adjustments, cas(&[(CO, "97", 3_000)]));
    assert_eq!(a.lines[1].remarks, ["M15"]);
    assert_eq!(a.lines[0].paid, 1_200);
    assert_eq!(a.denials, ["CO-97"]);
    assert_eq!(a.status, "1");
}

#[test]
fn a_bypass_modifier_or_another_date_of_service_pays_both_lines_of_a_pair() {
    let mut modified = claim(vec![
        line("80053", 4_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-01"),
    ]);
    modified.lines[1].modifiers = vec!["XU".into()];
    let a = run(
        &modified,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert!(a.denials.is_empty());
    assert_eq!(a.lines[1].paid, 800);
    let apart = claim(vec![
        line("80053", 4_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-02"),
    ]);
    let b = run(
        &apart,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert!(b.denials.is_empty());
}

#[test]
fn a_pair_never_paid_together_is_denied_co_236_even_with_a_modifier() {
    let mut both = claim(vec![
        line("99214", 20_000, "2024-03-01"),
        line("93000", 5_000, "2024-03-01"),
    ]);
    both.lines[1].modifiers = vec!["59".into()];
    let a = run(
        &both,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(a.lines[1].adjustments, cas(&[(CO, "236", 5_000)]));
    assert_eq!(a.denials, ["CO-236"]);
}

#[test]
fn a_line_for_an_excluded_unspecified_diagnosis_is_denied_co_16_m76() {
    let mut unspecified = claim(vec![
        line("99214", 20_000, "2024-03-01"),
        line("36415", 3_000, "2024-03-01"),
    ]);
    unspecified.diagnoses = vec!["R69".into(), "I10".into()];
    unspecified.lines[1].diagnosis_pointers = vec![2];
    let a = run(
        &unspecified,
        &plan(0, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(a.lines[0].adjustments, cas(&[(CO, "16", 20_000)]));
    assert_eq!(a.lines[0].remarks, ["M76"]);
    assert_eq!(a.lines[1].paid, 800);
}

#[test]
fn authorization_and_plan_exclusions_deny_their_lines() {
    let mut c = claim(vec![
        line("70553", 90_000, "2024-03-01"),
        line("S9999", 1_000, "2024-03-01"),
    ]);
    let a = run(&c, &plan(0, 0, "0", None), Accumulator::default(), &facts());
    assert_eq!(a.lines[0].adjustments, cas(&[(CO, "197", 90_000)]));
    assert_eq!(a.lines[1].adjustments, cas(&[(PR, "204", 1_000)]));
    assert_eq!(a.status, "4");
    assert_eq!(a.patient_responsibility(), 1_000);
    c.prior_authorization = Some("AUTH1".into());
    let b = run(&c, &plan(0, 0, "0", None), Accumulator::default(), &facts());
    assert_eq!(b.lines[0].paid, 54_000);
}

#[test]
fn coverage_dates_filing_limit_and_duplicates_deny_the_whole_claim() {
    let c = claim(vec![line("99214", 20_000, "2024-03-01")]);
    let mut ended = member();
    ended.coverage_end = Some(day("2024-02-29"));
    let free = plan(0, 0, "0", None);
    let a = run_with(
        &c,
        &contract(),
        &free,
        &ended,
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(
        (a.status.as_str(), a.denials.as_slice()),
        ("4", &["CO-27".to_owned()][..])
    );
    let late = Circumstances {
        received_on: day("2024-09-01"),
        ..facts()
    };
    let b = run(&c, &free, Accumulator::default(), &late);
    assert_eq!(b.denials, ["CO-29"]);
    let again = Circumstances {
        duplicate: true,
        ..facts()
    };
    let d = run(&c, &free, Accumulator::default(), &again);
    assert_eq!(d.lines[0].adjustments, cas(&[(CO, "18", 20_000)]));
}

#[test]
fn drawn_denials_follow_the_configured_rates() {
    let c = claim(vec![
        line("99214", 20_000, "2024-03-01"),
        line("99213", 9_000, "2024-03-01"),
    ]);
    let mut rates = contract();
    rates.denial_rates.missing_information = d("0.10");
    rates.denial_rates.medical_necessity = d("0.10");
    rates.denial_rates.bundling = d("0.5");
    let free = plan(0, 0, "0", None);
    let with = |claim_draw, bundling_draw| Circumstances {
        claim_draw,
        bundling_draw,
        ..facts()
    };
    let run = |f: Circumstances| run_with(&c, &rates, &free, &member(), Accumulator::default(), &f);
    assert_eq!(run(with(99_999, 999_999)).denials, ["CO-16"]);
    assert_eq!(run(with(99_999, 999_999)).lines[0].remarks, ["MA130"]);
    assert_eq!(run(with(100_000, 999_999)).denials, ["CO-50"]);
    assert!(run(with(200_000, 999_999)).denials.is_empty());
    let bundled = run(with(200_000, 499_999));
    assert_eq!(bundled.lines[1].adjustments, cas(&[(CO, "97", 9_000)]));
}

#[test]
fn interest_is_drawn_at_its_rate_and_is_a_share_of_the_payment() {
    // Paid 120.00 at 1% → 1.20 interest.
    let c = claim(vec![line("99214", 20_000, "2024-03-01")]);
    let mut with_interest = contract();
    with_interest.adjustments.interest_rate = d("0.05");
    with_interest.adjustments.interest_percent = d("0.01");
    let free = plan(0, 0, "0", None);
    let drawn = Circumstances {
        interest_draw: 49_999,
        ..facts()
    };
    let a = run_with(
        &c,
        &with_interest,
        &free,
        &member(),
        Accumulator::default(),
        &drawn,
    );
    assert_eq!(a.interest, 120);
    let b = run_with(
        &c,
        &with_interest,
        &free,
        &member(),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(b.interest, 0);
}

fn secondary(lines: Vec<SubmittedLine>, claim_pr: Vec<Cas>) -> SubmittedClaim {
    let mut c = claim(lines);
    c.rank = Rank::Secondary;
    c.prior_payer = Some(PriorPayer {
        payer_id: "PRIM01".into(),
        paid: Some(9_000),
        adjustments: claim_pr,
    });
    c
}

#[test]
fn a_secondary_pays_what_the_primary_left_to_the_patient_when_its_own_benefit_is_larger() {
    // Charge 150.00; primary paid 90.00, CO-45 40.00, PR-1 20.00.
    // As primary this payer would pay 120.00 (150.00 × 80%), more than the
    // 20.00 left: it pays 20.00, the patient owes nothing, OA-23 130.00.
    let mut l = line("99214", 15_000, "2024-03-01");
    l.prior = Some(PriorLine {
        paid: 9_000,
        adjustments: cas(&[(CO, "45", 4_000), (PR, "1", 2_000)]),
    });
    let c = secondary(vec![l], Vec::new());
    let a = run(&c, &plan(0, 0, "0", None), Accumulator::default(), &facts());
    assert_eq!(a.status, "2");
    assert_eq!(a.lines[0].paid, 2_000);
    assert_eq!(a.lines[0].adjustments, cas(&[(OA, "23", 13_000)]));
}

#[test]
fn a_secondary_never_pays_more_than_its_own_benefit_and_the_patient_keeps_the_rest() {
    // Charge 100.00; the primary left PR-1 30.00 and PR-2 10.00 (40.00).
    // As primary this payer allows 60.00 (billed × 60%) and its own 35.00
    // deductible leaves it 25.00 to pay: it pays 25.00, first against the
    // deductible. Left to the patient: PR-1 5.00, PR-2 10.00; OA-23 60.00.
    let mut l = line("99999", 10_000, "2024-03-01");
    l.prior = Some(PriorLine {
        paid: 6_000,
        adjustments: cas(&[(PR, "1", 3_000), (PR, "2", 1_000)]),
    });
    let c = secondary(vec![l], Vec::new());
    let a = run(
        &c,
        &plan(3_500, 0, "0", None),
        Accumulator::default(),
        &facts(),
    );
    assert_eq!(a.lines[0].paid, 2_500);
    assert_eq!(
        a.lines[0].adjustments,
        cas(&[(OA, "23", 6_000), (PR, "1", 500), (PR, "2", 1_000)])
    );
    assert_eq!(a.patient_responsibility(), 1_500);
}

#[test]
fn a_claim_level_primary_decision_is_spread_over_the_lines_by_charge() {
    // PR-1 30.00 at claim level over charges 150.00 and 50.00 → 22.50 and 7.50;
    // each is below what this payer would pay, so it pays them.
    let c = secondary(
        vec![
            line("99214", 15_000, "2024-03-01"),
            line("36415", 5_000, "2024-03-01"),
        ],
        cas(&[(CO, "45", 5_000), (PR, "1", 3_000)]),
    );
    let a = run(&c, &plan(0, 0, "0", None), Accumulator::default(), &facts());
    assert_eq!((a.lines[0].paid, a.lines[1].paid), (2_250, 750));
    assert_eq!(a.paid(), 3_000);
}

#[test]
fn a_secondary_claim_without_the_primary_decision_is_denied_co_16_ma04() {
    let mut c = claim(vec![line("99214", 15_000, "2024-03-01")]);
    c.rank = Rank::Secondary;
    let a = run(&c, &plan(0, 0, "0", None), Accumulator::default(), &facts());
    assert_eq!(a.lines[0].adjustments, cas(&[(CO, "16", 15_000)]));
    assert_eq!(a.lines[0].remarks, ["MA04"]);
}
