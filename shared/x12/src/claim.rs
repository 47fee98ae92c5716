//! What 837P and 837I claims share: the batch header, submitter and
//! receiver, billing provider, subscriber, payer, patient and the
//! other-payer (secondary claim) loops.

mod read;
mod read_lines;
mod write;

use serde::Serialize;

use crate::common::Address;
use crate::remit::Adjustment;
use crate::values::{Amount, Date, Phi};

pub use read::{Claim837Parser, ClaimKind, ClaimParties};
pub(crate) use read_lines::{demographics, empty_name, read_person, service_facility, units};
pub(crate) use write::{
    Parties, check_npi, write_header, write_hierarchy, write_line_adjudications,
    write_other_payers, write_person, write_practitioner, write_service_facility,
};

/// One 837 transaction set: its header parties and its claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimBatch<C> {
    /// ST02, 4 to 9 characters.
    pub control_number: String,
    /// BHT03: the submitter's batch reference.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// BHT05 (`HHMM`).
    pub created_time: String,
    /// Loop 1000A.
    pub submitter: Submitter,
    /// Loop 1000B.
    pub receiver: Receiver,
    /// The claims, written in order; consecutive claims of one billing
    /// provider share a 2000A loop.
    pub claims: Vec<C>,
}

/// Loop 1000A: who sends the batch, and whom to call about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitter {
    /// NM103 (organization).
    pub name: String,
    /// NM109, the id the receiver assigned.
    pub id: String,
    /// PER02.
    pub contact_name: String,
    /// PER04 with PER03 `TE`.
    pub phone: String,
}

/// Loop 1000B: the clearinghouse or payer receiving the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receiver {
    /// NM103.
    pub name: String,
    /// NM109.
    pub id: String,
}

/// Loop 2000A/2010AA: the provider that bills and gets paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingProvider {
    /// NM103 (organization name).
    pub name: String,
    /// NM109 with NM108 `XX`: a Luhn-valid NPI.
    pub npi: String,
    /// REF02 with REF01 `EI`: nine-digit employer identification number.
    pub ein: String,
    /// PRV03 with PRV01 `BI`: provider taxonomy code.
    pub taxonomy: Option<String>,
    /// N3/N4: a street address (no post office box, per the guide).
    pub address: Address,
}

/// SBR01/2320 SBR01: this payer's place in the order of payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayerResponsibility {
    /// `P`.
    Primary,
    /// `S`.
    Secondary,
    /// `T`.
    Tertiary,
}

impl PayerResponsibility {
    /// The SBR01 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Primary => "P",
            Self::Secondary => "S",
            Self::Tertiary => "T",
        }
    }

    /// Reads an SBR01 code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "P" => Self::Primary,
            "S" => Self::Secondary,
            "T" => Self::Tertiary,
            _ => return None,
        })
    }
}

/// A person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// NM103.
    pub last: Phi<String>,
    /// NM104.
    pub first: Option<Phi<String>>,
    /// NM105.
    pub middle: Option<Phi<String>>,
    /// NM107.
    pub suffix: Option<Phi<String>>,
}

/// DMG03: administrative sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sex {
    /// `F`.
    #[serde(rename = "F")]
    Female,
    /// `M`.
    #[serde(rename = "M")]
    Male,
    /// `U`.
    #[serde(rename = "U")]
    Unknown,
}

impl Sex {
    /// The DMG03 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Female => "F",
            Self::Male => "M",
            Self::Unknown => "U",
        }
    }

    /// Reads a DMG03 code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "F" => Self::Female,
            "M" => Self::Male,
            "U" => Self::Unknown,
            _ => return None,
        })
    }
}

/// DMG: birth date and sex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Demographics {
    /// DMG02.
    pub birth_date: Phi<Date>,
    /// DMG03.
    pub sex: Sex,
}

