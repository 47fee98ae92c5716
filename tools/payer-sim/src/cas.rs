//! A claim adjustment (CAS triple without its quantity) as the simulator
//! keeps it: group, reason code and whole cents, serializable into the
//! record and convertible to the X12 engine's [`Adjustment`].

use medbill_x12::remit::{Adjustment, AdjustmentGroup};
use medbill_x12::{Amount, Text};
use serde::{Deserialize, Serialize};

/// CAS01: who bears an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Group {
    /// Contractual obligation: the provider writes it off.
    #[serde(rename = "CO")]
    Contractual,
    /// Patient responsibility.
    #[serde(rename = "PR")]
    Patient,
    /// Other adjustment (e.g. OA-23, the prior payer's share).
    #[serde(rename = "OA")]
    Other,
    /// Payer-initiated reduction.
    #[serde(rename = "PI")]
    PayerInitiated,
}

impl Group {
    /// The CAS01 code.
    pub fn code(self) -> &'static str {
        match self {
            Group::Contractual => "CO",
            Group::Patient => "PR",
            Group::Other => "OA",
            Group::PayerInitiated => "PI",
        }
    }

    /// Reads a CAS01 code (`CR`, retired in 5010, is not one).
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "CO" => Group::Contractual,
            "PR" => Group::Patient,
            "OA" => Group::Other,
            "PI" => Group::PayerInitiated,
            _ => return None,
        })
    }

    fn x12(self) -> AdjustmentGroup {
        match self {
            Group::Contractual => AdjustmentGroup::Contractual,
            Group::Patient => AdjustmentGroup::PatientResponsibility,
            Group::Other => AdjustmentGroup::Other,
            Group::PayerInitiated => AdjustmentGroup::PayerInitiated,
        }
    }
}

/// One adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cas {
    /// CAS01.
    pub group: Group,
    /// The claim adjustment reason code (CARC), e.g. `45`, `1`, `97`.
    pub reason: String,
    /// Cents; negative in a reversal.
    pub amount: i64,
}

impl Cas {
    /// An adjustment of `amount` cents.
    pub fn new(group: Group, reason: &str, amount: i64) -> Self {
        Cas {
            group,
            reason: reason.into(),
            amount,
        }
    }

    /// `CO-45`, `PR-1`: how the record and reports name it.
    pub fn key(&self) -> String {
        format!("{}-{}", self.group.code(), self.reason)
    }

    /// The same adjustment with the opposite sign (for a reversal).
    pub fn negated(&self) -> Self {
        Cas {
            amount: -self.amount,
            ..self.clone()
        }
    }

    /// From an 837 2320/2430 CAS triple; `None` for a group the simulator
    /// does not take (`CR`).
    pub fn from_x12(a: &Adjustment) -> Option<Self> {
        let group = Group::from_code(a.group.code())?;
        Some(Cas::new(group, &a.reason, a.amount.cents()))
    }

    /// The X12 engine's triple.
    pub fn to_x12(&self) -> Adjustment {
        Adjustment {
            group: self.group.x12(),
            reason: Text::new(&self.reason),
            amount: Amount::from_cents(self.amount),
            quantity: None,
        }
    }
}
