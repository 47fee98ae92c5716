//! What a statement holds: the claims insurance has finished with, their
//! patient balances aged by date of service, and the statement's figures.

use std::collections::BTreeSet;

use medbill_kernel::{CalendarDate, Money, MoneyError};

use crate::reporting::domain::{Buckets, bucket};

medbill_kernel::typed_id!(
    /// A statement.
    StatementId,
    "statement"
);

/// One claim of a guarantor with its figures from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountClaim {
    /// The claim.
    pub claim_id: String,
    /// The encounter it bills (a secondary claim shares its primary's).
    pub encounter_id: String,
    /// First date of service.
    pub date_of_service: CalendarDate,
    /// Whether billing voided it.
    pub voided: bool,
    /// How many remittance claim payments posted to it (0: not adjudicated).
    pub adjudications: i64,
    /// Procedure or revenue codes of its lines.
    pub description: String,
    /// Gross charges.
    pub charges: Money,
    /// What payers paid.
    pub insurance_paid: Money,
    /// Contractual, other and write-off adjustments.
    pub adjustments: Money,
    /// What the guarantor (or an agency for them) paid on it.
    pub patient_paid: Money,
    /// Insurance AR left.
    pub insurance_due: Money,
    /// Patient AR left.
    pub patient_due: Money,
}

impl AccountClaim {
    /// Whether a payer still has the claim: open, and either owing on it or
    /// not having adjudicated it yet.
    pub fn pending_with_payer(&self) -> bool {
        !self.voided && (!self.insurance_due.is_zero() || self.adjudications == 0)
    }
}

/// The claims a statement may show: those insurance has finished with. A
/// claim still pending with a payer contributes nothing, and neither do the
/// other claims of its encounter (a secondary claim waiting on its payer
/// holds back what the primary left to the patient).
pub fn statable(claims: &[AccountClaim]) -> Vec<&AccountClaim> {
    let pending: BTreeSet<&str> = claims
        .iter()
        .filter(|c| c.pending_with_payer())
        .map(|c| c.encounter_id.as_str())
        .collect();
    claims
        .iter()
        .filter(|c| !pending.contains(c.encounter_id.as_str()) && !c.patient_due.is_zero())
        .collect()
}

/// The patient balances of `claims` by age of their date of service on
/// `as_of` (0–30, 31–60, 61–90, 91–120, 121+ days).
pub fn aging(claims: &[&AccountClaim], as_of: CalendarDate) -> Result<Buckets, MoneyError> {
    let mut out = Buckets::default();
    for claim in claims {
        out.add(
            bucket(as_of.days_after(claim.date_of_service)),
            claim.patient_due,
        )?;
    }
    Ok(out)
}

/// What the run does with an account's statable balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Nothing owed (zero or a credit): no statement.
    NothingDue,
    /// Under the small-balance threshold with no credit on the account:
    /// written off instead of stated.
    WriteOff,
    /// Under the caller's minimum: left for a later run.
    BelowMinimum,
    /// Stated.
    State,
}

/// The disposition of `amount_due` (statable patient AR plus the account's
/// credit, `credit` ≤ 0) against the policy's `small_balance` threshold and
/// the caller's `minimum`.
pub fn dispose(
    amount_due: Money,
    credit: Money,
    small_balance: Money,
    minimum: Money,
) -> Disposition {
    if amount_due.cents() <= 0 {
        Disposition::NothingDue
    } else if amount_due < small_balance && credit.is_zero() {
        Disposition::WriteOff
    } else if amount_due < minimum {
        Disposition::BelowMinimum
    } else {
        Disposition::State
    }
}

/// A statement's summary figures. `new_charges` is the balancing figure:
/// amount due − previous balance + payments + adjustments, i.e. patient
/// responsibility that became due since the previous statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// The previous statement's amount due (zero for a first statement).
    pub previous_balance: Money,
    /// Patient responsibility new since the previous statement.
    pub new_charges: Money,
    /// Patient payments since the previous statement.
    pub payments: Money,
    /// Adjustments of patient balances since the previous statement.
    pub adjustments: Money,
    /// What is owed now.
    pub amount_due: Money,
}

