//! A remittance as payments reads it: the payment, its claim payments with
//! their service lines and CAS adjustments, and provider-level adjustments,
//! in kernel types.

use medbill_kernel::{CalendarDate, Money};

/// CAS01: who bears an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasGroup {
    /// `CO` contractual obligation: the provider writes it off.
    Contractual,
    /// `PR` patient responsibility: the guarantor owes it.
    PatientResponsibility,
    /// `OA` other adjustment.
    Other,
    /// `PI` payer-initiated reduction.
    PayerInitiated,
    /// `CR` correction and reversal (retired in 5010, still sent).
    CorrectionReversal,
}

impl CasGroup {
    /// The CAS01 code.
    pub fn code(self) -> &'static str {
        match self {
            CasGroup::Contractual => "CO",
            CasGroup::PatientResponsibility => "PR",
            CasGroup::Other => "OA",
            CasGroup::PayerInitiated => "PI",
            CasGroup::CorrectionReversal => "CR",
        }
    }
}

/// One CAS reason/amount/quantity triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cas {
    /// The group.
    pub group: CasGroup,
    /// The CARC.
    pub reason: String,
    /// The amount (positive reduces the payment).
    pub amount: Money,
    /// Units adjusted, whole units (0 when not given).
    pub quantity: i64,
}

/// CLP02, as posting needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimPaymentStatus {
    /// `1`, `2`, `3`: processed as primary, secondary, tertiary.
    Processed,
    /// `19`, `20`, `21`: processed and forwarded to the next payer.
    Forwarded,
    /// `4`: denied.
    Denied,
    /// `22`: reversal of a previous payment (amounts negative).
    Reversal,
    /// `23`: not our claim, forwarded.
    NotOurClaim,
    /// `25`: predetermination pricing only.
    Predetermination,
}

/// Loop 2110: one service line's payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePayment {
    /// REF*6R, the line control number we sent.
    pub line_control_number: Option<String>,
    /// SVC01-2 as adjudicated.
    pub procedure_code: String,
    /// SVC06-2: the code as submitted, when the payer changed or bundled it.
    pub submitted_code: Option<String>,
    /// SVC01-3..6.
    pub modifiers: Vec<String>,
    /// SVC02.
    pub charge: Money,
    /// SVC03.
    pub paid: Money,
    /// SVC05 units paid (0 when not given).
    pub units: u32,
    /// DTM*472 (or 150).
    pub date_of_service: Option<CalendarDate>,
    /// Line CAS.
    pub adjustments: Vec<Cas>,
    /// LQ*HE remark codes.
    pub remark_codes: Vec<String>,
    /// Segment ordinal of the SVC (for exceptions).
    pub segment: usize,
}

/// Loop 2100: one claim payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPayment {
    /// CLP01, our patient control number.
    pub patient_control_number: String,
    /// CLP02.
    pub status: ClaimPaymentStatus,
    /// CLP02 as sent.
    pub status_code: String,
    /// CLP03.
    pub charge: Money,
    /// CLP04.
    pub paid: Money,
    /// CLP05 (zero when absent).
    pub patient_responsibility: Money,
    /// CLP07, the payer's claim control number.
    pub payer_claim_number: String,
    /// Claim-level CAS.
    pub adjustments: Vec<Cas>,
    /// MIA/MOA remark codes.
    pub remark_codes: Vec<String>,
    /// The service lines.
    pub services: Vec<ServicePayment>,
    /// Segment ordinal of the CLP.
    pub segment: usize,
}

/// One PLB reason/amount pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAdjustment {
    /// PLB reason code (`WO`, `FB`, `L6`, `72`, `CS`, ...).
    pub reason: String,
    /// The reference (e.g. the ICN a WO recovers).
    pub reference: String,
    /// Positive reduces the payment.
    pub amount: Money,
}

impl ProviderAdjustment {
    /// Whether it is interest (`L6`) rather than a recovery or balance.
    pub fn is_interest(&self) -> bool {
        self.reason == "L6"
    }
}

/// One 835 transaction set, read and balanced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    /// TRN02: check or EFT trace number.
    pub trace_number: String,
    /// TRN03: the payer's originating company id (half of the once-only key).
    pub payer_key: String,
    /// N1*PR N104, else TRN03.
    pub payer_identifier: String,
    /// N1*PR N102.
    pub payer_name: String,
    /// BPR16.
    pub payment_date: CalendarDate,
    /// BPR02.
    pub total_paid: Money,
    /// The claim payments, in file order.
    pub claims: Vec<ClaimPayment>,
    /// PLB adjustments, in file order.
    pub provider_adjustments: Vec<ProviderAdjustment>,
}

/// Why a claim payment was not posted automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionReason {
    /// CLP01 names no claim we know.
    UnknownPatientControlNumber,
    /// A service line matches no claim line.
    LineNotFound,
    /// The claim was voided.
    ClaimVoided,
}

impl ExceptionReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionReason::UnknownPatientControlNumber => "unknown_patient_control_number",
            ExceptionReason::LineNotFound => "line_not_found",
            ExceptionReason::ClaimVoided => "claim_voided",
        }
    }

    /// The reason stored as `name`.
    pub fn parse(name: &str) -> Option<ExceptionReason> {
        match name {
            "unknown_patient_control_number" => Some(ExceptionReason::UnknownPatientControlNumber),
            "line_not_found" => Some(ExceptionReason::LineNotFound),
            "claim_voided" => Some(ExceptionReason::ClaimVoided),
            _ => None,
        }
    }
}

/// A claim payment in the exceptions queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceException {
    /// Its id.
    pub exception_id: String,
    /// The remittance it came in.
    pub remittance_id: String,
    /// CLP01.
    pub patient_control_number: String,
    /// The claim CLP01 named, when there is one.
    pub claim_id: Option<String>,
    /// Why.
    pub reason: ExceptionReason,
    /// What did not match.
    pub detail: String,
    /// CLP04, held in unapplied cash.
    pub paid: Money,
    /// When it was queued (RFC 3339).
    pub created_at: String,
}

/// What an ingestion posted (or, for a file seen before, posted the first
/// time).
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The remittance's id.
    pub remittance_id: String,
    /// What the file says.
    pub remittance: Remittance,
    /// Per claim payment: the claim it posted to (none: exception) and the
    /// claim line of each service line.
    pub matches: Vec<(Option<String>, Vec<u32>)>,
    /// The claim payments queued for posting by hand.
    pub exceptions: Vec<RemittanceException>,
    /// When the file was first received (RFC 3339).
    pub received_at: String,
    /// SHA-256 of the file, hex.
    pub content_hash: String,
    /// False when the file was recorded before and nothing was posted now.
    pub newly_posted: bool,
}
