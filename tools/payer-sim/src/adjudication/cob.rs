//! Coordination of benefits for a secondary (or tertiary) claim: the
//! payer prices each line as if it were primary, then pays the lesser of
//! that and what the prior payer left to the patient on the line — never
//! more than the patient's remaining responsibility. What the patient still
//! owes keeps the prior payer's reasons (deductible, coinsurance, copay,
//! reduced in that order by this payment); the rest of the charge is OA-23
//! (the prior payer's payment and adjustments).

use crate::cas::{Cas, Group};
use crate::claim::{SubmittedClaim, patient_total};
use crate::money;

/// The prior payer's patient responsibility on each line: its 2430 PR
/// adjustments when every line has a 2430, else its claim-level (2320) PR
/// adjustments spread over the lines in proportion to their charges, reason
/// by reason, to the cent. `None` when the claim names no prior payer.
pub fn prior_patient_shares(claim: &SubmittedClaim) -> Option<Vec<Vec<Cas>>> {
    let prior = claim.prior_payer.as_ref()?;
    if claim.lines.iter().all(|l| l.prior.is_some()) {
        return Some(
            claim
                .lines
                .iter()
                .map(|l| {
                    l.prior.as_ref().map_or_else(Vec::new, |p| {
                        p.adjustments
                            .iter()
                            .filter(|c| c.group == Group::Patient)
                            .cloned()
                            .collect()
                    })
                })
                .collect(),
        );
    }
    let weights: Vec<i64> = claim.lines.iter().map(|l| l.charge).collect();
    let mut shares = vec![Vec::new(); claim.lines.len()];
    for c in prior
        .adjustments
        .iter()
        .filter(|c| c.group == Group::Patient)
    {
        for (line, part) in shares.iter_mut().zip(money::split(c.amount, &weights)) {
            if part != 0 {
                line.push(Cas::new(Group::Patient, &c.reason, part));
            }
        }
    }
    Some(shares)
}

/// One line of a secondary claim: what this payer pays and the line's
/// adjustments, given its charge, what it would pay as primary and what the
/// prior payer left to the patient.
pub fn secondary_line(charge: i64, as_primary: i64, prior_patient: &[Cas]) -> (i64, Vec<Cas>) {
    let left_to_patient = patient_total(prior_patient);
    let paid = as_primary.min(left_to_patient).max(0);
    let mut covered = paid;
    let mut remaining = Vec::new();
    for c in prior_patient {
        let part = covered.min(c.amount.max(0));
        covered -= part;
        if c.amount - part != 0 {
            remaining.push(Cas::new(Group::Patient, &c.reason, c.amount - part));
        }
    }
    let other = charge - paid - patient_total(&remaining);
    let mut adjustments = Vec::with_capacity(remaining.len() + 1);
    if other != 0 {
        adjustments.push(Cas::new(Group::Other, "23", other));
    }
    adjustments.extend(remaining);
    (paid, adjustments)
}
