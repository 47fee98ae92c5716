//! 835 health care claim payment/advice (005010X221A1): the typed
//! remittance, its reader and its balancing rules.

mod adjustments;
pub mod balance;
mod read;

use serde::Serialize;

use crate::common::Address;
use crate::common::{AmountRef, Contact, DateRef, Entity, Reference};
use crate::error::Position;
use crate::text::Text;
use crate::values::{Amount, Date, Quantity};

pub use adjustments::{Adjustment, AdjustmentGroup, ClaimStatus, ProviderAdjustment};
pub use read::{Remittance835Parser, VERSIONS, read_835, read_835_stream};

/// One 835 transaction set: one payment and the claims it pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remittance {
    /// ST02.
    pub control_number: Text,
    /// BPR: the payment.
    pub payment: Payment,
    /// TRN: the check or EFT trace.
    pub trace: Option<Trace>,
    /// Header REF segments (EV receiver id, F2 version).
    pub references: Vec<Reference>,
    /// DTM*405 production date.
    pub production_date: Option<Date>,
    /// Loop 1000A.
    pub payer: Party,
    /// Loop 1000B.
    pub payee: Party,
    /// Every CLP in the file, in order.
    pub claims: Vec<ClaimPayment>,
    /// Every PLB adjustment, in order.
    pub provider_adjustments: Vec<ProviderAdjustment>,
    /// Segment ordinal of the BPR (for findings).
    #[serde(skip)]
    pub position: Position,
}

/// BPR: the financial information of the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// BPR01: `I` remittance with payment, `H` notification only, ...
    pub handling_code: Text,
    /// BPR02.
    pub amount: Amount,
    /// BPR03: `C` credit or `D` debit.
    pub credit_debit: Text,
    /// BPR04: `ACH`, `CHK`, `BOP`, `FWT`, `NON`.
    pub method: Text,
    /// BPR05 when present (`CCP`, `CTX`).
    pub format: Option<Text>,
    /// BPR16: check issue or EFT effective date.
    pub date: Date,
}

/// TRN: reassociation trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// TRN02: check or EFT trace number.
    pub number: Text,
    /// TRN03: payer identifier.
    pub originator: Text,
    /// TRN04.
    pub supplemental: Option<Text>,
}

/// A payer or payee (N1 loop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Party {
    /// N102.
    pub name: Text,
    /// N103, e.g. `XX` NPI, `FI` tax id, `XV` plan id.
    pub id_qualifier: Option<Text>,
    /// N104.
    pub id: Option<Text>,
    /// N3/N4.
    pub address: Option<Address>,
    /// REF segments of the loop.
    pub references: Vec<Reference>,
    /// PER segments of the loop.
    pub contacts: Vec<Contact>,
}

/// Loop 2100: the payer's decision on one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimPayment {
    /// LX01 of the header-number loop the claim sits in.
    pub header_number: Option<u32>,
    /// CLP01: the provider's patient control number (our claim id).
    pub patient_control_number: Text,
    /// CLP02.
    pub status: ClaimStatus,
    /// CLP03.
    pub total_charge: Amount,
    /// CLP04.
    pub paid: Amount,
    /// CLP05.
    pub patient_responsibility: Option<Amount>,
    /// CLP06.
    pub filing_indicator: Text,
    /// CLP07: the payer's claim control number (ICN).
    pub payer_claim_control_number: Text,
    /// CLP08.
    pub facility_type: Option<Text>,
    /// CLP09.
    pub frequency: Option<Text>,
    /// CLP11.
    pub drg_code: Option<Text>,
    /// Claim-level CAS, one entry per reason/amount/quantity triple.
    pub adjustments: Vec<Adjustment>,
    /// NM1 segments: patient (QC), insured (IL), corrected names (74), ...
    pub names: Vec<Entity>,
    /// MIA: inpatient adjudication.
    pub inpatient: Option<MedicareAdjudication>,
    /// MOA: outpatient adjudication.
    pub outpatient: Option<MedicareAdjudication>,
    /// REF segments.
    pub references: Vec<Reference>,
    /// DTM segments (232/233 statement period, 050 received, ...).
    pub dates: Vec<DateRef>,
    /// AMT segments (AU coverage, I interest, ...).
    pub amounts: Vec<AmountRef>,
    /// QTY segments.
    pub quantities: Vec<QuantityRef>,
    /// Loop 2110 service lines.
    pub services: Vec<ServicePayment>,
    /// Segment ordinal of the CLP.
    #[serde(skip)]
    pub position: Position,
}

