//! Sample institutional claims: outpatient, inpatient with procedures,
//! UB-04 codes and present-on-admission indicators, replacement, and
//! secondary after a primary payer.

use crate::claim::{Frequency, LineAdjudication, OtherPayer, PayerResponsibility, Practitioner};
use crate::institutional::{
    CodeOnDate, Diagnosis, InstitutionalBatch, InstitutionalClaim, InstitutionalLine,
    PresentOnAdmission as Poa, ValueCode,
};
use crate::remit::{Adjustment, AdjustmentGroup};
use crate::samples::{batch, billing_provider, day, person, professional_claim};
use crate::values::{Amount, Phi, Quantity};

fn line(n: usize, revenue: &str, hcpcs: Option<&str>, cents: i64) -> InstitutionalLine {
    InstitutionalLine {
        revenue_code: revenue.into(),
        procedure_code: hcpcs.map(str::to_owned),
        modifiers: Vec::new(),
        charge: Amount::from_cents(cents),
        units: Quantity::from_units(1),
        service_date: Some(day(2)),
        line_item_control_number: format!("I{n}"),
        adjudications: Vec::new(),
    }
}

/// The `i`-th sample institutional claim; the shape cycles every four.
pub fn institutional_claim(i: usize) -> InstitutionalClaim {
    // The parties are the same as the professional samples'.
    let parties = professional_claim(i);
    let mut claim = InstitutionalClaim {
        billing_provider: billing_provider(i / 4),
        subscriber: parties.subscriber,
        payer: parties.payer,
        patient: parties.patient,
        patient_control_number: format!("IPCN{i:06}"),
        total_charge: Amount::from_cents(125_000),
        facility_type: "13".into(),
        frequency: Frequency::Original,
        assignment: 'A',
        benefits_assigned: 'Y',
        release_of_information: 'Y',
        statement_from: day(2),
        statement_to: day(2),
        admission_date: None,
        admission_hour: None,
        discharge_hour: None,
        admission_type: None,
        admission_source: None,
        patient_status: "01".into(),
        prior_authorization: None,
        payer_claim_control_number: None,
        principal_diagnosis: "R0789".into(),
        admitting_diagnosis: None,
        other_diagnoses: vec!["I10".into(), "E785".into()],
        principal_procedure: None,
        other_procedures: Vec::new(),
        occurrence_codes: Vec::new(),
        value_codes: Vec::new(),
        condition_codes: Vec::new(),
        attending_provider: Some(Practitioner {
            name: person("JONES", "MARY"),
            npi: "1497758544".into(),
            taxonomy: Some("207RC0000X".into()),
        }),
        service_facility: None,
        other_payers: Vec::new(),
        lines: vec![
            line(i * 10 + 1, "0450", Some("99284"), 90_000),
            line(i * 10 + 2, "0300", Some("80053"), 35_000),
        ],
    };
    match i % 4 {
        1 => make_inpatient(&mut claim),
        2 => {
            claim.frequency = Frequency::Replacement;
            claim.payer_claim_control_number = Some("ICN20240302B".into());
        }
        3 => make_secondary(&mut claim),
        _ => {}
    }
    claim
}

fn make_inpatient(claim: &mut InstitutionalClaim) {
    claim.facility_type = "11".into();
    claim.statement_from = day(3);
    claim.statement_to = day(6);
    claim.admission_date = Some(day(3));
    claim.admission_hour = Some(22);
    claim.discharge_hour = Some(11);
    claim.admission_type = Some("1".into());
    claim.admission_source = Some("7".into());
    claim.prior_authorization = Some("INPAUTH42".into());
    // Present on admission: the pneumonia and the chronic conditions; the
    // pressure ulcer developed during the stay; whether the disorientation
    // was there on admission cannot be determined; long-term anticoagulant
    // use is exempt from reporting, so it has no indicator.
    claim.principal_diagnosis = Diagnosis::present("J189", Poa::Yes);
    claim.admitting_diagnosis = Some("R0602".into());
    claim.other_diagnoses = vec![
        Diagnosis::present("I10", Poa::Yes),
        Diagnosis::present("E785", Poa::Yes),
        Diagnosis::present("L89152", Poa::No),
        Diagnosis::present("R410", Poa::ClinicallyUndetermined),
        Diagnosis::new("Z7901"),
    ];
    claim.principal_procedure = Some(CodeOnDate {
        code: "5A1935Z".into(),
        date: day(4),
    });
    claim.other_procedures = vec![CodeOnDate {
        code: "BW03ZZZ".into(),
        date: day(3),
    }];
    claim.occurrence_codes = vec![CodeOnDate {
        code: "11".into(),
        date: day(1),
    }];
    claim.value_codes = vec![ValueCode {
        code: "80".into(),
        amount: Amount::from_cents(300),
    }];
    claim.condition_codes = vec!["39".into()];
    claim.lines = vec![
        line(1, "0120", None, 480_000),
        line(2, "0250", None, 20_000),
        line(3, "0410", Some("94640"), 15_000),
    ];
    claim.total_charge = Amount::from_cents(515_000);
}

/// Primary paid 800.00 of 1250.00: 300.00 contractual, 150.00 deductible.
fn make_secondary(claim: &mut InstitutionalClaim) {
    claim.subscriber.responsibility = PayerResponsibility::Secondary;
    claim.other_payers.push(OtherPayer {
        responsibility: PayerResponsibility::Primary,
        relationship: "18".into(),
        group_number: None,
        filing_indicator: "MB".into(),
        adjustments: vec![Adjustment {
            group: AdjustmentGroup::PatientResponsibility,
            reason: "1".into(),
            amount: Amount::from_cents(15_000),
            quantity: None,
        }],
        paid_amount: Some(Amount::from_cents(80_000)),
        subscriber_name: person("DOE", "JANE"),
        subscriber_id: Phi::from("1EG4TE5MK73"),
        payer_name: "MEDICARE PART A".into(),
        payer_id: "MCRA01".into(),
        adjudication_date: Some(day(12)),
    });
    let line_paid = [(60_000, 30_000), (20_000, 15_000)];
    for (l, (paid, co)) in claim.lines.iter_mut().zip(line_paid) {
        l.adjudications.push(LineAdjudication {
            payer_id: "MCRA01".into(),
            paid_amount: Amount::from_cents(paid),
            paid_units: Quantity::from_units(1),
            adjustments: vec![Adjustment {
                group: AdjustmentGroup::Contractual,
                reason: "45".into(),
                amount: Amount::from_cents(co),
                quantity: None,
            }],
            adjudication_date: day(12),
        });
    }
}

/// A batch of `n` sample institutional claims.
pub fn institutional_batch(control_number: &str, n: usize) -> InstitutionalBatch {
    batch(control_number, (0..n).map(institutional_claim).collect())
}
