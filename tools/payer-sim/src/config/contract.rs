//! A payer's contract with the provider: how the allowed amount is priced,
//! which services and codes it refuses, how often it denies for each
//! reason, and how often it corrects, pays interest or takes money back.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::decimal;

/// What one payer pays and refuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Fee schedule: procedure (HCPCS/CPT) or revenue code → cents per
    /// unit before the contract percentage.
    #[serde(default)]
    pub fee_schedule_cents: BTreeMap<String, i64>,
    /// The allowed amount as a share of the fee schedule (`"0.80"` is 80%).
    #[serde(with = "decimal")]
    pub fee_schedule_percent: Decimal,
    /// The allowed amount as a share of the billed charge, for a code the
    /// fee schedule does not list.
    #[serde(with = "decimal")]
    pub billed_percent: Decimal,
    /// Days from the date of service within which a claim must arrive;
    /// later claims are denied CO-29. `None`: no limit.
    #[serde(default)]
    pub timely_filing_days: Option<u32>,
    /// Procedure pairs not paid together on one date of service (like
    /// NCCI procedure-to-procedure edits).
    #[serde(default)]
    pub bundled_pairs: Vec<BundledPair>,
    /// Unspecified diagnosis codes (no dot, e.g. `R69`) the contract does
    /// not accept as the reason for a service: such a line is denied CO-16
    /// with remark M76 (the diagnosis needs its specific code).
    #[serde(default)]
    pub excluded_diagnoses: Vec<String>,
    /// Procedure codes paid only with a prior authorization (REF*G1);
    /// without one the line is denied CO-197.
    #[serde(default)]
    pub authorization_required: Vec<String>,
    /// Procedure codes the plan does not cover: the line is the patient's
    /// (PR-204).
    #[serde(default)]
    pub not_covered: Vec<String>,
    /// How often each denial is drawn at random.
    #[serde(default)]
    pub denial_rates: DenialRates,
    /// Corrections, interest and their amounts.
    #[serde(default)]
    pub adjustments: PaymentAdjustments,
}

/// Two procedures billed on one date of service where the column-2 code
/// is part of the column-1 code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledPair {
    /// The comprehensive code, which is paid.
    pub column1: String,
    /// The component code, which is denied.
    pub column2: String,
    /// Whether a bypass modifier (59, XE, XS, XP, XU) on either line lets
    /// both be paid (the NCCI modifier indicator 1). When false the pair
    /// is never paid together and the column-2 line is denied CO-236.
    #[serde(default = "yes")]
    pub modifier_allowed: bool,
}

fn yes() -> bool {
    true
}

/// The share of claims (0 to 1, as strings) denied for each reason by a
/// draw. The claim-level reasons together must not exceed 1. These come on
/// top of the denials decided from the claim itself (bundled pairs,
/// excluded diagnoses, missing authorization, coverage dates, filing
/// limit, a duplicate of a paid claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenialRates {
    /// CO-16 with MA130: the whole claim, information missing.
    #[serde(default, with = "decimal")]
    pub missing_information: Decimal,
    /// CO-50: the whole claim, not medically necessary.
    #[serde(default, with = "decimal")]
    pub medical_necessity: Decimal,
    /// CO-29: the whole claim, filed too late.
    #[serde(default, with = "decimal")]
    pub timely_filing: Decimal,
    /// CO-18: the whole claim, a duplicate.
    #[serde(default, with = "decimal")]
    pub duplicate: Decimal,
    /// CO-197: the whole claim, no authorization.
    #[serde(default, with = "decimal")]
    pub authorization: Decimal,
    /// CO-27: the whole claim, coverage ended.
    #[serde(default, with = "decimal")]
    pub coverage_ended: Decimal,
    /// PR-204: the whole claim, not covered by the plan.
    #[serde(default, with = "decimal")]
    pub not_covered: Decimal,
    /// CO-97 with M15 on the last line of a claim of two lines or more:
    /// bundled into the others (drawn separately from the claim-level
    /// reasons).
    #[serde(default, with = "decimal")]
    pub bundling: Decimal,
}

/// What happens to payments after the first adjudication, drawn at rates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentAdjustments {
    /// Share of remittances in which the payer reverses one claim it paid
    /// in an earlier remittance (CLP02 22) and pays it again corrected.
    #[serde(default, with = "decimal")]
    pub reversal_rate: Decimal,
    /// How much of the earlier payment the correction takes back (moved to
    /// CO-45): `"0.10"` pays 90% of what was paid.
    #[serde(default, with = "decimal")]
    pub correction_percent: Decimal,
    /// Share of paid claims on which the payer also pays interest (PLB L6
    /// naming the claim).
    #[serde(default, with = "decimal")]
    pub interest_rate: Decimal,
    /// The interest as a share of the claim payment.
    #[serde(default, with = "decimal")]
    pub interest_percent: Decimal,
}

impl DenialRates {
    /// The claim-level rates in the order they are drawn.
    pub(crate) fn claim_level(&self) -> [Decimal; 7] {
        [
            self.missing_information,
            self.medical_necessity,
            self.timely_filing,
            self.duplicate,
            self.authorization,
            self.coverage_ended,
            self.not_covered,
        ]
    }
}

impl Contract {
    /// Checks rates and amounts; the error names the field under `path`.
    pub(crate) fn check(&self, path: &str) -> Result<(), String> {
        let share = |name: &str, v: Decimal, max: Decimal| {
            if v.is_sign_negative() || v > max {
                Err(format!("{path}.{name}: must be between 0 and {max}"))
            } else {
                Ok(())
            }
        };
        let one = Decimal::ONE;
        share(
            "fee_schedule_percent",
            self.fee_schedule_percent,
            Decimal::TEN,
        )?;
        share("billed_percent", self.billed_percent, one)?;
        for (code, cents) in &self.fee_schedule_cents {
            if *cents < 0 {
                return Err(format!(
                    "{path}.fee_schedule_cents.{code}: must not be negative"
                ));
            }
        }
        let r = &self.denial_rates;
        for (name, v) in [
            ("missing_information", r.missing_information),
            ("medical_necessity", r.medical_necessity),
            ("timely_filing", r.timely_filing),
            ("duplicate", r.duplicate),
            ("authorization", r.authorization),
            ("coverage_ended", r.coverage_ended),
            ("not_covered", r.not_covered),
            ("bundling", r.bundling),
        ] {
            share(&format!("denial_rates.{name}"), v, one)?;
        }
        let total: Decimal = r.claim_level().iter().sum();
        if total > one {
            return Err(format!(
                "{path}.denial_rates: the claim-level rates add up to {total}, more than 1"
            ));
        }
        let a = &self.adjustments;
        for (name, v) in [
            ("reversal_rate", a.reversal_rate),
            ("correction_percent", a.correction_percent),
            ("interest_rate", a.interest_rate),
            ("interest_percent", a.interest_percent),
        ] {
            share(&format!("adjustments.{name}"), v, one)?;
        }
        for (n, pair) in self.bundled_pairs.iter().enumerate() {
            if pair.column1.is_empty() || pair.column2.is_empty() || pair.column1 == pair.column2 {
                return Err(format!(
                    "{path}.bundled_pairs[{n}]: two different procedure codes"
                ));
            }
        }
        Ok(())
    }
}
