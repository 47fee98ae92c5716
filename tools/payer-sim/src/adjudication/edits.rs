//! Denials: the reasons, the CARC group and remark each is sent with, and
//! how each is decided — from the claim itself (coverage dates, the filing
//! limit, a duplicate, bundled pairs, excluded diagnoses, missing
//! authorization, codes the plan does not cover) or by a draw at the
//! contract's configured rate.

use crate::adjudication::{Circumstances, Terms};
use crate::cas::Group;
use crate::claim::{ClaimType, Rank, SubmittedClaim, SubmittedLine};
use crate::config::Contract;
use crate::draws::hits;

/// Modifiers that say two services of a bundled pair were distinct (NCCI
/// "bypass" modifiers).
pub const BYPASS_MODIFIERS: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

/// Why a claim or a line is not paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// CO-16 + MA130: information missing (drawn).
    MissingInformation,
    /// CO-16 + M76: the line's diagnosis is an unspecified code the
    /// contract excludes. CO-16 rather than CO-50: the service may well be
    /// necessary; what is missing is the specific diagnosis, and the claim
    /// is paid once it is re-coded and sent again.
    UnspecifiedDiagnosis,
    /// CO-16 + MA04: a secondary claim without the prior payer's decision.
    PriorPayerMissing,
    /// CO-50: not medically necessary (drawn).
    MedicalNecessity,
    /// CO-97 + M15: the column-2 code of a bundled pair, billed without a
    /// bypass modifier (or drawn).
    Bundled,
    /// CO-236 + N20: the column-2 code of a pair never paid together.
    Incompatible,
    /// CO-29: filed after the contract's limit (or drawn).
    TimelyFiling,
    /// CO-18: the same claim was paid already (or drawn).
    Duplicate,
    /// CO-197: no prior authorization (or drawn).
    Authorization,
    /// CO-26: services before coverage started.
    CoverageNotStarted,
    /// CO-27: services after coverage ended (or drawn).
    CoverageEnded,
    /// PR-204: not covered by the plan, the patient's (or drawn).
    NotCovered,
}

/// The claim-level reasons drawn at random, in the order of
/// [`crate::config::DenialRates::claim_level`].
const DRAWN: [Denial; 7] = [
    Denial::MissingInformation,
    Denial::MedicalNecessity,
    Denial::TimelyFiling,
    Denial::Duplicate,
    Denial::Authorization,
    Denial::CoverageEnded,
    Denial::NotCovered,
];

impl Denial {
    /// CAS01 of the denial.
    pub fn group(self) -> Group {
        match self {
            Denial::NotCovered => Group::Patient,
            _ => Group::Contractual,
        }
    }

    /// The CARC.
    pub fn reason(self) -> &'static str {
        match self {
            Denial::MissingInformation
            | Denial::UnspecifiedDiagnosis
            | Denial::PriorPayerMissing => "16",
            Denial::MedicalNecessity => "50",
            Denial::Bundled => "97",
            Denial::Incompatible => "236",
            Denial::TimelyFiling => "29",
            Denial::Duplicate => "18",
            Denial::Authorization => "197",
            Denial::CoverageNotStarted => "26",
            Denial::CoverageEnded => "27",
            Denial::NotCovered => "204",
        }
    }

    /// The RARC sent with it (LQ*HE), when one explains it.
    pub fn remark(self) -> Option<&'static str> {
        match self {
            Denial::MissingInformation => Some("MA130"),
            Denial::UnspecifiedDiagnosis => Some("M76"),
            Denial::PriorPayerMissing => Some("MA04"),
            Denial::Bundled => Some("M15"),
            Denial::Incompatible => Some("N20"),
            Denial::MedicalNecessity
            | Denial::TimelyFiling
            | Denial::Duplicate
            | Denial::Authorization
            | Denial::CoverageNotStarted
            | Denial::CoverageEnded
            | Denial::NotCovered => None,
        }
    }

    /// `CO-97`: how the record names it.
    pub fn key(self) -> String {
        format!("{}-{}", self.group().code(), self.reason())
    }
}

