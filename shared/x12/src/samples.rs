//! Synthetic claims and envelopes (no real patient, provider or payer) for
//! tests, benchmarks, the pyx12 oracle script and demos. They cover each
//! shape the writers support: subscriber as patient, dependent patient,
//! replacement claim, secondary claim with other-payer adjudication.

use crate::Delimiters;
mod acknowledgments;
mod eligibility;
mod institutional;
mod payment;
mod remittance;
mod status;

pub use acknowledgments::{claim_acknowledgment, implementation_ack};
pub use eligibility::eligibility_inquiry;

pub use institutional::{institutional_batch, institutional_claim};
pub use payment::remittance;
pub use remittance::remittance_file;
pub use status::{status_inquiry, status_response};

use crate::claim::{
    BillingProvider, ClaimBatch, Demographics, Frequency, LineAdjudication, OtherPayer, Patient,
    Payer, PayerResponsibility, PersonName, Practitioner, Receiver, Sex, Signatures, Submitter,
    Subscriber,
};
use crate::common::Address;
use crate::envelope::Usage;
use crate::professional::{ProfessionalBatch, ProfessionalClaim, ProfessionalLine};
use crate::remit::{Adjustment, AdjustmentGroup};
use crate::values::{Amount, Date, Phi, Quantity};
use crate::write::InterchangeParams;

/// A date the samples use; always valid.
pub(crate) fn day(d: u8) -> Date {
    Date::new(2024, 3, d).unwrap_or(Date::MIN)
}

/// Test-mode envelope parameters with the given control number.
pub fn interchange_params(control_number: u32) -> InterchangeParams {
    InterchangeParams {
        sender_qualifier: "ZZ".into(),
        sender_id: "MEDBILL".into(),
        receiver_qualifier: "ZZ".into(),
        receiver_id: "CLEARINGHOUSE".into(),
        control_number,
        group_control_number: control_number,
        date: day(15),
        time: "1030".into(),
        usage: Usage::Test,
        acknowledgment_requested: false,
        delimiters: Delimiters::default(),
        line_breaks: true,
    }
}

/// The batch header parties.
pub fn batch<C>(control_number: &str, claims: Vec<C>) -> ClaimBatch<C> {
    ClaimBatch {
        control_number: control_number.into(),
        reference_id: format!("BATCH{control_number}"),
        created: day(15),
        created_time: "1030".into(),
        submitter: Submitter {
            name: "RIVERSIDE CLINIC BILLING".into(),
            id: "SUB12345".into(),
            contact_name: "BILLING OFFICE".into(),
            phone: "8605551234".into(),
        },
        receiver: Receiver {
            name: "ACME CLEARINGHOUSE".into(),
            id: "RCV67890".into(),
        },
        claims,
    }
}

/// A street address in Connecticut.
pub fn address(line: &str) -> Address {
    Address {
        line1: Phi::from(line),
        line2: None,
        city: Phi::from("HARTFORD"),
        state: Some("CT".into()),
        postal_code: Some(Phi::from("061011234")),
        country: None,
    }
}

pub(crate) fn person(last: &str, first: &str) -> PersonName {
    PersonName {
        last: Phi::from(last),
        first: Some(Phi::from(first)),
        middle: None,
        suffix: None,
    }
}

/// The billing provider; `n` picks one of two organizations.
pub fn billing_provider(n: usize) -> BillingProvider {
    let (name, npi) = if n.is_multiple_of(2) {
        ("RIVERSIDE CLINIC", "1234567893")
    } else {
        ("HILLTOP MEDICAL GROUP", "1245319599")
    };
    BillingProvider {
        name: name.into(),
        npi: npi.into(),
        ein: "061234567".into(),
        taxonomy: Some("207Q00000X".into()),
        address: address("100 MAIN ST"),
    }
}

fn subscriber(is_patient: bool, responsibility: PayerResponsibility) -> Subscriber {
    Subscriber {
        responsibility,
        group_number: Some("GRP001".into()),
        filing_indicator: "CI".into(),
        name: person("DOE", "JANE"),
        member_id: Phi::from("MEM123456"),
        address: is_patient.then(|| address("12 ELM ST")),
        demographics: is_patient.then(|| Demographics {
            birth_date: Phi::new(Date::new(1980, 5, 17).unwrap_or(Date::MIN)),
            sex: Sex::Female,
        }),
    }
}