/// MIA/MOA: Medicare adjudication remarks and the main figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MedicareAdjudication {
    /// MIA01 covered days, or MOA01 reimbursement rate.
    pub quantity: Option<Quantity>,
    /// MIA04 claim DRG amount, or MOA02 claim HCPCS payable amount.
    pub amount: Option<Amount>,
    /// Remark codes (MIA05, MIA20-22; MOA03-07).
    pub remark_codes: Vec<Text>,
}

/// A qualified quantity (QTY).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuantityRef {
    /// QTY01.
    pub qualifier: Text,
    /// QTY02.
    pub quantity: Quantity,
}

/// A procedure code composite (SVC01, SVC06): qualifier, code, modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Procedure {
    /// `HC` (HCPCS/CPT), `NU` (revenue), `N4` (NDC), ...
    pub qualifier: Text,
    /// The code.
    pub code: Text,
    /// Up to four modifiers.
    pub modifiers: Vec<Text>,
}

impl Procedure {
    /// Reads the composite in element `n` (qualifier and code required).
    pub fn read(seg: &crate::segment::Segment<'_>, n: usize) -> Result<Self, crate::X12Error> {
        let mut parts = seg.components(n);
        let qualifier = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        if qualifier.is_empty() {
            return Err(seg.component_error(n, 1, crate::ErrorKind::MissingElement));
        }
        if code.is_empty() {
            return Err(seg.component_error(n, 2, crate::ErrorKind::MissingElement));
        }
        Ok(Self {
            qualifier: Text::new(qualifier),
            code: Text::new(code),
            modifiers: parts
                .take(4)
                .filter(|m| !m.is_empty())
                .map(Text::new)
                .collect(),
        })
    }
}

/// Loop 2110: the payer's decision on one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePayment {
    /// SVC01 as adjudicated.
    pub procedure: Procedure,
    /// SVC02.
    pub charge: Amount,
    /// SVC03.
    pub paid: Amount,
    /// SVC04: NUBC revenue code.
    pub revenue_code: Option<Text>,
    /// SVC05 (1 when absent, per the guide).
    pub units_paid: Option<Quantity>,
    /// SVC06: the procedure as submitted, when the payer changed it.
    pub submitted_procedure: Option<Procedure>,
    /// SVC07.
    pub submitted_units: Option<Quantity>,
    /// DTM segments (472, 150, 151).
    pub dates: Vec<DateRef>,
    /// Line-level CAS, one entry per triple.
    pub adjustments: Vec<Adjustment>,
    /// REF*6R: the line item control number sent in the 837.
    pub line_item_control_number: Option<Text>,
    /// Other REF segments.
    pub references: Vec<Reference>,
    /// AMT segments (B6 allowed, ...).
    pub amounts: Vec<AmountRef>,
    /// QTY segments.
    pub quantities: Vec<QuantityRef>,
    /// LQ remark codes.
    pub remarks: Vec<Remark>,
    /// Segment ordinal of the SVC.
    #[serde(skip)]
    pub position: Position,
}

/// LQ: a remark (RARC when qualifier is `HE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remark {
    /// LQ01: `HE` claim payment remark code, `RX` NCPDP reject code.
    pub qualifier: Text,
    /// LQ02.
    pub code: Text,
}
