//! The 277 claim status response (005010X212): per claim asked about, its
//! trace, each STC (category, status, entity, charge, payment, dates) and
//! the service lines the payer reports on.

use serde::Serialize;

use crate::claim::PersonName;
use crate::remit::Procedure;
use crate::status::{ServicePeriod, StatusParties};
use crate::values::{Amount, Date, Phi, Quantity};

/// One 277 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatusResponse {
    /// ST02, 4 to 9 characters.
    pub control_number: String,
    /// BHT03: the response's reference.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// BHT05 (`HHMM`).
    pub created_time: String,
    /// Payer, information receiver and provider (HL 20, 21, 19).
    pub parties: StatusParties,
    /// Loop 2200B: a status about the information receiver as a whole
    /// (e.g. the payer rejects the whole inquiry).
    pub receiver_status: Option<LevelStatus>,
    /// Loop 2200C: a status about the provider as a whole (e.g. the payer
    /// cannot identify the provider, so no claim is reported on).
    pub provider_status: Option<LevelStatus>,
    /// One entry per claim reported on (loops 2200D/2200E), in order.
    pub claims: Vec<ClaimStatusResult>,
}

/// Loop 2200B or 2200C: a trace and the statuses of a whole level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelStatus {
    /// TRN02.
    pub trace_number: String,
    /// STC segments, at least one.
    pub statuses: Vec<StatusDetail>,
}

/// Loop 2200D (or 2200E): where one claim stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatusResult {
    /// 2100D NM1*IL: the subscriber's name.
    pub subscriber: PersonName,
    /// 2100D NM109 (`MI`): the member id, when the payer sends it.
    pub member_id: Option<Phi<String>>,
    /// 2100E NM1*QC: the patient, when a dependent.
    pub patient: Option<PersonName>,
    /// TRN02: the trace number of the 276 request this answers.
    pub trace_number: String,
    /// STC segments, at least one.
    pub statuses: Vec<StatusDetail>,
    /// REF*1K: the payer's claim control number.
    pub payer_claim_control_number: Option<String>,
    /// REF*BLT: institutional type of bill.
    pub bill_type: Option<String>,
    /// REF*EJ: our patient control number (837 CLM01).
    pub patient_control_number: Option<String>,
    /// REF*D9: the clearinghouse's trace number.
    pub clearinghouse_trace_number: Option<String>,
    /// DTP*472: the claim's service date or period.
    pub service_period: Option<ServicePeriod>,
    /// Loop 2220D/E: the service lines reported on.
    pub lines: Vec<LineStatus>,
}

impl ClaimStatusResult {
    /// The class of the first status's first code: where the claim stands
    /// overall (`None` only for a result without statuses, which the
    /// reader never returns).
    pub fn class(&self) -> Option<CategoryClass> {
        self.statuses
            .first()
            .and_then(|s| s.codes.first())
            .map(StatusCode::class)
    }
}

/// One STC segment of a 277.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusDetail {
    /// STC01, STC10 and STC11: one to three status composites.
    pub codes: Vec<StatusCode>,
    /// STC02: when the status took effect.
    pub effective_date: Option<Date>,
    /// STC03: action code (not used by 005010X212, kept when sent).
    pub action: Option<String>,
    /// STC04: the total charge of the claim (005010X212 leaves it out of a
    /// line's STC: the line charge is SVC02).
    pub total_charge: Option<Amount>,
    /// STC05: the amount paid on the claim (left out of a line's STC: the
    /// line payment is SVC03).
    pub paid: Option<Amount>,
    /// STC06: the adjudication or finalized date.
    pub adjudicated: Option<Date>,
    /// STC07: payment method (`ACH`, `CHK`, ...); 005010X212 marks it not
    /// used, kept when a payer sends it anyway.
    pub payment_method: Option<String>,
    /// STC08: check issue or EFT effective date.
    pub check_date: Option<Date>,
    /// STC09: check or EFT trace number (the 835's TRN02).
    pub check_number: Option<String>,
    /// STC12: free-form message.
    pub message: Option<String>,
}

/// A health care claim status composite (STC01, STC10, STC11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCode {
    /// Category code (code source 507), e.g. `F1` finalized/payment,
    /// `P1` pending/in process, `A7` acknowledged/rejected.
    pub category: String,
    /// Status code (code source 508), e.g. `65` claim has been paid,
    /// `20` accepted for processing.
    pub status: String,
    /// Entity identifier code the status is about, e.g. `PR`, `IL`, `QC`.
    pub entity: Option<String>,
}

/// What a category code's first letter says about the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryClass {
    /// `A0`-`A8`: acknowledged (received, accepted, returned or rejected
    /// at the front end).
    Acknowledgment,
    /// `P0`-`P5`: pending (in process, awaiting information, in review).
    Pending,
    /// `F0`-`F4`: finalized (paid, denied, revised, forwarded, not found).
    Finalized,
    /// `R0`-`R16`: the payer asks for more information.
    RequestForInformation,
    /// `E0`-`E4`: the inquiry itself could not be processed.
    Error,
    /// `D0`: data search unsuccessful.
    DataSearchUnsuccessful,
    /// Any other category.
    Other,
}

impl StatusCode {
    /// The class of the category code.
    pub fn class(&self) -> CategoryClass {
        match self.category.as_bytes().first() {
            Some(b'A') => CategoryClass::Acknowledgment,
            Some(b'P') => CategoryClass::Pending,
            Some(b'F') => CategoryClass::Finalized,
            Some(b'R') => CategoryClass::RequestForInformation,
            Some(b'E') => CategoryClass::Error,
            Some(b'D') => CategoryClass::DataSearchUnsuccessful,
            _ => CategoryClass::Other,
        }
    }
}

/// Loop 2220D/E: one service line's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineStatus {
    /// SVC01.
    pub procedure: Procedure,
    /// SVC02: the line's charge.
    pub charge: Amount,
    /// SVC03: the amount paid for the line.
    pub paid: Option<Amount>,
    /// SVC04: revenue code.
    pub revenue_code: Option<String>,
    /// SVC07: units of service.
    pub units: Option<Quantity>,
    /// STC segments, at least one.
    pub statuses: Vec<StatusDetail>,
    /// REF*FJ: our line item control number (837 REF*6R).
    pub line_item_control_number: Option<String>,
    /// DTP*472.
    pub service_period: Option<ServicePeriod>,
}
