//! 837I institutional claims (005010X223A2): the claim model and its writer.

mod read;
mod write;

use serde::Serialize;

use crate::claim::{
    BillingProvider, ClaimBatch, Frequency, LineAdjudication, OtherPayer, Patient, Payer,
    Practitioner, ServiceFacility, Subscriber,
};
use crate::values::{Amount, Date, Quantity};

pub use read::{Institutional837Parser, InstitutionalDraft, read_837i};
pub use write::write_837i;

/// GS08/ST03 of the 837I.
pub const VERSION: &str = "005010X223A2";

/// An 837I transaction set.
pub type InstitutionalBatch = ClaimBatch<InstitutionalClaim>;

/// Loop 2300 of an institutional claim and the parties above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionalClaim {
    /// 2000A/2010AA.
    pub billing_provider: BillingProvider,
    /// 2000B/2010BA.
    pub subscriber: Subscriber,
    /// 2010BB.
    pub payer: Payer,
    /// 2000C/2010CA, when the patient is not the subscriber.
    pub patient: Option<Patient>,
    /// CLM01.
    pub patient_control_number: String,
    /// CLM02: must equal the sum of the line charges.
    pub total_charge: Amount,
    /// CLM05-1: the first two digits of the type of bill, e.g. `13`
    /// hospital outpatient, `11` hospital inpatient.
    pub facility_type: String,
    /// CLM05-3.
    pub frequency: Frequency,
    /// CLM07: `A`, `B` or `C`.
    pub assignment: char,
    /// CLM08: `Y`, `N` or `W`.
    pub benefits_assigned: char,
    /// CLM09: `Y` or `I`.
    pub release_of_information: char,
    /// DTP*434: first day of the statement period.
    pub statement_from: Date,
    /// DTP*434: last day of the statement period.
    pub statement_to: Date,
    /// DTP*435: admission date (inpatient).
    pub admission_date: Option<Date>,
    /// DTP*435 as `DT` (CCYYMMDDHHMM): the hour of admission, 0-23, when
    /// known; without it the date is sent as `D8`.
    pub admission_hour: Option<u8>,
    /// DTP*096 (`TM`, HHMM): the hour of discharge, 0-23, on a final
    /// inpatient claim.
    pub discharge_hour: Option<u8>,
    /// CL101: priority (type) of admission.
    pub admission_type: Option<String>,
    /// CL102: point of origin (source) of admission.
    pub admission_source: Option<String>,
    /// CL103: patient discharge status.
    pub patient_status: String,
    /// REF*G1.
    pub prior_authorization: Option<String>,
    /// REF*F8: required for frequency 7 and 8.
    pub payer_claim_control_number: Option<String>,
    /// HI ABK, with its present-on-admission indicator in HI01-9.
    pub principal_diagnosis: Diagnosis,
    /// HI ABJ (the guide has no present-on-admission indicator for it).
    pub admitting_diagnosis: Option<String>,
    /// HI ABF, up to 24, each with its indicator in HI0n-9.
    pub other_diagnoses: Vec<Diagnosis>,
    /// HI BBR: principal ICD-10-PCS procedure.
    pub principal_procedure: Option<CodeOnDate>,
    /// HI BBQ: other procedures, up to 24.
    pub other_procedures: Vec<CodeOnDate>,
    /// HI BH: occurrence codes, up to 24.
    pub occurrence_codes: Vec<CodeOnDate>,
    /// HI BE: value codes, up to 24.
    pub value_codes: Vec<ValueCode>,
    /// HI BG: condition codes, up to 24.
    pub condition_codes: Vec<String>,
    /// 2310A.
    pub attending_provider: Option<Practitioner>,
    /// 2310E: where the services were rendered, when not at the billing
    /// provider's address.
    pub service_facility: Option<ServiceFacility>,
    /// 2320/2330A/2330B.
    pub other_payers: Vec<OtherPayer>,
    /// 2400: one to 999 lines.
    pub lines: Vec<InstitutionalLine>,
}

/// An ICD-10-CM diagnosis of the claim (HI ABK or ABF) and whether the
/// condition was present on admission (HI0n-9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The code, without its dot (HI0n-2).
    pub code: String,
    /// HI0n-9: required on inpatient claims when the payer asks for it
    /// (Medicare does); `None` leaves the component out, as for codes
    /// exempt from reporting and on outpatient claims.
    pub present_on_admission: Option<PresentOnAdmission>,
}

impl Diagnosis {
    /// A diagnosis without a present-on-admission indicator.
    pub fn new(code: impl Into<String>) -> Self {
        Diagnosis {
            code: code.into(),
            present_on_admission: None,
        }
    }

    /// A diagnosis with the present-on-admission indicator `poa`.
    pub fn present(code: impl Into<String>, poa: PresentOnAdmission) -> Self {
        Diagnosis {
            code: code.into(),
            present_on_admission: Some(poa),
        }
    }
}

impl From<&str> for Diagnosis {
    fn from(code: &str) -> Self {
        Diagnosis::new(code)
    }
}

/// HI0n-9 of an 837I principal or other diagnosis (element 1073): the
/// 5010 guide allows `Y`, `N`, `U` and `W`. The UB-04's `1` (exempt from
/// reporting) has no 5010 value: an exempt code is sent without the
/// component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PresentOnAdmission {
    /// `Y`: present at the time of the inpatient admission order.
    #[serde(rename = "Y")]
    Yes,
    /// `N`: not present then.
    #[serde(rename = "N")]
    No,
    /// `U`: the documentation is insufficient to tell.
    #[serde(rename = "U")]
    Unknown,
    /// `W`: the provider cannot clinically determine it.
    #[serde(rename = "W")]
    ClinicallyUndetermined,
}

impl PresentOnAdmission {
    /// Every indicator, in the guide's order of codes.
    pub const ALL: [PresentOnAdmission; 4] = [
        PresentOnAdmission::No,
        PresentOnAdmission::Unknown,
        PresentOnAdmission::ClinicallyUndetermined,
        PresentOnAdmission::Yes,
    ];

    /// The HI0n-9 code.
    pub fn code(self) -> &'static str {
        match self {
            PresentOnAdmission::Yes => "Y",
            PresentOnAdmission::No => "N",
            PresentOnAdmission::Unknown => "U",
            PresentOnAdmission::ClinicallyUndetermined => "W",
        }
    }

    /// Reads an HI0n-9 code; `None` for anything the guide does not list.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A code with the date it applies to (procedures, occurrences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeOnDate {
    /// The code.
    pub code: String,
    /// The date (HI0x-4 with HI0x-3 `D8`).
    pub date: Date,
}

/// A value code with its amount (HI BE, amount in HI0x-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueCode {
    /// The NUBC value code.
    pub code: String,
    /// The amount.
    pub amount: Amount,
}

/// Loop 2400: one institutional service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionalLine {
    /// SV201: NUBC revenue code.
    pub revenue_code: String,
    /// SV202-2: HCPCS code, when the line has one.
    pub procedure_code: Option<String>,
    /// SV202-3..6.
    pub modifiers: Vec<String>,
    /// SV203.
    pub charge: Amount,
    /// SV205 with SV204 `UN`.
    pub units: Quantity,
    /// DTP*472.
    pub service_date: Option<Date>,
    /// REF*6R.
    pub line_item_control_number: String,
    /// 2430.
    pub adjudications: Vec<LineAdjudication>,
}
