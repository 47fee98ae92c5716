//! 277CA health care claim acknowledgment (005010X214): the payer's or
//! clearinghouse's front-end verdict on each claim we sent, with the trace
//! numbers billing needs to find the claim again.

mod read;
mod write;

use serde::Serialize;

use crate::common::{DateRef, Entity, Reference};
use crate::remit::Procedure;
use crate::values::{Amount, Date, Quantity};

pub use read::{ClaimAck277Parser, VERSIONS, read_277ca};
pub use write::{VERSION, write_277ca};

/// One 277CA transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimAcknowledgment {
    /// ST02.
    pub control_number: String,
    /// BHT03: the acknowledgment's reference.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// Loop 2000A/2100A (HL 20): the payer or clearinghouse answering.
    pub information_source: StatusLevel,
    /// Loop 2000B/2100B (HL 21): the submitter, with batch-level counts.
    pub information_receiver: Option<StatusLevel>,
    /// Loop 2000C/2100C (HL 19): billing providers.
    pub providers: Vec<StatusLevel>,
    /// Loop 2000D/2200D (HL PT): one entry per acknowledged claim.
    pub claims: Vec<ClaimStatusReport>,
}

/// A party level of the 277CA hierarchy and what it says about the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusLevel {
    /// HL01, so claims can name their provider level.
    pub hl_id: String,
    /// NM1 of the level.
    pub entity: Option<Entity>,
    /// TRN02: the trace number (for the receiver level, our batch
    /// reference from the 837 BHT03).
    pub trace_number: Option<String>,
    /// STC segments of the level.
    pub statuses: Vec<StatusInfo>,
    /// REF segments of the level (2200C provider secondary identifiers:
    /// `TJ` tax id, `SY` SSN, `G2` payer-assigned id, ...).
    pub references: Vec<Reference>,
    /// DTP segments (050 received, 009 processed).
    pub dates: Vec<DateRef>,
    /// QTY*90 accepted and QTY*AA rejected claim counts.
    pub quantities: Vec<(String, Quantity)>,
    /// AMT*YU accepted and AMT*YY rejected totals.
    pub amounts: Vec<(String, Amount)>,
}

/// Where a claim stands according to its first status's category code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// `A0`-`A2`, `A5`: forwarded, received or accepted for adjudication.
    Accepted,
    /// `A3`, `A4`, `A6`-`A8`: returned, not found or rejected; billing must
    /// correct and resubmit.
    Rejected,
    /// Any other category (`E` errors, `P` pending, `DR`, ...).
    Other,
}

impl Disposition {
    /// The disposition a STC01-1 category code implies.
    pub fn from_category(category: &str) -> Self {
        match category {
            "A0" | "A1" | "A2" | "A5" => Self::Accepted,
            "A3" | "A4" | "A6" | "A7" | "A8" => Self::Rejected,
            _ => Self::Other,
        }
    }
}

/// One status (STC01, STC10 or STC11) with the STC's date, action and amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusInfo {
    /// Health care claim status category code, e.g. `A2`, `A7`.
    pub category: String,
    /// Health care claim status code, e.g. `20` accepted for processing,
    /// `21` missing or invalid information.
    pub status: String,
    /// Entity identifier code the status is about, e.g. `IL`, `85`, `PR`.
    pub entity: Option<String>,
    /// STC02: when the status took effect.
    pub date: Option<Date>,
    /// STC03: `WQ` accepted, `U` rejected.
    pub action: Option<String>,
    /// STC04: the total charge of the acknowledged claim or line.
    pub charge: Option<Amount>,
    /// STC12: free-form message.
    pub message: Option<String>,
}

/// Loop 2000D/2200D: one claim's acknowledgment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatusReport {
    /// HL02: the provider level the claim sits under.
    pub provider_hl_id: Option<String>,
    /// 2100D NM1*QC (or IL): the patient.
    pub patient: Option<Entity>,
    /// TRN02: the claim's patient control number (our CLM01), echoed back.
    pub patient_control_number: String,
    /// From the first status's category.
    pub disposition: Disposition,
    /// STC segments.
    pub statuses: Vec<StatusInfo>,
    /// REF*1K: the payer's claim control number.
    pub payer_claim_control_number: Option<String>,
    /// REF*D9: the clearinghouse trace number.
    pub clearinghouse_trace_number: Option<String>,
    /// REF*BLT: institutional type of bill.
    pub bill_type: Option<String>,
    /// Other REF segments.
    pub references: Vec<Reference>,
    /// DTP*472 claim service period.
    pub service_dates: Option<DateRef>,
    /// Loop 2220D service lines.
    pub lines: Vec<LineStatusReport>,
}

/// Loop 2220D: one service line's acknowledgment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineStatusReport {
    /// SVC01.
    pub procedure: Procedure,
    /// SVC02.
    pub charge: Amount,
    /// SVC04: revenue code.
    pub revenue_code: Option<String>,
    /// SVC07: units.
    pub units: Option<Quantity>,
    /// STC segments.
    pub statuses: Vec<StatusInfo>,
    /// REF*FJ: our line item control number (837 REF*6R).
    pub line_item_control_number: Option<String>,
    /// DTP*472.
    pub service_date: Option<DateRef>,
}
