//! 837P professional claims (005010X222A1): the claim model and its writer.

mod read;
mod write;

use serde::Serialize;

use crate::claim::{
    BillingProvider, ClaimBatch, Frequency, LineAdjudication, OtherPayer, Patient, Payer,
    Practitioner, ServiceFacility, Signatures, Subscriber,
};
use crate::values::{Amount, Date, Quantity};

pub use read::{Professional837Parser, ProfessionalDraft, read_837p};
pub(crate) use read::{frequency, one_char, practitioner};
pub use write::write_837p;

/// GS08/ST03 of the 837P.
pub const VERSION: &str = "005010X222A1";

/// An 837P transaction set.
pub type ProfessionalBatch = ClaimBatch<ProfessionalClaim>;

/// Loop 2300 and everything above it that the claim needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionalClaim {
    /// 2000A/2010AA.
    pub billing_provider: BillingProvider,
    /// 2000B/2010BA.
    pub subscriber: Subscriber,
    /// 2010BB.
    pub payer: Payer,
    /// 2000C/2010CA, when the patient is not the subscriber.
    pub patient: Option<Patient>,
    /// CLM01: our claim id, echoed in the 835 CLP01.
    pub patient_control_number: String,
    /// CLM02: must equal the sum of the line charges.
    pub total_charge: Amount,
    /// CLM05-1: place of service code, e.g. `11` office.
    pub place_of_service: String,
    /// CLM05-3.
    pub frequency: Frequency,
    /// CLM06-09.
    pub signatures: Signatures,
    /// DTP*431: onset of current illness.
    pub onset_date: Option<Date>,
    /// REF*G1.
    pub prior_authorization: Option<String>,
    /// REF*F8: the payer's claim number; required for frequency 7 and 8.
    pub payer_claim_control_number: Option<String>,
    /// HI: ICD-10-CM codes without the dot; the first is principal (ABK),
    /// the others secondary (ABF). One to twelve.
    pub diagnoses: Vec<String>,
    /// 2310B.
    pub rendering_provider: Option<Practitioner>,
    /// 2310C: where the services were rendered, when not at the billing
    /// provider's address.
    pub service_facility: Option<ServiceFacility>,
    /// 2320/2330A/2330B, for secondary and tertiary claims.
    pub other_payers: Vec<OtherPayer>,
    /// 2400: one to fifty lines.
    pub lines: Vec<ProfessionalLine>,
}

/// Loop 2400: one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionalLine {
    /// SV101-2: CPT/HCPCS code.
    pub procedure_code: String,
    /// SV101-3..6: up to four two-character modifiers.
    pub modifiers: Vec<String>,
    /// SV102.
    pub charge: Amount,
    /// SV104 with SV103 `UN`.
    pub units: Quantity,
    /// SV105: only when it differs from the claim's place of service.
    pub place_of_service: Option<String>,
    /// SV107: one to four 1-based pointers into the claim's diagnoses.
    pub diagnosis_pointers: Vec<u8>,
    /// DTP*472: date of service (first day of a range).
    pub service_date: Date,
    /// DTP*472 RD8: last day of a range.
    pub service_date_end: Option<Date>,
    /// REF*6R: line item control number, echoed in the 835 so payments
    /// post to this line.
    pub line_item_control_number: String,
    /// 2430: other payers' decisions on this line.
    pub adjudications: Vec<LineAdjudication>,
}
