//! A claim and its parties as the X12 engine's 837P and 837I models.

use medbill_x12::claim::{
    BillingProvider, ClaimBatch, Demographics, Frequency as X12Frequency, LineAdjudication,
    OtherPayer, Patient as X12Patient, Payer as X12Payer, PayerResponsibility,
    PersonName as X12Name, Practitioner, Receiver, ServiceFacility, Sex as X12Sex, Signatures,
    Submitter, Subscriber,
};
use medbill_x12::common::Address as X12Address;
use medbill_x12::envelope::Usage;
use medbill_x12::institutional::{
    CodeOnDate, Diagnosis as X12Diagnosis, InstitutionalClaim, InstitutionalLine,
    PresentOnAdmission as X12Poa,
};
use medbill_x12::professional::{ProfessionalClaim, ProfessionalLine};
use medbill_x12::remit::{Adjustment, AdjustmentGroup};
use medbill_x12::write::InterchangeParams;
use medbill_x12::{Amount, Date, Delimiters, Phi, Quantity, Text, WriteError};

use crate::charges::domain::PresentOnAdmission;
use crate::claims::domain::{Claim, ClaimType, Frequency};
use crate::denials::store::{CasEntry, PayerAdjudication};
use crate::registry::coverage::{Coverage, Relationship};
use crate::registry::domain::{Address, Patient, Payer, PersonName, Provider, Sex};
use crate::registry::facilities::Facility;
use crate::registry::profile::SubmitterProfile;

/// Everything a claim names besides itself.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    /// The billing organization.
    pub billing_provider: &'a Provider,
    /// The payer.
    pub payer: &'a Payer,
    /// The coverage billed.
    pub coverage: &'a Coverage,
    /// The patient.
    pub patient: &'a Patient,
    /// The rendering (attending) provider, if registered.
    pub rendering_provider: Option<&'a Provider>,
    /// The service facility the claim names, if registered.
    pub service_facility: Option<&'a Facility>,
    /// For a secondary claim: the payer that adjudicated it first.
    pub other_payer: Option<OtherPayerFacts<'a>>,
}

/// The primary payer of a secondary claim and what it decided.
#[derive(Debug, Clone, Copy)]
pub struct OtherPayerFacts<'a> {
    /// The primary payer.
    pub payer: &'a Payer,
    /// The primary coverage.
    pub coverage: &'a Coverage,
    /// Its adjudication.
    pub adjudication: &'a PayerAdjudication,
}

fn x12_cas(entries: &[CasEntry]) -> Vec<Adjustment> {
    entries
        .iter()
        .filter_map(|e| {
            Some(Adjustment {
                group: AdjustmentGroup::from_code(&e.group)?,
                reason: Text::from(e.reason.as_str()),
                amount: Amount::from(e.amount),
                quantity: None,
            })
        })
        .collect()
}

/// Loops 2320/2330B of a secondary claim.
fn other_payers(p: &Parties<'_>) -> Vec<OtherPayer> {
    let Some(o) = p.other_payer else {
        return Vec::new();
    };
    let subscriber_name = match (&o.coverage.relationship, &o.coverage.subscriber) {
        (Relationship::SelfInsured, _) | (_, None) => name(p.patient.name.expose()),
        (_, Some(sub)) => name(sub.name.expose()),
    };
    let lines_adjudicated = !o.adjudication.lines.is_empty();
    vec![OtherPayer {
        responsibility: PayerResponsibility::Primary,
        relationship: o.coverage.relationship.x12_code().to_string(),
        group_number: (!o.coverage.group_number.is_empty())
            .then(|| o.coverage.group_number.clone()),
        filing_indicator: o.payer.filing_indicator.code().to_string(),
        adjustments: x12_cas(&o.adjudication.adjustments),
        paid_amount: Some(Amount::from(o.adjudication.paid)),
        subscriber_name,
        subscriber_id: Phi::new(o.coverage.member_id.expose().clone()),
        payer_name: o.payer.name.clone(),
        payer_id: o.payer.electronic_payer_id.clone(),
        // With line adjudications the date is on each 2430 loop instead.
        adjudication_date: (!lines_adjudicated)
            .then(|| o.adjudication.payment_date.map(Date::from))
            .flatten(),
    }]
}