/// A denial of the whole claim, if any: a duplicate, coverage dates, the
/// filing limit and a missing prior payer are decided from the claim; the
/// other reasons are drawn at the contract's rates.
pub(crate) fn claim_denial(
    claim: &SubmittedClaim,
    terms: &Terms<'_>,
    facts: &Circumstances,
) -> Option<Denial> {
    if facts.duplicate {
        return Some(Denial::Duplicate);
    }
    let member = terms.member;
    if claim
        .lines
        .iter()
        .any(|l| l.service_date < member.coverage_start)
    {
        return Some(Denial::CoverageNotStarted);
    }
    if claim
        .lines
        .iter()
        .any(|l| !member.covered_on(l.service_date))
    {
        return Some(Denial::CoverageEnded);
    }
    if let (Some(limit), Some(first)) = (
        terms.contract.timely_filing_days,
        claim.first_service_date(),
    ) && facts.received_on.days_after(first) > i64::from(limit)
    {
        return Some(Denial::TimelyFiling);
    }
    if claim.rank != Rank::Primary && claim.prior_payer.is_none() {
        return Some(Denial::PriorPayerMissing);
    }
    let mut below = 0u32;
    for (reason, rate) in DRAWN.iter().zip(terms.contract.denial_rates.claim_level()) {
        below = below.saturating_add(crate::draws::ppm(rate));
        if facts.claim_draw < below {
            return Some(*reason);
        }
    }
    None
}

/// The denial of each line decided from the claim's own codes, then the
/// drawn bundling denial of the last line.
pub(crate) fn line_denials(
    claim: &SubmittedClaim,
    contract: &Contract,
    bundling_draw: u32,
) -> Vec<Option<Denial>> {
    let listed =
        |list: &[String], code: Option<&str>| code.is_some_and(|c| list.iter().any(|x| x == c));
    let mut denials: Vec<Option<Denial>> = claim
        .lines
        .iter()
        .map(|line| {
            let code = line.procedure_code.as_deref();
            if listed(&contract.not_covered, code) {
                Some(Denial::NotCovered)
            } else if listed(&contract.authorization_required, code)
                && claim.prior_authorization.is_none()
            {
                Some(Denial::Authorization)
            } else if excluded_diagnosis(claim, line, contract) {
                Some(Denial::UnspecifiedDiagnosis)
            } else {
                None
            }
        })
        .collect();
    for pair in &contract.bundled_pairs {
        for (i, component) in claim.lines.iter().enumerate() {
            if denials[i].is_some() || component.procedure_code.as_deref() != Some(&pair.column2) {
                continue;
            }
            let comprehensive = claim.lines.iter().enumerate().find(|(j, l)| {
                *j != i
                    && l.procedure_code.as_deref() == Some(&pair.column1)
                    && l.service_date == component.service_date
            });
            let Some((_, comprehensive)) = comprehensive else {
                continue;
            };
            if !pair.modifier_allowed {
                denials[i] = Some(Denial::Incompatible);
            } else if !bypassed(component) && !bypassed(comprehensive) {
                denials[i] = Some(Denial::Bundled);
            }
        }
    }
    let last = claim.lines.len().saturating_sub(1);
    if claim.lines.len() >= 2
        && denials[last].is_none()
        && hits(bundling_draw, contract.denial_rates.bundling)
    {
        denials[last] = Some(Denial::Bundled);
    }
    denials
}

fn bypassed(line: &SubmittedLine) -> bool {
    line.modifiers
        .iter()
        .any(|m| BYPASS_MODIFIERS.contains(&m.as_str()))
}

/// Whether the diagnosis a line is for is one the contract excludes: the
/// first diagnosis the line points to on an 837P (the principal one when
/// it points to none), the principal diagnosis on an 837I.
fn excluded_diagnosis(claim: &SubmittedClaim, line: &SubmittedLine, contract: &Contract) -> bool {
    let index = match claim.claim_type {
        ClaimType::Professional => line
            .diagnosis_pointers
            .first()
            .map_or(0, |p| usize::from(*p).saturating_sub(1)),
        ClaimType::Institutional => 0,
    };
    let normalize = |code: &str| code.replace('.', "").to_ascii_uppercase();
    claim.diagnoses.get(index).is_some_and(|code| {
        let code = normalize(code);
        contract
            .excluded_diagnoses
            .iter()
            .any(|x| normalize(x) == code)
    })
}