impl Figures {
    /// The figures from the previous balance, activity since it and the
    /// amount due now.
    pub fn new(
        previous_balance: Money,
        payments: Money,
        adjustments: Money,
        amount_due: Money,
    ) -> Result<Figures, MoneyError> {
        let new_charges = amount_due
            .checked_sub(previous_balance)?
            .checked_add(payments)?
            .checked_add(adjustments)?;
        Ok(Figures {
            previous_balance,
            new_charges,
            payments,
            adjustments,
            amount_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, m, d).unwrap()
    }

    fn claim(
        id: &str,
        encounter: &str,
        insurance: i64,
        adjudications: i64,
        patient: i64,
    ) -> AccountClaim {
        AccountClaim {
            claim_id: id.into(),
            encounter_id: encounter.into(),
            date_of_service: day(10, 1),
            voided: false,
            adjudications,
            description: "99213".into(),
            charges: Money::from_cents(10_000),
            insurance_paid: Money::ZERO,
            adjustments: Money::ZERO,
            patient_paid: Money::ZERO,
            insurance_due: Money::from_cents(insurance),
            patient_due: Money::from_cents(patient),
        }
    }

    fn ids(claims: &[&AccountClaim]) -> Vec<String> {
        claims.iter().map(|c| c.claim_id.clone()).collect()
    }

    #[test]
    fn only_claims_insurance_has_finished_with_are_statable() {
        let claims = [
            claim("done", "e1", 0, 1, 3_000),
            claim("unadjudicated", "e2", 10_000, 0, 0),
            claim("denied", "e3", 8_000, 1, 2_000),
            claim("paid_in_full", "e4", 0, 1, 0),
        ];
        assert_eq!(ids(&statable(&claims)), vec!["done"]);
    }

    #[test]
    fn a_secondary_claim_pending_holds_back_its_encounters_primary() {
        let claims = [
            claim("primary", "e1", 0, 1, 3_000),
            claim("secondary", "e1", 0, 0, 0),
        ];
        assert!(statable(&claims).is_empty());
        let mut voided = claim("voided", "e2", 0, 0, 1_000);
        voided.voided = true;
        assert_eq!(ids(&statable(&[voided])), vec!["voided"]);
    }

    #[test]
    fn statement_aging_buckets_each_claim_by_its_date_of_service() {
        let mut old = claim("old", "e1", 0, 1, 2_000);
        old.date_of_service = day(7, 1);
        let mut recent = claim("recent", "e2", 0, 1, 500);
        recent.date_of_service = day(11, 10);
        let mut mid = claim("mid", "e3", 0, 1, 700);
        mid.date_of_service = day(9, 15);
        let buckets = aging(&[&old, &recent, &mid], day(11, 30)).unwrap();
        let cents: Vec<i64> = buckets.0.iter().map(|m| m.cents()).collect();
        assert_eq!(cents, vec![500, 0, 700, 0, 2_000]);
    }

    #[test]
    fn small_balances_without_credit_are_written_off_and_others_stated() {
        let m = Money::from_cents;
        assert_eq!(dispose(m(0), m(0), m(500), m(0)), Disposition::NothingDue);
        assert_eq!(dispose(m(499), m(0), m(500), m(0)), Disposition::WriteOff);
        assert_eq!(dispose(m(499), m(-100), m(500), m(0)), Disposition::State);
        assert_eq!(dispose(m(500), m(0), m(500), m(0)), Disposition::State);
        assert_eq!(
            dispose(m(900), m(0), m(500), m(1_000)),
            Disposition::BelowMinimum
        );
    }

    #[test]
    fn new_charges_balance_the_statement() {
        let m = Money::from_cents;
        let f = Figures::new(m(5_000), m(2_000), m(0), m(4_500)).unwrap();
        assert_eq!(f.new_charges, m(1_500));
    }
}