/// Loop 2430 of one line of a secondary claim.
fn line_adjudications(
    p: &Parties<'_>,
    line_number: u32,
    fallback_day: Date,
) -> Vec<LineAdjudication> {
    let Some(o) = p.other_payer else {
        return Vec::new();
    };
    o.adjudication
        .lines
        .iter()
        .filter(|l| l.line_number == line_number)
        .map(|l| LineAdjudication {
            payer_id: o.payer.electronic_payer_id.clone(),
            paid_amount: Amount::from(l.paid),
            paid_units: Quantity::from_units(i64::from(l.paid_units.max(1))),
            adjustments: x12_cas(&l.adjustments),
            adjudication_date: o
                .adjudication
                .payment_date
                .map(Date::from)
                .unwrap_or(fallback_day),
        })
        .collect()
}

fn address(a: &Address) -> X12Address {
    X12Address {
        line1: Phi::new(a.line1.clone()),
        line2: (!a.line2.is_empty()).then(|| Phi::new(a.line2.clone())),
        city: Phi::new(a.city.clone()),
        state: Some(a.state.clone()),
        postal_code: Some(Phi::new(a.postal_code.clone())),
        country: None,
    }
}

pub(crate) fn name(n: &PersonName) -> X12Name {
    let opt = |s: &str| (!s.is_empty()).then(|| Phi::new(s.to_string()));
    X12Name {
        last: Phi::new(n.last.clone()),
        first: opt(&n.first),
        middle: opt(&n.middle),
        suffix: opt(&n.suffix),
    }
}

pub(crate) fn sex(s: Sex) -> X12Sex {
    match s {
        Sex::Female => X12Sex::Female,
        Sex::Male => X12Sex::Male,
        Sex::Unknown => X12Sex::Unknown,
    }
}

fn frequency(f: Frequency) -> X12Frequency {
    match f {
        Frequency::Original => X12Frequency::Original,
        Frequency::Replacement => X12Frequency::Replacement,
        Frequency::Void => X12Frequency::Void,
    }
}

fn responsibility(rank: u8) -> PayerResponsibility {
    match rank {
        2 => PayerResponsibility::Secondary,
        3 => PayerResponsibility::Tertiary,
        _ => PayerResponsibility::Primary,
    }
}

/// The subscriber loop and, when the patient is not the subscriber, the
/// patient loop.
fn subscriber_and_patient(claim: &Claim, p: &Parties<'_>) -> (Subscriber, Option<X12Patient>) {
    let patient = p.patient;
    let coverage = p.coverage;
    let demographics = Demographics {
        birth_date: Phi::new(Date::from(*patient.birth_date.expose())),
        sex: sex(patient.sex),
    };
    let base = |n: X12Name, address, demographics| Subscriber {
        responsibility: responsibility(claim.payer_rank),
        group_number: (!coverage.group_number.is_empty()).then(|| coverage.group_number.clone()),
        filing_indicator: p.payer.filing_indicator.code().to_string(),
        name: n,
        member_id: Phi::new(coverage.member_id.expose().clone()),
        address,
        demographics,
    };
    match (&coverage.relationship, &coverage.subscriber) {
        (Relationship::SelfInsured, _) | (_, None) => (
            base(
                name(patient.name.expose()),
                Some(address(patient.address.expose())),
                Some(demographics),
            ),
            None,
        ),
        (relationship, Some(sub)) => (
            base(
                name(sub.name.expose()),
                None,
                Some(Demographics {
                    birth_date: Phi::new(Date::from(*sub.birth_date.expose())),
                    sex: sex(sub.sex),
                }),
            ),
            Some(X12Patient {
                relationship: relationship.x12_code().to_string(),
                name: name(patient.name.expose()),
                address: address(patient.address.expose()),
                demographics,
            }),
        ),
    }
}

fn billing_provider(p: &Provider) -> BillingProvider {
    BillingProvider {
        name: p.name.clone(),
        npi: p.npi.as_str().to_string(),
        ein: p
            .tax_id
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        taxonomy: Some(p.taxonomy.as_str().to_string()),
        address: address(&p.address),
    }
}

fn practitioner(claim: &Claim, p: &Parties<'_>) -> Option<Practitioner> {
    let r = p.rendering_provider?;
    if r.npi.as_str() == claim.billing_provider_npi {
        return None;
    }
    Some(Practitioner {
        name: name(&PersonName {
            last: r.name.clone(),
            first: r.first_name.clone(),
            middle: String::new(),
            suffix: String::new(),
        }),
        npi: r.npi.as_str().to_string(),
        taxonomy: Some(r.taxonomy.as_str().to_string()),
    })
}

