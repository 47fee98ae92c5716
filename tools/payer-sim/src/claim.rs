//! A submitted claim as the simulator keeps it between acceptance and
//! adjudication (and in its record afterwards): what an 837P or 837I claim
//! says that pricing, edits, COB and the 835 need, in owned, serializable
//! form. Claims of both kinds become this one shape (`from_837` reads
//! them).

mod from_837;

use medbill_kernel::CalendarDate;
use medbill_x12::Phi;
use medbill_x12::claim::{PayerResponsibility, PersonName};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cas::{Cas, Group};
use crate::text::{date, decimal};

/// 837P or 837I.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimType {
    /// 005010X222A1.
    Professional,
    /// 005010X223A2.
    Institutional,
}

/// CLM05-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The CLM05-3 (and CLP09) code.
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Original => "1",
            Frequency::Replacement => "7",
            Frequency::Void => "8",
        }
    }

    fn of(f: medbill_x12::claim::Frequency) -> Self {
        match f {
            medbill_x12::claim::Frequency::Original => Frequency::Original,
            medbill_x12::claim::Frequency::Replacement => Frequency::Replacement,
            medbill_x12::claim::Frequency::Void => Frequency::Void,
        }
    }
}

/// SBR01: this payer's place in the order of payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    /// Pays first.
    Primary,
    /// Pays after the primary.
    Secondary,
    /// Pays after the secondary.
    Tertiary,
}

impl Rank {
    /// CLP02 of a claim this payer processed.
    pub fn processed_code(self) -> &'static str {
        match self {
            Rank::Primary => "1",
            Rank::Secondary => "2",
            Rank::Tertiary => "3",
        }
    }

    fn of(r: PayerResponsibility) -> Self {
        match r {
            PayerResponsibility::Primary => Rank::Primary,
            PayerResponsibility::Secondary => Rank::Secondary,
            PayerResponsibility::Tertiary => Rank::Tertiary,
        }
    }

    /// The rank of the payer that adjudicated before this one.
    fn before(self) -> Option<PayerResponsibility> {
        match self {
            Rank::Primary => None,
            Rank::Secondary => Some(PayerResponsibility::Primary),
            Rank::Tertiary => Some(PayerResponsibility::Secondary),
        }
    }
}

/// A person's name as the 835 and 277CA repeat it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// Last name (patient data).
    pub last: Phi<String>,
    /// First name (patient data).
    pub first: Option<Phi<String>>,
}

impl Name {
    fn of(n: &PersonName) -> Self {
        Name {
            last: n.last.clone(),
            first: n.first.clone(),
        }
    }
}

/// The provider billing (and paid for) the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// Organization name.
    pub name: String,
    /// NPI.
    pub npi: String,
}

/// A claim the simulator accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedClaim {
    /// CLM01.
    pub patient_control_number: String,
    /// 837P or 837I.
    pub claim_type: ClaimType,
    /// CLM05-3.
    pub frequency: Frequency,
    /// REF*F8: the payer claim number a replacement or void names.
    pub replaces: Option<String>,
    /// 2010BB NM109.
    pub payer_id: String,
    /// SBR01.
    pub rank: Rank,
    /// SBR09, echoed in CLP06.
    pub filing_indicator: String,
    /// 2010BA NM109 (patient data).
    pub member_id: Phi<String>,
    /// 2010BA name.
    pub subscriber: Name,
    /// 2010CA name, when the patient is not the subscriber.
    pub patient: Option<Name>,
    /// 2010AA.
    pub billing_provider: Provider,
    /// Place of service (837P CLM05-1) or facility type (837I CLM05-1),
    /// echoed in CLP08.
    pub facility_code: String,
    /// ICD-10-CM codes, principal first.
    pub diagnoses: Vec<String>,
    /// REF*G1.
    pub prior_authorization: Option<String>,
    /// CLM02.
    pub total_charge: i64,
    /// 2400 loops.
    pub lines: Vec<SubmittedLine>,
    /// 2320/2430 of the payer that adjudicated first (secondary and
    /// tertiary claims).
    pub prior_payer: Option<PriorPayer>,
}

/// One service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedLine {
    /// REF*6R, echoed in the 835 so payments post to this line.
    pub control_number: String,
    /// HCPCS/CPT code (837P SV101-2, 837I SV202-2).
    pub procedure_code: Option<String>,
    /// NUBC revenue code (837I SV201).
    pub revenue_code: Option<String>,
    /// Procedure modifiers.
    pub modifiers: Vec<String>,
    /// Charge in cents.
    pub charge: i64,
    /// Units of service.
    #[serde(with = "decimal")]
    pub units: Decimal,
    /// DTP*472 (the statement start for an 837I line without one).
    #[serde(with = "date")]
    pub service_date: CalendarDate,
    /// 837P SV107: 1-based pointers into the claim's diagnoses.
    pub diagnosis_pointers: Vec<u8>,
    /// 2430 of the prior payer on this line.
    pub prior: Option<PriorLine>,
}

/// The prior payer's decision on the claim (2320/2330B).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorPayer {
    /// 2330B NM109.
    pub payer_id: String,
    /// AMT*D.
    pub paid: Option<i64>,
    /// Claim-level CAS.
    pub adjustments: Vec<Cas>,
}

/// The prior payer's decision on one line (2430).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorLine {
    /// SVD02.
    pub paid: i64,
    /// Line CAS.
    pub adjustments: Vec<Cas>,
}

impl PriorLine {
    /// What the prior payer left to the patient on this line.
    pub fn patient_share(&self) -> i64 {
        patient_total(&self.adjustments)
    }
}

/// The sum of the PR adjustments in a list.
pub(crate) fn patient_total(adjustments: &[Cas]) -> i64 {
    adjustments
        .iter()
        .filter(|c| c.group == Group::Patient)
        .map(|c| c.amount)
        .sum()
}

/// Why an 837 claim cannot be taken in: its 277CA rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Health care claim status code (STC01-2).
    pub status: &'static str,
    /// What is wrong, for STC12.
    pub message: String,
}

impl SubmittedClaim {
    /// The sum of the line charges.
    pub fn line_charges(&self) -> i64 {
        self.lines.iter().map(|l| l.charge).sum()
    }

    /// The earliest date of service.
    pub fn first_service_date(&self) -> Option<CalendarDate> {
        self.lines.iter().map(|l| l.service_date).min()
    }

    /// The latest date of service.
    pub fn last_service_date(&self) -> Option<CalendarDate> {
        self.lines.iter().map(|l| l.service_date).max()
    }

    /// Dates of service and procedures (with modifiers), in a canonical
    /// order: two claims with the same key bill the same services.
    pub fn services_key(&self) -> String {
        let mut services: Vec<String> = self
            .lines
            .iter()
            .map(|l| {
                format!(
                    "{}:{}:{}:{}",
                    l.service_date,
                    l.procedure_code.as_deref().unwrap_or(""),
                    l.revenue_code.as_deref().unwrap_or(""),
                    l.modifiers.join("+")
                )
            })
            .collect();
        services.sort();
        services.join(";")
    }

    /// The patient's name (the subscriber when no dependent is named).
    pub fn patient_name(&self) -> &Name {
        self.patient.as_ref().unwrap_or(&self.subscriber)
    }

    /// The type of bill (REF*BLT) of an institutional claim.
    pub fn bill_type(&self) -> Option<String> {
        (self.claim_type == ClaimType::Institutional)
            .then(|| format!("{}{}", self.facility_code, self.frequency.code()))
    }
}
