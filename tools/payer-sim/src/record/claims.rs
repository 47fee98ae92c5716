//! What the record keeps per claim: the claim as accepted, where it
//! stands, and every claim payment (CLP) any 835 carried for it.

use std::collections::BTreeMap;

use medbill_kernel::CalendarDate;
use serde::{Deserialize, Serialize};

use crate::adjudication::{Accumulator, LineDecision};
use crate::claim::SubmittedClaim;
use crate::text::date;

/// Where answers about a claim go: the submitter's interchange address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnAddress {
    /// ISA05 of the 837.
    pub qualifier: String,
    /// ISA06 of the 837.
    pub id: String,
    /// ISA15 was `T`.
    pub test: bool,
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimState {
    /// Accepted, waiting for its adjudication day.
    Pending,
    /// Adjudicated and sent in an 835.
    Adjudicated,
    /// Replaced or voided by a later claim (frequency 7 or 8): before
    /// adjudication it is never paid, after it its payment is reversed.
    Superseded,
    /// A void (frequency 8) that was carried out: it has no payment of
    /// its own.
    Applied,
}

/// A claim the simulator accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The payer claim control number given at acceptance (277CA REF*1K,
    /// 835 CLP07).
    pub payer_claim_number: String,
    /// The claim.
    pub claim: SubmittedClaim,
    /// Where its 835s go.
    pub return_address: ReturnAddress,
    /// The day it was accepted.
    #[serde(with = "date")]
    pub received_on: CalendarDate,
    /// The day it is adjudicated.
    #[serde(with = "date")]
    pub due_on: CalendarDate,
    /// Where it stands.
    pub state: ClaimState,
    /// The payer claim number of the claim that replaced or voided it.
    pub superseded_by: Option<String>,
    /// Every claim payment for it, in the order the 835s carried them.
    pub payments: Vec<PaymentRecord>,
}

/// Why a claim payment was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// The first adjudication.
    Original,
    /// A reversal (CLP02 22) of an earlier payment: every amount negated.
    Reversal,
    /// The payer's own corrected payment after a reversal.
    Correction,
}

/// One claim payment (one CLP loop of one 835).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// Why it was sent.
    pub kind: PaymentKind,
    /// CLP07.
    pub payer_claim_number: String,
    /// CLP02.
    pub status: String,
    /// The trace (TRN02) of the 835 that carried it.
    pub trace: String,
    /// The 835 file.
    pub file: String,
    /// The day it was decided.
    #[serde(with = "date")]
    pub adjudicated_on: CalendarDate,
    /// BPR16 of its 835.
    #[serde(with = "date")]
    pub paid_on: CalendarDate,
    /// CLP03.
    pub billed: i64,
    /// Σ allowed (AMT*B6).
    pub allowed: i64,
    /// CLP04.
    pub paid: i64,
    /// CLP05.
    pub patient_responsibility: i64,
    /// Adjustments by `GROUP-REASON` (e.g. `CO-45`, `PR-1`).
    pub adjustments: BTreeMap<String, i64>,
    /// The denials, as `CO-97`.
    pub denials: Vec<String>,
    /// Interest paid with it (PLB L6), in cents.
    pub interest: i64,
    /// Per line, in the claim's line order.
    pub lines: Vec<LineDecision>,
    /// What it took from the member's plan-year totals (given back when
    /// it is reversed).
    pub benefit_use: Accumulator,
    /// The trace of the 835 that reversed it, if one did.
    pub reversed_by: Option<String>,
}

impl PaymentRecord {
    /// The reversal of this payment, sent in the 835 `trace`.
    pub(crate) fn reversal(
        &self,
        trace: &str,
        file: &str,
        on: CalendarDate,
        paid_on: CalendarDate,
    ) -> Self {
        PaymentRecord {
            kind: PaymentKind::Reversal,
            payer_claim_number: self.payer_claim_number.clone(),
            status: "22".into(),
            trace: trace.into(),
            file: file.into(),
            adjudicated_on: on,
            paid_on,
            billed: -self.billed,
            allowed: -self.allowed,
            paid: -self.paid,
            patient_responsibility: -self.patient_responsibility,
            adjustments: self
                .adjustments
                .iter()
                .map(|(k, v)| (k.clone(), -v))
                .collect(),
            denials: Vec::new(),
            interest: 0,
            lines: self
                .lines
                .iter()
                .map(|l| LineDecision {
                    allowed: -l.allowed,
                    paid: -l.paid,
                    adjustments: l.adjustments.iter().map(|c| c.negated()).collect(),
                    remarks: Vec::new(),
                })
                .collect(),
            benefit_use: Accumulator {
                deductible_met: -self.benefit_use.deductible_met,
                out_of_pocket_met: -self.benefit_use.out_of_pocket_met,
            },
            reversed_by: None,
        }
    }

    /// Whether it still stands: an original or correction not reversed.
    pub fn standing(&self) -> bool {
        self.kind != PaymentKind::Reversal && self.reversed_by.is_none()
    }
}

impl ClaimRecord {
    /// What the payer has paid on the claim, reversals included.
    pub fn net_paid(&self) -> i64 {
        self.payments.iter().map(|p| p.paid).sum()
    }

    /// The payment that stands, if any.
    pub fn standing_payment(&self) -> Option<&PaymentRecord> {
        self.payments.iter().rev().find(|p| p.standing())
    }
}

/// A claim the 277CA rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedClaim {
    /// CLM01.
    pub patient_control_number: String,
    /// The payer it was sent to.
    pub payer_id: String,
    /// STC01, e.g. `A7:164:IL`.
    pub status: String,
    /// Why.
    pub message: String,
    /// The day.
    #[serde(with = "date")]
    pub rejected_on: CalendarDate,
}
