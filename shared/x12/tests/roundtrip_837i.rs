//! Round trip of the 837I: for arbitrary valid institutional claims,
//! `read_837i(write_837i(claims)) == claims`, present-on-admission
//! indicators included; an indicator outside the guide's codes is refused
//! at its component.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/claim_strategies.rs"]
mod claim_strategies;

use claim_strategies::*;
use medbill_x12::institutional::{
    CodeOnDate, Diagnosis, InstitutionalClaim, InstitutionalLine, PresentOnAdmission, ValueCode,
    read_837i, write_837i,
};
use medbill_x12::samples;
use proptest::option::of;
use proptest::prelude::*;

fn dated_codes(pattern: &'static str) -> impl Strategy<Value = Vec<CodeOnDate>> {
    prop::collection::vec(
        (code(pattern), date()).prop_map(|(code, date)| CodeOnDate { code, date }),
        0..14,
    )
}

/// An ICD-10-CM code with any present-on-admission indicator, or none.
fn diagnosis() -> impl Strategy<Value = Diagnosis> {
    (
        code("[A-Z][0-9]{2}[A-Z0-9]{0,4}"),
        of(prop::sample::select(PresentOnAdmission::ALL.to_vec())),
    )
        .prop_map(|(code, present_on_admission)| Diagnosis {
            code,
            present_on_admission,
        })
}