/// Loop 2310C/2310E: named only when the services were rendered somewhere
/// other than the billing provider's address.
fn service_facility(p: &Parties<'_>) -> Option<ServiceFacility> {
    let f = p.service_facility?;
    if f.address == p.billing_provider.address {
        return None;
    }
    Some(ServiceFacility {
        name: f.name.clone(),
        npi: f.npi.as_str().to_string(),
        address: address(&f.address),
    })
}

fn payer(p: &Payer) -> X12Payer {
    X12Payer {
        name: p.name.clone(),
        id: p.electronic_payer_id.clone(),
    }
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The 837P model of a professional claim.
pub fn professional(claim: &Claim, p: &Parties<'_>) -> ProfessionalClaim {
    let (subscriber, patient) = subscriber_and_patient(claim, p);
    ProfessionalClaim {
        billing_provider: billing_provider(p.billing_provider),
        subscriber,
        payer: payer(p.payer),
        patient,
        patient_control_number: claim.patient_control_number.clone(),
        total_charge: Amount::from(claim.total_charge),
        place_of_service: claim.place_of_service.clone(),
        frequency: frequency(claim.frequency),
        signatures: Signatures {
            provider_signature: true,
            assignment: 'A',
            benefits_assigned: 'Y',
            release_of_information: 'Y',
        },
        onset_date: None,
        prior_authorization: optional(&claim.prior_authorization),
        payer_claim_control_number: optional(&claim.payer_claim_number),
        diagnoses: claim.diagnoses.iter().map(|d| d.code.clone()).collect(),
        rendering_provider: practitioner(claim, p),
        service_facility: service_facility(p),
        other_payers: other_payers(p),
        lines: claim
            .lines
            .iter()
            .map(|l| ProfessionalLine {
                procedure_code: l.code.clone(),
                modifiers: l.modifiers.clone(),
                charge: Amount::from(l.charge),
                units: Quantity::from_units(i64::from(l.units)),
                place_of_service: None,
                diagnosis_pointers: l
                    .diagnosis_pointers
                    .iter()
                    .map(|&n| u8::try_from(n).unwrap_or(u8::MAX))
                    .collect(),
                service_date: Date::from(l.date_of_service),
                service_date_end: None,
                line_item_control_number: l.line_control_number.clone(),
                adjudications: line_adjudications(p, l.line_number, Date::from(l.date_of_service)),
            })
            .collect(),
    }
}

/// HI0n-9 of an inpatient claim's diagnosis: the 5010 837I has no code for
/// an exempt diagnosis, which goes without one.
fn present_on_admission(poa: PresentOnAdmission) -> Option<X12Poa> {
    match poa {
        PresentOnAdmission::Yes => Some(X12Poa::Yes),
        PresentOnAdmission::No => Some(X12Poa::No),
        PresentOnAdmission::Unknown => Some(X12Poa::Unknown),
        PresentOnAdmission::ClinicallyUndetermined => Some(X12Poa::ClinicallyUndetermined),
        PresentOnAdmission::Exempt => None,
    }
}

/// The 837I model of an institutional claim (outpatient, or inpatient with
/// its stay, ICD-10-PCS procedures and the diagnoses' present-on-admission
/// indicators).
pub fn institutional(claim: &Claim, p: &Parties<'_>) -> InstitutionalClaim {
    let (subscriber, patient) = subscriber_and_patient(claim, p);
    let facility_type = claim.type_of_bill.get(..2).unwrap_or("13").to_string();
    let start = claim.dates.start();
    let stay = claim.inpatient.as_ref();
    let mut procedures = claim.procedures.iter().map(|(code, day)| CodeOnDate {
        code: code.clone(),
        date: Date::from(*day),
    });
    let inpatient = claim.is_inpatient();
    let mut diagnoses = claim.diagnoses.iter().map(|d| X12Diagnosis {
        code: d.code.clone(),
        present_on_admission: if inpatient {
            d.present_on_admission.and_then(present_on_admission)
        } else {
            None
        },
    });
    let principal = diagnoses
        .next()
        .unwrap_or_else(|| X12Diagnosis::new(String::new()));
    InstitutionalClaim {
        billing_provider: billing_provider(p.billing_provider),
        subscriber,
        payer: payer(p.payer),
        patient,
        patient_control_number: claim.patient_control_number.clone(),
        total_charge: Amount::from(claim.total_charge),
        facility_type,
        frequency: frequency(claim.frequency),
        assignment: 'A',
        benefits_assigned: 'Y',
        release_of_information: 'Y',
        statement_from: Date::from(start),
        statement_to: Date::from(claim.dates.end().unwrap_or(start)),
        admission_date: stay.map(|_| Date::from(start)),
        admission_hour: stay.map(|s| s.admission_hour),
        discharge_hour: stay.map(|s| s.discharge_hour),
        admission_type: stay.map(|s| s.admission_type.clone()),
        admission_source: stay.map(|s| s.admission_source.clone()),
        // Outpatient: discharged to home or self care.
        patient_status: stay
            .map(|s| s.discharge_status.clone())
            .unwrap_or_else(|| "01".to_string()),
        prior_authorization: optional(&claim.prior_authorization),
        payer_claim_control_number: optional(&claim.payer_claim_number),
        principal_diagnosis: principal,
        admitting_diagnosis: None,
        other_diagnoses: diagnoses.collect(),
        principal_procedure: procedures.next(),
        other_procedures: procedures.collect(),
        occurrence_codes: Vec::new(),
        value_codes: Vec::new(),
        condition_codes: Vec::new(),
        attending_provider: practitioner(claim, p),
        service_facility: service_facility(p),
        other_payers: other_payers(p),
        lines: claim
            .lines
            .iter()
            .map(|l| InstitutionalLine {
                revenue_code: l.revenue_code.clone(),
                procedure_code: Some(l.code.clone()),
                modifiers: l.modifiers.clone(),
                charge: Amount::from(l.charge),
                units: Quantity::from_units(i64::from(l.units)),
                service_date: Some(Date::from(l.date_of_service)),
                line_item_control_number: l.line_control_number.clone(),
                adjudications: line_adjudications(p, l.line_number, Date::from(l.date_of_service)),
            })
            .collect(),
    }
}

/// The envelope and header of one interchange.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Who sends and receives.
    pub profile: &'a SubmitterProfile,
    /// ISA13.
    pub interchange: u32,
    /// GS06.
    pub group: u32,
    /// When (ISA09/GS04/BHT04).
    pub date: Date,
    /// `HHMM`.
    pub time: String,
    /// BHT03.
    pub reference: String,
}

