//! CAS adjustments, CLP02 claim statuses and PLB provider adjustments:
//! the codes that decide where every cent of a remittance goes.

use serde::Serialize;

use crate::error::X12Error;
use crate::segment::Segment;
use crate::text::Text;
use crate::values::{Amount, Date, Quantity};

/// CAS01: who bears an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AdjustmentGroup {
    /// `CO` contractual obligation: written off by the provider.
    #[serde(rename = "CO")]
    Contractual,
    /// `PR` patient responsibility: billed to the patient.
    #[serde(rename = "PR")]
    PatientResponsibility,
    /// `OA` other adjustment.
    #[serde(rename = "OA")]
    Other,
    /// `PI` payer-initiated reduction.
    #[serde(rename = "PI")]
    PayerInitiated,
    /// `CR` correction and reversal (retired in 5010, still sent by some payers).
    #[serde(rename = "CR")]
    CorrectionReversal,
}

impl AdjustmentGroup {
    /// Reads a CAS01 code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "CO" => Self::Contractual,
            "PR" => Self::PatientResponsibility,
            "OA" => Self::Other,
            "PI" => Self::PayerInitiated,
            "CR" => Self::CorrectionReversal,
            _ => return None,
        })
    }

    /// The CAS01 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Contractual => "CO",
            Self::PatientResponsibility => "PR",
            Self::Other => "OA",
            Self::PayerInitiated => "PI",
            Self::CorrectionReversal => "CR",
        }
    }
}

/// One reason/amount/quantity triple of a CAS segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    /// CAS01.
    pub group: AdjustmentGroup,
    /// The CARC (claim adjustment reason code).
    pub reason: Text,
    /// The adjusted amount; negative amounts increase payment.
    pub amount: Amount,
    /// The adjusted quantity (units, days).
    pub quantity: Option<Quantity>,
}

impl Adjustment {
    /// Reads every triple of a CAS segment (CAS02-04, 05-07, ... 17-19).
    pub fn read_cas(seg: &Segment<'_>, into: &mut Vec<Adjustment>) -> Result<(), X12Error> {
        let code = seg.req(1)?;
        let group = AdjustmentGroup::from_code(code)
            .ok_or_else(|| seg.invalid(1, code, "CO, PR, OA, PI or CR"))?;
        // The first triple is required; later ones are present when their
        // reason code is.
        seg.req(2)?;
        let present = seg.element_count();
        for first in (2..=17).step_by(3).take_while(|first| *first <= present) {
            let Some(reason) = seg.opt(first) else {
                continue;
            };
            into.push(Adjustment {
                group,
                reason: reason.into(),
                amount: seg.amount(first + 1)?,
                quantity: seg.opt_quantity(first + 2)?,
            });
        }
        Ok(())
    }
}

/// CLP02: the payer's status for a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// `1` processed as primary.
    ProcessedAsPrimary,
    /// `2` processed as secondary.
    ProcessedAsSecondary,
    /// `3` processed as tertiary.
    ProcessedAsTertiary,
    /// `4` denied.
    Denied,
    /// `19` processed as primary, forwarded to additional payer(s).
    PrimaryForwarded,
    /// `20` processed as secondary, forwarded.
    SecondaryForwarded,
    /// `21` processed as tertiary, forwarded.
    TertiaryForwarded,
    /// `22` reversal of previous payment.
    Reversal,
    /// `23` not our claim, forwarded to additional payer(s).
    NotOurClaimForwarded,
    /// `25` predetermination pricing only, no payment.
    PredeterminationOnly,
}

impl ClaimStatus {
    /// Reads a CLP02 code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "1" => Self::ProcessedAsPrimary,
            "2" => Self::ProcessedAsSecondary,
            "3" => Self::ProcessedAsTertiary,
            "4" => Self::Denied,
            "19" => Self::PrimaryForwarded,
            "20" => Self::SecondaryForwarded,
            "21" => Self::TertiaryForwarded,
            "22" => Self::Reversal,
            "23" => Self::NotOurClaimForwarded,
            "25" => Self::PredeterminationOnly,
            _ => return None,
        })
    }

    /// The CLP02 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProcessedAsPrimary => "1",
            Self::ProcessedAsSecondary => "2",
            Self::ProcessedAsTertiary => "3",
            Self::Denied => "4",
            Self::PrimaryForwarded => "19",
            Self::SecondaryForwarded => "20",
            Self::TertiaryForwarded => "21",
            Self::Reversal => "22",
            Self::NotOurClaimForwarded => "23",
            Self::PredeterminationOnly => "25",
        }
    }
}

/// One reason/amount pair of a PLB segment: money the payer takes or gives
/// at provider level (positive amounts reduce the payment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderAdjustment {
    /// PLB01: provider identifier.
    pub provider_id: Text,
    /// PLB02: last day of the provider's fiscal period.
    pub fiscal_period_end: Date,
    /// Reason code, e.g. `WO` overpayment recovery, `FB` forwarding balance,
    /// `L6` interest, `72` authorized return.
    pub reason: Text,
    /// Reference (e.g. the claim's ICN for WO), the composite's second part.
    pub reference: Option<Text>,
    /// The amount.
    pub amount: Amount,
}

impl ProviderAdjustment {
    /// Reads every pair of a PLB segment (PLB03/04 ... PLB13/14).
    pub fn read_plb(seg: &Segment<'_>, into: &mut Vec<ProviderAdjustment>) -> Result<(), X12Error> {
        let provider_id = seg.req(1)?;
        let fiscal_period_end = seg.date(2)?;
        seg.req(3)?;
        for n in (3..=13).step_by(2) {
            if seg.opt(n).is_none() {
                continue;
            }
            let reason = seg.component(n, 1);
            if reason.is_empty() {
                return Err(seg.component_error(n, 1, crate::error::ErrorKind::MissingElement));
            }
            into.push(ProviderAdjustment {
                provider_id: provider_id.into(),
                fiscal_period_end,
                reason: reason.into(),
                reference: Some(seg.component(n, 2))
                    .filter(|r| !r.is_empty())
                    .map(Into::into),
                amount: seg.amount(n + 1)?,
            });
        }
        Ok(())
    }
}