fn institutional_claim() -> impl Strategy<Value = InstitutionalClaim> {
    (
        parties(),
        (code("[A-Z0-9-]{1,38}"), code("1[1-8]"), frequency()),
        (
            code("[ABC]"),
            code("[YNW]"),
            code("[YI]"),
            date(),
            0u16..400,
        ),
        (
            of(date()),
            of(code("[1-9]")),
            of(code("[1-9]")),
            code("0[1-9]|[1-6][0-9]"),
            of(0u8..24),
            of(0u8..24),
        ),
        (
            of(code("[A-Z0-9]{4,15}")),
            diagnosis(),
            of(code("[A-Z][0-9]{2}[A-Z0-9]{0,4}")),
        ),
        (
            prop::collection::vec(diagnosis(), 0..14),
            of((code("[0-9A-Z]{7}"), date()).prop_map(|(code, date)| CodeOnDate { code, date })),
        ),
        (
            dated_codes("[0-9A-Z]{7}"),
            dated_codes("[0-9]{2}"),
            prop::collection::vec(
                (code("[0-9A-Z]{2}"), money(-100_000, 10_000_000))
                    .prop_map(|(code, amount)| ValueCode { code, amount }),
                0..14,
            ),
            prop::collection::vec(code("[0-9A-Z]{2}"), 0..14),
        ),
        (of(practitioner()), of(service_facility())),
        prop::collection::vec(other_payer(), 0..3),
    )
        .prop_flat_map(|fields| {
            let payer_ids: Vec<String> = fields.8.iter().map(|o| o.payer_id.clone()).collect();
            let line = (
                (code("0[0-9]{3}"), of(code("[0-9]{5}|[A-Z][0-9]{4}"))),
                prop::collection::vec(code("[A-Z0-9]{2}"), 0..=4),
                (money(1, 10_000_000), units(), of(date())),
                (code("[A-Z0-9]{1,50}"), adjudication(payer_ids.clone())),
            )
                .prop_map(|(codes, modifiers, amounts, rest)| InstitutionalLine {
                    revenue_code: codes.0,
                    modifiers: if codes.1.is_some() {
                        modifiers
                    } else {
                        Vec::new()
                    },
                    procedure_code: codes.1,
                    charge: amounts.0,
                    units: amounts.1,
                    service_date: amounts.2,
                    line_item_control_number: rest.0,
                    adjudications: rest.1,
                });
            (Just(fields), prop::collection::vec(line, 1..4))
        })
        .prop_map(
            |((parties, ids, sig, admission, refs, dx, codes, attending, others), lines)| {
                let ch = |s: &str| s.chars().next().unwrap();
                let days = sig.4;
                InstitutionalClaim {
                    billing_provider: parties.provider,
                    subscriber: parties.subscriber,
                    payer: parties.payer,
                    patient: parties.patient,
                    patient_control_number: ids.0,
                    total_charge: lines.iter().map(|l| l.charge).sum(),
                    facility_type: ids.1,
                    frequency: ids.2.0,
                    assignment: ch(&sig.0),
                    benefits_assigned: ch(&sig.1),
                    release_of_information: ch(&sig.2),
                    statement_from: sig.3,
                    statement_to: later(sig.3, days),
                    admission_date: admission.0,
                    // An hour only with a date, as the writer requires.
                    admission_hour: admission.0.and(admission.4),
                    discharge_hour: admission.5,
                    admission_type: admission.1,
                    admission_source: admission.2,
                    patient_status: admission.3,
                    prior_authorization: refs.0,
                    payer_claim_control_number: ids.2.1,
                    principal_diagnosis: refs.1,
                    admitting_diagnosis: refs.2,
                    other_diagnoses: dx.0,
                    principal_procedure: dx.1,
                    other_procedures: codes.0,
                    occurrence_codes: codes.1,
                    value_codes: codes.2,
                    condition_codes: codes.3,
                    attending_provider: attending.0,
                    service_facility: attending.1,
                    other_payers: others,
                    lines,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_valid_institutional_batch_reads_back_equal(
        claims in prop::collection::vec(institutional_claim(), 1..4),
    ) {
        let batches = [batch(claims)];
        let file = write_837i(&samples::interchange_params(9), &batches).unwrap();
        prop_assert_eq!(read_837i(&file).unwrap(), batches);
    }
}

#[test]
fn the_inpatient_sample_carries_its_present_on_admission_indicators_in_hi0n_9() {
    let inpatient = samples::institutional_claim(1);
    let file = write_837i(
        &samples::interchange_params(9),
        &[batch(vec![inpatient.clone()])],
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    // An exempt code (Z79.01) has no indicator: the component is left out.
    for segment in [
        "HI*ABK:J189:::::::Y~",
        "HI*ABJ:R0602~",
        "HI*ABF:I10:::::::Y*ABF:E785:::::::Y*ABF:L89152:::::::N*ABF:R410:::::::W*ABF:Z7901~",
    ] {
        assert!(text.contains(segment), "{segment} in {text}");
    }
    let read = read_837i(text.as_bytes()).unwrap();
    assert_eq!(read[0].claims[0], inpatient);
    // An outpatient claim's diagnoses carry none.
    let outpatient = write_837i(
        &samples::interchange_params(9),
        &[batch(vec![samples::institutional_claim(0)])],
    )
    .unwrap();
    let outpatient = String::from_utf8(outpatient).unwrap();
    assert!(outpatient.contains("HI*ABK:R0789~"), "{outpatient}");
    assert!(outpatient.contains("HI*ABF:I10*ABF:E785~"), "{outpatient}");
}

#[test]
fn a_present_on_admission_indicator_outside_the_guides_codes_is_refused_at_its_component() {
    let file = write_837i(
        &samples::interchange_params(9),
        &[batch(vec![samples::institutional_claim(1)])],
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    // `1` (exempt) is a UB-04 value the 5010 guide does not have; lower
    // case is not a code either.
    for (from, to, component) in [
        ("HI*ABK:J189:::::::Y~", "HI*ABK:J189:::::::1~", "HI01-9"),
        ("*ABF:L89152:::::::N*", "*ABF:L89152:::::::n*", "HI03-9"),
    ] {
        let broken = text.replacen(from, to, 1);
        assert_ne!(broken, text, "{from} is in the sample");
        let err = read_837i(broken.as_bytes()).unwrap_err();
        assert_eq!(err.location.segment_id, "HI");
        let message = err.to_string();
        assert!(message.contains(component), "{message}");
        assert!(message.contains("present-on-admission"), "{message}");
    }
}