impl Envelope<'_> {
    /// The interchange parameters.
    pub fn params(&self) -> InterchangeParams {
        InterchangeParams {
            sender_qualifier: "ZZ".into(),
            sender_id: self.profile.interchange_sender_id.clone(),
            receiver_qualifier: "ZZ".into(),
            receiver_id: self.profile.interchange_receiver_id.clone(),
            control_number: self.interchange,
            group_control_number: self.group,
            date: self.date,
            time: self.time.clone(),
            usage: if self.profile.usage_indicator == "P" {
                Usage::Production
            } else {
                Usage::Test
            },
            acknowledgment_requested: false,
            delimiters: Delimiters::default(),
            line_breaks: false,
        }
    }

    /// One transaction set of `claims` with ST02 `control_number`.
    pub fn batch<C>(&self, control_number: String, claims: Vec<C>) -> ClaimBatch<C> {
        ClaimBatch {
            control_number,
            reference_id: self.reference.clone(),
            created: self.date,
            created_time: self.time.clone(),
            submitter: Submitter {
                name: self.profile.submitter_name.clone(),
                id: self.profile.submitter_id.clone(),
                contact_name: self.profile.contact_name.clone(),
                phone: self.profile.contact_phone.clone(),
            },
            receiver: Receiver {
                name: self.profile.receiver_name.clone(),
                id: self.profile.receiver_id.clone(),
            },
            claims,
        }
    }
}

/// Whether the 837 writer takes `claim` (its checks of the guide's rules),
/// by writing it alone; the field at fault, relative to the claim, if not.
pub fn check_writable(
    claim: &Claim,
    parties: &Parties<'_>,
    profile: &SubmitterProfile,
) -> Result<(), WriteError> {
    let envelope = Envelope {
        profile,
        interchange: 1,
        group: 1,
        date: Date::from(claim.dates.start()),
        time: "0000".into(),
        reference: "CHECK".into(),
    };
    let params = envelope.params();
    let result = match claim.claim_type {
        ClaimType::Professional => medbill_x12::professional::write_837p(
            &params,
            &[envelope.batch("0001".into(), vec![professional(claim, parties)])],
        ),
        ClaimType::Institutional => medbill_x12::institutional::write_837i(
            &params,
            &[envelope.batch("0001".into(), vec![institutional(claim, parties)])],
        ),
    };
    result.map(|_| ()).map_err(|mut e| {
        if let Some(rest) = e.field.strip_prefix("batches[0].claims[0].") {
            e.field = rest.to_string();
        }
        e
    })
}
