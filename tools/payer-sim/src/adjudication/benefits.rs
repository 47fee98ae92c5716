//! Pricing and the member's share: the allowed amount from the contract,
//! then copay, deductible and coinsurance from the plan, capped by what is
//! left of the yearly out-of-pocket maximum, with the member's running
//! totals carried from claim to claim.

use serde::{Deserialize, Serialize};

use crate::claim::SubmittedLine;
use crate::config::{Contract, Plan};
use crate::money;

/// What a member has paid towards a plan year so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accumulator {
    /// Deductible met, in cents.
    pub deductible_met: i64,
    /// Copay, deductible and coinsurance paid, in cents.
    pub out_of_pocket_met: i64,
}

/// The allowed amount of a line: the fee schedule amount for its
/// procedure (else its revenue code) times its units times the contract's
/// fee schedule percentage, or, for a code the schedule does not list, its
/// charge times the billed percentage; rounded once by the crate's rule
/// and never more than the charge.
pub fn allowed(line: &SubmittedLine, contract: &Contract) -> i64 {
    let listed = line
        .procedure_code
        .as_deref()
        .and_then(|c| contract.fee_schedule_cents.get(c))
        .or_else(|| {
            line.revenue_code
                .as_deref()
                .and_then(|c| contract.fee_schedule_cents.get(c))
        });
    let priced = match listed {
        Some(per_unit) => money::apply(*per_unit, line.units * contract.fee_schedule_percent),
        None => money::apply(line.charge, contract.billed_percent),
    };
    priced.clamp(0, line.charge.max(0))
}

/// The member's share of one line's allowed amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    /// PR-3.
    pub copay: i64,
    /// PR-1.
    pub deductible: i64,
    /// PR-2.
    pub coinsurance: i64,
}

impl Share {
    /// Copay, deductible and coinsurance together.
    pub fn total(self) -> i64 {
        self.copay + self.deductible + self.coinsurance
    }
}

/// Prices a claim's lines in order against a plan, carrying the member's
/// totals: copay once per claim on the first line with an allowed amount,
/// then the deductible left, then coinsurance on the rest, none of it past
/// the out-of-pocket maximum.
#[derive(Debug, Clone)]
pub struct MemberShare<'p> {
    plan: &'p Plan,
    totals: Accumulator,
    copay_taken: bool,
}

impl<'p> MemberShare<'p> {
    /// Starts a claim for a member whose plan year stands at `totals`.
    pub fn new(plan: &'p Plan, totals: Accumulator) -> Self {
        MemberShare {
            plan,
            totals,
            copay_taken: false,
        }
    }

    /// The member's share of `allowed`, added to the running totals.
    pub fn share(&mut self, allowed: i64) -> Share {
        let plan = self.plan;
        let mut room = plan
            .out_of_pocket_max_cents
            .map_or(i64::MAX, |max| (max - self.totals.out_of_pocket_met).max(0));
        let mut share = Share::default();
        if !self.copay_taken && allowed > 0 {
            self.copay_taken = true;
            share.copay = plan.copay_cents.min(allowed).min(room);
            room -= share.copay;
        }
        let rest = allowed - share.copay;
        let deductible_left = (plan.deductible_cents - self.totals.deductible_met).max(0);
        share.deductible = rest.min(deductible_left).min(room).max(0);
        room -= share.deductible;
        share.coinsurance = money::apply(rest - share.deductible, plan.coinsurance)
            .min(room)
            .max(0);
        self.totals.deductible_met += share.deductible;
        self.totals.out_of_pocket_met += share.total();
        share
    }

    /// The totals after the lines priced so far.
    pub fn totals(&self) -> Accumulator {
        self.totals
    }
}