/// Loop 2000B/2010BA: the insured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscriber {
    /// SBR01.
    pub responsibility: PayerResponsibility,
    /// SBR03.
    pub group_number: Option<String>,
    /// SBR09 claim filing indicator, e.g. `CI` commercial, `MB` Medicare B.
    pub filing_indicator: String,
    /// NM103-107.
    pub name: PersonName,
    /// NM109 with NM108 `MI`.
    pub member_id: Phi<String>,
    /// N3/N4: required when the subscriber is the patient.
    pub address: Option<Address>,
    /// DMG: required when the subscriber is the patient.
    pub demographics: Option<Demographics>,
}

/// Loop 2010BB: the payer the claim is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payer {
    /// NM103.
    pub name: String,
    /// NM109 with NM108 `PI`.
    pub id: String,
}

/// Loop 2000C/2010CA: the patient, when not the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Patient {
    /// PAT01 relationship to the insured, e.g. `01` spouse, `19` child.
    pub relationship: String,
    /// NM103-107.
    pub name: PersonName,
    /// N3/N4.
    pub address: Address,
    /// DMG.
    pub demographics: Demographics,
}

/// Loops 2320/2330A/2330B: a payer that already adjudicated the claim,
/// sent on secondary and tertiary claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherPayer {
    /// SBR01.
    pub responsibility: PayerResponsibility,
    /// SBR02: the patient's relationship to this payer's insured (`18` self).
    pub relationship: String,
    /// SBR03.
    pub group_number: Option<String>,
    /// SBR09.
    pub filing_indicator: String,
    /// Claim-level CAS from this payer's adjudication.
    pub adjustments: Vec<Adjustment>,
    /// AMT*D: what this payer paid on the claim.
    pub paid_amount: Option<Amount>,
    /// 2330A NM1*IL.
    pub subscriber_name: PersonName,
    /// 2330A NM109 with `MI`.
    pub subscriber_id: Phi<String>,
    /// 2330B NM103.
    pub payer_name: String,
    /// 2330B NM109 with `PI`; 2430 SVD01 points to it.
    pub payer_id: String,
    /// 2330B DTP*573: the claim's adjudication or payment date.
    pub adjudication_date: Option<Date>,
}

/// Loop 2430: one other payer's decision on one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAdjudication {
    /// SVD01: the 2330B payer id it belongs to.
    pub payer_id: String,
    /// SVD02.
    pub paid_amount: Amount,
    /// SVD05.
    pub paid_units: crate::values::Quantity,
    /// Line-level CAS.
    pub adjustments: Vec<Adjustment>,
    /// DTP*573.
    pub adjudication_date: Date,
}

/// Where the services were rendered when it is not the billing provider's
/// address (837P loop 2310C, 837I loop 2310E: NM1*77).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFacility {
    /// NM103: the facility's name.
    pub name: String,
    /// NM109 with `XX`: its Luhn-valid NPI.
    pub npi: String,
    /// N3/N4.
    pub address: crate::common::Address,
}

/// A practitioner named on a claim: rendering (837P 2310B) or attending
/// (837I 2310A) provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Practitioner {
    /// NM103-107.
    pub name: PersonName,
    /// NM109 with `XX`.
    pub npi: String,
    /// PRV03 taxonomy code.
    pub taxonomy: Option<String>,
}

/// CLM05-3: original, replacement or void.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// `1`.
    Original,
    /// `7`: replaces the claim named in REF*F8.
    Replacement,
    /// `8`: voids the claim named in REF*F8.
    Void,
}

impl Frequency {
    /// The frequency code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Original => "1",
            Self::Replacement => "7",
            Self::Void => "8",
        }
    }

    /// Reads a frequency code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "1" => Self::Original,
            "7" => Self::Replacement,
            "8" => Self::Void,
            _ => return None,
        })
    }
}

/// CLM06-09 and the codes that say what the patient and provider agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Signatures {
    /// CLM06: provider signature on file.
    pub provider_signature: bool,
    /// CLM07: `A` assigned, `B` assignment accepted on lab services only,
    /// `C` not assigned.
    pub assignment: char,
    /// CLM08: `Y`, `N` or `W` (not applicable).
    pub benefits_assigned: char,
    /// CLM09: `Y` signed statement or `I` informed consent.
    pub release_of_information: char,
}
