//! How a patient payment is spread over an account's claims, and its
//! journal entry.

use medbill_kernel::{AccountId, ClaimId, Money, MoneyError};

use crate::ledger::domain::{EntryBuilder, EntryError, JournalEntry, LedgerAccount, LineRefs};

/// How the guarantor paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Card.
    Card,
    /// Check.
    Check,
    /// Cash.
    Cash,
    /// ACH transfer.
    Ach,
}

impl PaymentMethod {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Check => "check",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Ach => "ach",
        }
    }
}

/// A claim of the account that the guarantor owes on, in payment order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedClaim {
    /// The claim.
    pub claim_id: ClaimId,
    /// Its patient balance (positive: owed).
    pub balance: Money,
}

/// Where a payment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Amount per claim, in order.
    pub claims: Vec<(ClaimId, Money)>,
    /// Amount per claim recovering bad debt written off on it.
    pub recoveries: Vec<(ClaimId, Money)>,
    /// What no claim owes: the account's unapplied credit.
    pub unapplied: Money,
}

/// Spreads `amount` over `owed` (already in payment order: oldest first),
/// never paying a claim more than it owes.
pub fn allocate(amount: Money, owed: &[OwedClaim]) -> Result<Allocation, MoneyError> {
    let mut left = amount;
    let mut claims = Vec::new();
    for claim in owed {
        if left.is_zero() {
            break;
        }
        if claim.balance.cents() <= 0 {
            continue;
        }
        let applied = left.min(claim.balance);
        claims.push((claim.claim_id.clone(), applied));
        left = left.checked_sub(applied)?;
    }
    Ok(Allocation {
        claims,
        recoveries: Vec::new(),
        unapplied: left,
    })
}

/// Spreads what `allocation` left unapplied over bad debt written off on
/// the account's claims (`written_off`: each claim's write-offs net of
/// recoveries, oldest first): a payment after a write-off is a recovery,
/// never a credit, until the bad debt is recovered in full.
pub fn recover(
    mut allocation: Allocation,
    written_off: &[OwedClaim],
) -> Result<Allocation, MoneyError> {
    let rest = allocate(allocation.unapplied, written_off)?;
    allocation.recoveries = rest.claims;
    allocation.unapplied = rest.unapplied;
    Ok(allocation)
}

/// The entry of a payment: cash against each claim's patient AR, cash
/// against bad-debt recovery for bad debt recovered, and cash against
/// unapplied cash for the rest, all tagged with the account.
pub fn payment_entry(
    account_id: &AccountId,
    allocation: &Allocation,
    method: PaymentMethod,
) -> Result<JournalEntry, EntryError> {
    allocation_entry(
        "patient_payment",
        format!("patient payment by {}", method.as_str()),
        account_id,
        allocation,
    )
}

/// The entry of `kind` posting `allocation` (see [`payment_entry`]).
pub fn allocation_entry(
    kind: &'static str,
    memo: String,
    account_id: &AccountId,
    allocation: &Allocation,
) -> Result<JournalEntry, EntryError> {
    let mut entry = EntryBuilder::new(kind, memo);
    for (claim_id, amount) in &allocation.claims {
        let refs = LineRefs {
            claim_id: Some(claim_id.clone()),
            account_id: Some(account_id.clone()),
            ..LineRefs::default()
        };
        entry.transfer(
            *amount,
            (LedgerAccount::Cash, refs.clone()),
            (LedgerAccount::PatientAr, refs),
        )?;
    }
    for (claim_id, amount) in &allocation.recoveries {
        let refs = LineRefs {
            claim_id: Some(claim_id.clone()),
            account_id: Some(account_id.clone()),
            ..LineRefs::default()
        };
        entry.transfer(
            *amount,
            (LedgerAccount::Cash, refs.clone()),
            (LedgerAccount::BadDebtRecovery, refs),
        )?;
    }
    let refs = LineRefs {
        account_id: Some(account_id.clone()),
        ..LineRefs::default()
    };
    entry.transfer(
        allocation.unapplied,
        (LedgerAccount::Cash, refs.clone()),
        (LedgerAccount::UnappliedCash, refs),
    )?;
    entry.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owed(cents: i64) -> OwedClaim {
        OwedClaim {
            claim_id: ClaimId::new(),
            balance: Money::from_cents(cents),
        }
    }

    #[test]
    fn a_payment_pays_the_oldest_claim_first_and_keeps_the_rest_as_credit() {
        let claims = [owed(3_000), owed(0), owed(5_000)];
        let split = allocate(Money::from_cents(10_000), &claims).unwrap();
        let amounts: Vec<i64> = split.claims.iter().map(|(_, m)| m.cents()).collect();
        assert_eq!(amounts, vec![3_000, 5_000]);
        assert_eq!(split.claims[0].0, claims[0].claim_id);
        assert_eq!(split.unapplied, Money::from_cents(2_000));
    }

    #[test]
    fn what_no_claim_owes_recovers_written_off_bad_debt_before_it_is_credit() {
        let claims = [owed(1_000)];
        let written_off = [owed(2_500), owed(500)];
        let split = recover(
            allocate(Money::from_cents(3_200), &claims).unwrap(),
            &written_off,
        )
        .unwrap();
        let recovered: Vec<i64> = split.recoveries.iter().map(|(_, m)| m.cents()).collect();
        assert_eq!(recovered, vec![2_200]);
        assert!(split.unapplied.is_zero());
        let entry = payment_entry(&AccountId::new(), &split, PaymentMethod::Cash).unwrap();
        let recovery: i64 = entry
            .lines
            .iter()
            .filter(|l| l.account == LedgerAccount::BadDebtRecovery)
            .map(|l| l.amount.cents())
            .sum();
        assert_eq!(recovery, -2_200);
    }

    #[test]
    fn a_partial_payment_leaves_later_claims_untouched() {
        let claims = [owed(3_000), owed(5_000)];
        let split = allocate(Money::from_cents(4_000), &claims).unwrap();
        let amounts: Vec<i64> = split.claims.iter().map(|(_, m)| m.cents()).collect();
        assert_eq!(amounts, vec![3_000, 1_000]);
        assert!(split.unapplied.is_zero());
    }
}