fn line(n: usize, code: &str, modifiers: &[&str], cents: i64, pointers: &[u8]) -> ProfessionalLine {
    ProfessionalLine {
        procedure_code: code.into(),
        modifiers: modifiers.iter().map(|m| (*m).to_owned()).collect(),
        charge: Amount::from_cents(cents),
        units: Quantity::from_units(1),
        place_of_service: None,
        diagnosis_pointers: pointers.to_vec(),
        service_date: day(1),
        service_date_end: None,
        line_item_control_number: format!("L{n}"),
        adjudications: Vec::new(),
    }
}

/// The `i`-th sample professional claim; the shape cycles through the
/// four kinds every four claims and the provider every eight.
pub fn professional_claim(i: usize) -> ProfessionalClaim {
    let kind = i % 4;
    let mut claim = ProfessionalClaim {
        billing_provider: billing_provider(i / 4),
        subscriber: subscriber(kind != 1, PayerResponsibility::Primary),
        payer: Payer {
            name: "ACME HEALTH PLAN".into(),
            id: "ACME01".into(),
        },
        patient: None,
        patient_control_number: format!("PCN{i:07}"),
        total_charge: Amount::from_cents(20000),
        place_of_service: "11".into(),
        frequency: Frequency::Original,
        signatures: Signatures {
            provider_signature: true,
            assignment: 'A',
            benefits_assigned: 'Y',
            release_of_information: 'Y',
        },
        onset_date: Some(day(1)),
        prior_authorization: Some("AUTH778899".into()),
        payer_claim_control_number: None,
        diagnoses: vec!["E119".into(), "I10".into(), "Z7984".into()],
        rendering_provider: Some(Practitioner {
            name: person("SMITH", "JOHN"),
            npi: "1003000126".into(),
            taxonomy: Some("207Q00000X".into()),
        }),
        service_facility: None,
        other_payers: Vec::new(),
        lines: vec![
            line(i * 10 + 1, "99214", &["25"], 15000, &[1, 2]),
            line(i * 10 + 2, "36415", &[], 5000, &[1]),
        ],
    };
    match kind {
        1 => {
            claim.patient = Some(Patient {
                relationship: "19".into(),
                name: person("DOE", "JIMMY"),
                address: address("12 ELM ST"),
                demographics: Demographics {
                    birth_date: Phi::new(Date::new(2015, 9, 2).unwrap_or(Date::MIN)),
                    sex: Sex::Male,
                },
            });
        }
        2 => {
            claim.frequency = Frequency::Replacement;
            claim.payer_claim_control_number = Some("ICN20240301A".into());
        }
        3 => make_secondary(&mut claim),
        _ => {}
    }
    claim
}

/// Turns a claim into a secondary claim after a primary payer paid 120.00
/// of 200.00 (50.00 contractual, 30.00 deductible).
fn make_secondary(claim: &mut ProfessionalClaim) {
    claim.subscriber.responsibility = PayerResponsibility::Secondary;
    claim.payer = Payer {
        name: "SECOND CHOICE INSURANCE".into(),
        id: "SCI002".into(),
    };
    let cas = |group, reason: &str, cents| Adjustment {
        group,
        reason: reason.into(),
        amount: Amount::from_cents(cents),
        quantity: None,
    };
    claim.other_payers.push(OtherPayer {
        responsibility: PayerResponsibility::Primary,
        relationship: "18".into(),
        group_number: Some("PRIMGRP".into()),
        filing_indicator: "CI".into(),
        adjustments: vec![],
        paid_amount: Some(Amount::from_cents(12000)),
        subscriber_name: person("DOE", "JANE"),
        subscriber_id: Phi::from("PRIM998877"),
        payer_name: "ACME HEALTH PLAN".into(),
        payer_id: "ACME01".into(),
        adjudication_date: Some(day(10)),
    });
    let paid = [(9000, 4000, 2000), (3000, 1000, 1000)];
    for (l, (paid, co, pr)) in claim.lines.iter_mut().zip(paid) {
        l.adjudications.push(LineAdjudication {
            payer_id: "ACME01".into(),
            paid_amount: Amount::from_cents(paid),
            paid_units: Quantity::from_units(1),
            adjustments: vec![
                cas(AdjustmentGroup::Contractual, "45", co),
                cas(AdjustmentGroup::PatientResponsibility, "1", pr),
            ],
            adjudication_date: day(10),
        });
    }
}

/// A batch of `n` sample professional claims.
pub fn professional_batch(control_number: &str, n: usize) -> ProfessionalBatch {
    batch(control_number, (0..n).map(professional_claim).collect())
}
