//! Adjudication, as pure functions: a claim, the payer's contract, the
//! member's plan and enrollment, the member's totals so far and a few
//! facts from outside the claim (when it arrived, whether it duplicates a
//! paid claim, the draws) go in; what each line is allowed, paid and
//! adjusted, the denials, the interest and the member's new totals come
//! out. No I/O, no randomness of its own: the same inputs give the same
//! adjudication.
//!
//! Per line, in cents: `charge − allowed` is CO-45; the member's share of
//! the allowed amount is PR-3 (copay), PR-1 (deductible) and PR-2
//! (coinsurance); the payer pays the rest. A denied line carries its whole
//! charge in one adjustment (e.g. CO-97) and pays nothing. So every line
//! balances (charge − paid = its adjustments) and so does the claim.

mod benefits;
mod cob;
mod edits;

use medbill_kernel::CalendarDate;
use serde::{Deserialize, Serialize};

pub use benefits::{Accumulator, MemberShare, Share, allowed};
pub use cob::{prior_patient_shares, secondary_line};
pub use edits::{BYPASS_MODIFIERS, Denial};

use crate::cas::{Cas, Group};
use crate::claim::{Rank, SubmittedClaim, patient_total};
use crate::config::{Contract, Member, Plan};
use crate::draws::hits;
use crate::money;

/// What the payer agreed to and what the member bought.
#[derive(Debug, Clone, Copy)]
pub struct Terms<'a> {
    /// The payer's contract with the provider.
    pub contract: &'a Contract,
    /// The member's plan.
    pub plan: &'a Plan,
    /// The member's enrollment.
    pub member: &'a Member,
}

/// Facts about a claim from outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circumstances {
    /// When the payer received it.
    pub received_on: CalendarDate,
    /// It bills the same services (same patient control number, dates and
    /// codes) as a claim already paid and not reversed.
    pub duplicate: bool,
    /// The draw (parts per million) against the claim-level denial rates.
    pub claim_draw: u32,
    /// The draw against the bundling rate.
    pub bundling_draw: u32,
    /// The draw against the interest rate.
    pub interest_draw: u32,
}

/// The decision on one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDecision {
    /// Allowed amount (0 when denied), sent as AMT*B6.
    pub allowed: i64,
    /// What the payer pays (SVC03).
    pub paid: i64,
    /// The line's adjustments: together they are `charge − paid`.
    pub adjustments: Vec<Cas>,
    /// RARCs (LQ*HE).
    pub remarks: Vec<String>,
}

/// The decision on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjudication {
    /// CLP02: `1`/`2`/`3` processed as primary/secondary/tertiary, `4`
    /// every line denied.
    pub status: String,
    /// One decision per line, in order.
    pub lines: Vec<LineDecision>,
    /// The denials, as `CO-97`, in order, once each.
    pub denials: Vec<String>,
    /// Interest paid on the claim (PLB L6), in cents.
    pub interest: i64,
    /// The member's plan-year totals after this claim.
    pub totals: Accumulator,
}

impl Adjudication {
    /// CLP04.
    pub fn paid(&self) -> i64 {
        self.lines.iter().map(|l| l.paid).sum()
    }

    /// The allowed amounts together.
    pub fn allowed(&self) -> i64 {
        self.lines.iter().map(|l| l.allowed).sum()
    }

    /// CLP05: the PR adjustments together.
    pub fn patient_responsibility(&self) -> i64 {
        self.lines
            .iter()
            .map(|l| patient_total(&l.adjustments))
            .sum()
    }
}

/// Adjudicates `claim` for a member whose plan year stands at `totals`.
pub fn adjudicate(
    claim: &SubmittedClaim,
    terms: &Terms<'_>,
    totals: Accumulator,
    facts: &Circumstances,
) -> Adjudication {
    let contract = terms.contract;
    let whole_claim = edits::claim_denial(claim, terms, facts);
    let line_denials = edits::line_denials(claim, contract, facts.bundling_draw);
    let prior_shares = if claim.rank == Rank::Primary {
        None
    } else {
        prior_patient_shares(claim)
    };
    let mut member = MemberShare::new(terms.plan, totals);
    let mut denials: Vec<String> = Vec::new();
    let mut lines = Vec::with_capacity(claim.lines.len());
    let mut denied = 0;
    for (i, line) in claim.lines.iter().enumerate() {
        if let Some(denial) = whole_claim.or(line_denials[i]) {
            denied += 1;
            let key = denial.key();
            if !denials.contains(&key) {
                denials.push(key);
            }
            lines.push(LineDecision {
                allowed: 0,
                paid: 0,
                adjustments: vec![Cas::new(denial.group(), denial.reason(), line.charge)],
                remarks: denial.remark().map(String::from).into_iter().collect(),
            });
            continue;
        }
        let allowed = allowed(line, contract);
        let share = member.share(allowed);
        let as_primary = allowed - share.total();
        let (paid, adjustments) = match &prior_shares {
            Some(shares) => {
                let prior = shares.get(i).map_or(&[][..], Vec::as_slice);
                secondary_line(line.charge, as_primary, prior)
            }
            None => (as_primary, primary_adjustments(line.charge, allowed, share)),
        };
        lines.push(LineDecision {
            allowed,
            paid,
            adjustments,
            remarks: Vec::new(),
        });
    }
    let status = if denied > 0 && denied == lines.len() {
        "4"
    } else {
        claim.rank.processed_code()
    };
    let paid: i64 = lines.iter().map(|l| l.paid).sum();
    let adjustments = &contract.adjustments;
    let interest = if paid > 0 && hits(facts.interest_draw, adjustments.interest_rate) {
        money::apply(paid, adjustments.interest_percent).max(0)
    } else {
        0
    };
    Adjudication {
        status: status.into(),
        lines,
        denials,
        interest,
        totals: member.totals(),
    }
}

/// A primary line's adjustments: CO-45 for what the contract does not
/// allow, then the member's copay, deductible and coinsurance.
fn primary_adjustments(charge: i64, allowed: i64, share: Share) -> Vec<Cas> {
    [
        (Group::Contractual, "45", charge - allowed),
        (Group::Patient, "3", share.copay),
        (Group::Patient, "1", share.deductible),
        (Group::Patient, "2", share.coinsurance),
    ]
    .into_iter()
    .filter(|(_, _, amount)| *amount != 0)
    .map(|(group, reason, amount)| Cas::new(group, reason, amount))
    .collect()
}

#[cfg(test)]
mod tests;
