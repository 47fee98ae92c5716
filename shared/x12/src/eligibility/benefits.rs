//! The typed 271 eligibility response: coverage, benefits (EB) and the
//! AAA rejections a payer sends when it cannot answer.

use serde::Serialize;

use crate::claim::Sex;
use crate::common::{DateRef, Entity, Reference};
use crate::remit::Procedure;
use crate::values::{Amount, Date, Phi, Quantity};

/// One 271 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityResponse {
    /// ST02.
    pub control_number: String,
    /// BHT03: the 270's reference, echoed.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// Loop 2100A NM1*PR.
    pub payer: Option<Entity>,
    /// AAA in loops 2000A/2100A: the payer could not answer at all.
    pub payer_rejections: Vec<Rejection>,
    /// Loop 2100B NM1: the inquiring provider.
    pub receiver: Option<Entity>,
    /// AAA in loop 2100B: the provider was not recognized.
    pub receiver_rejections: Vec<Rejection>,
    /// Loops 2000C (subscriber) and 2000D (dependent), in order.
    pub members: Vec<CoverageReport>,
}

/// Loops 2000C-2120C (or 2000D-2120D): one member's coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// HL01.
    pub hl_id: String,
    /// HL03 `23`: a dependent of the subscriber above.
    pub dependent: bool,
    /// TRN segments; TRN01 `2` echoes the 270's trace, `1` is the payer's.
    pub traces: Vec<EligibilityTrace>,
    /// NM1*IL (or NM1*03 for a dependent), as the payer has it on file.
    pub member: Option<Entity>,
    /// DMG02.
    pub birth_date: Option<Phi<Date>>,
    /// DMG03.
    pub sex: Option<Sex>,
    /// REF segments (group number, plan number, ...).
    pub references: Vec<Reference>,
    /// DTP segments (346 plan begin, 356 eligibility begin, 291 plan, ...).
    pub dates: Vec<DateRef>,
    /// AAA in loop 2100C/D: the member could not be found or the inquiry
    /// was not valid.
    pub rejections: Vec<Rejection>,
    /// EB loops (2110C/D).
    pub benefits: Vec<Benefit>,
}

/// TRN: a trace number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityTrace {
    /// TRN01: `1` current transaction (the payer's), `2` referenced (ours).
    pub kind: String,
    /// TRN02.
    pub number: String,
    /// TRN03.
    pub originator: String,
}

/// AAA: a request validation failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// AAA01: whether the request itself was valid (`Y`) or not (`N`).
    pub valid_request: bool,
    /// AAA03: reject reason, e.g. `72` invalid member id, `75` subscriber
    /// not found, `42` unable to respond at current time.
    pub reason: String,
    /// AAA04: follow-up action, e.g. `C` please correct and resubmit,
    /// `R` resubmission allowed.
    pub follow_up: Option<String>,
}

/// EB01: the kind of benefit information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitKind {
    /// `1`-`5`: active coverage (with or without risk or capitation).
    ActiveCoverage,
    /// `6`-`8`: inactive coverage (or pending investigation).
    InactiveCoverage,
    /// `A`: coinsurance (EB08 percent).
    Coinsurance,
    /// `B`: co-payment (EB07 amount).
    CoPayment,
    /// `C`: deductible.
    Deductible,
    /// `D`: benefit description.
    BenefitDescription,
    /// `E`: exclusions.
    Exclusions,
    /// `F`: limitations.
    Limitations,
    /// `G`: out of pocket (stop loss).
    OutOfPocket,
    /// `H`: unlimited.
    Unlimited,
    /// `I`: non-covered.
    NonCovered,
    /// `J`: cost containment.
    CostContainment,
    /// Any other EB01 code (`K`-`Y`, `CB`, `MC`); the code is kept in
    /// [`Benefit::code`].
    Other,
}

impl BenefitKind {
    /// The kind an EB01 code names.
    pub fn from_code(code: &str) -> Self {
        match code {
            "1" | "2" | "3" | "4" | "5" => Self::ActiveCoverage,
            "6" | "7" | "8" => Self::InactiveCoverage,
            "A" => Self::Coinsurance,
            "B" => Self::CoPayment,
            "C" => Self::Deductible,
            "D" => Self::BenefitDescription,
            "E" => Self::Exclusions,
            "F" => Self::Limitations,
            "G" => Self::OutOfPocket,
            "H" => Self::Unlimited,
            "I" => Self::NonCovered,
            "J" => Self::CostContainment,
            _ => Self::Other,
        }
    }
}

/// Loop 2110C/D (EB and what follows it): one benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Benefit {
    /// EB01.
    pub code: String,
    /// EB01 as a kind.
    pub kind: BenefitKind,
    /// EB02: `IND` individual, `FAM` family, `EMP` employee only, ...
    pub coverage_level: Option<String>,
    /// EB03 (repeating): service type codes, e.g. `30`, `98`, `UC`.
    pub service_types: Vec<String>,
    /// EB04: insurance type, e.g. `HM` HMO, `MB` Medicare Part B.
    pub insurance_type: Option<String>,
    /// EB05: plan coverage description.
    pub plan_description: Option<String>,
    /// EB06: time period qualifier, e.g. `23` calendar year, `27` visit,
    /// `29` remaining, `32` lifetime.
    pub time_period: Option<String>,
    /// EB07: the amount (deductible, copay, out-of-pocket limit).
    pub amount: Option<Amount>,
    /// EB08: the percent as a fraction (`0.2` is 20% coinsurance).
    pub percent: Option<Quantity>,
    /// EB09: quantity qualifier, e.g. `VS` visits, `DY` days.
    pub quantity_qualifier: Option<String>,
    /// EB10.
    pub quantity: Option<Quantity>,
    /// EB11: authorization or certification required (`Y`, `N`, `U`).
    pub authorization_required: Option<String>,
    /// EB12: in plan network (`Y`, `N`, `U`, `W` not applicable).
    pub in_network: Option<String>,
    /// EB13: the procedure the benefit applies to.
    pub procedure: Option<Procedure>,
    /// DTP segments of the loop.
    pub dates: Vec<DateRef>,
    /// REF segments of the loop.
    pub references: Vec<Reference>,
    /// MSG01 texts.
    pub messages: Vec<String>,
    /// AAA in loop 2110C/D.
    pub rejections: Vec<Rejection>,
    /// Loop 2120C/D NM1 (inside LS/LE): a related entity such as the
    /// primary care provider or another payer.
    pub related_entities: Vec<Entity>,
}
