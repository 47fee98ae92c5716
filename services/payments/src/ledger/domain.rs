//! Ledger accounts, journal entries that balance by construction, and the
//! per-claim audit identity.

use medbill_kernel::{AccountId, ClaimId, Money, MoneyError, PayerId};

/// A ledger account (the chart of accounts of a hospital receivable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerAccount {
    /// What a payer owes on claims (per payer).
    InsuranceAr,
    /// What guarantors owe (per guarantor account).
    PatientAr,
    /// Gross charges (credited when a claim is submitted).
    Revenue,
    /// CO adjustments: the part of a charge the contract writes off.
    ContractualAllowance,
    /// OA, PI and CR adjustments: payer reductions outside the contract.
    OtherAdjustment,
    /// Money received.
    Cash,
    /// Money received that is not yet applied to a claim.
    UnappliedCash,
    /// Credit balances owed back to patients.
    RefundsPayable,
    /// Patient balances written off as uncollectable.
    BadDebtExpense,
    /// Money recovered after a bad-debt write-off.
    BadDebtRecovery,
    /// Interest: credited when a payer pays interest on a late claim (PLB
    /// L6), debited when the provider owes it.
    Interest,
    /// Provider-level adjustments other than interest (PLB WO, FB, 72, CS,
    /// J1, IR, ...): recoupments and forwarding balances.
    PlbRecoveries,
    /// Fees collection agencies keep from what they collect.
    CollectionExpense,
}

impl LedgerAccount {
    /// The account's name in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerAccount::InsuranceAr => "ar_insurance",
            LedgerAccount::PatientAr => "ar_patient",
            LedgerAccount::Revenue => "revenue",
            LedgerAccount::ContractualAllowance => "contractual_allowance",
            LedgerAccount::OtherAdjustment => "other_adjustment",
            LedgerAccount::Cash => "cash",
            LedgerAccount::UnappliedCash => "unapplied_cash",
            LedgerAccount::RefundsPayable => "refunds_payable",
            LedgerAccount::BadDebtExpense => "bad_debt_expense",
            LedgerAccount::BadDebtRecovery => "bad_debt_recovery",
            LedgerAccount::Interest => "interest",
            LedgerAccount::PlbRecoveries => "plb_recoveries",
            LedgerAccount::CollectionExpense => "collection_expense",
        }
    }

    /// The account named `name` (as stored).
    pub fn parse(name: &str) -> Option<LedgerAccount> {
        Some(match name {
            "ar_insurance" => LedgerAccount::InsuranceAr,
            "ar_patient" => LedgerAccount::PatientAr,
            "revenue" => LedgerAccount::Revenue,
            "contractual_allowance" => LedgerAccount::ContractualAllowance,
            "other_adjustment" => LedgerAccount::OtherAdjustment,
            "cash" => LedgerAccount::Cash,
            "unapplied_cash" => LedgerAccount::UnappliedCash,
            "refunds_payable" => LedgerAccount::RefundsPayable,
            "bad_debt_expense" => LedgerAccount::BadDebtExpense,
            "bad_debt_recovery" => LedgerAccount::BadDebtRecovery,
            "interest" => LedgerAccount::Interest,
            "plb_recoveries" => LedgerAccount::PlbRecoveries,
            "collection_expense" => LedgerAccount::CollectionExpense,
            _ => return None,
        })
    }
}

/// What a journal line is about, besides its account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineRefs {
    /// The claim.
    pub claim_id: Option<ClaimId>,
    /// The claim line (LX01 we sent).
    pub line_number: Option<u32>,
    /// The guarantor account.
    pub account_id: Option<AccountId>,
    /// The payer.
    pub payer_id: Option<PayerId>,
}

/// One line of a journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLine {
    /// Which ledger account.
    pub account: LedgerAccount,
    /// Debit positive, credit negative.
    pub amount: Money,
    /// What it is about.
    pub refs: LineRefs,
}

/// Why an entry cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Debits and credits differ.
    #[error("journal entry does not balance: debits less credits is {0}")]
    Unbalanced(Money),
    /// The sum overflowed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A journal entry under construction: every amount is added as a pair of
/// lines (a debit and the matching credit), so it balances by construction;
/// [`EntryBuilder::finish`] checks that anyway before anything is stored.
#[derive(Debug, Clone)]
pub struct EntryBuilder {
    kind: &'static str,
    memo: String,
    lines: Vec<JournalLine>,
}

/// A balanced journal entry, ready to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// What kind of business event it records (`claim_opened`,
    /// `remittance_payment`, `plb`, ...).
    pub kind: &'static str,
    /// A note for people reading the ledger (no patient data).
    pub memo: String,
    /// Its lines, summing to zero.
    pub lines: Vec<JournalLine>,
}

impl EntryBuilder {
    /// An empty entry of `kind`.
    pub fn new(kind: &'static str, memo: impl Into<String>) -> Self {
        EntryBuilder {
            kind,
            memo: memo.into(),
            lines: Vec::new(),
        }
    }

    /// Debits `debit` and credits `credit` by `amount` (a negative amount
    /// moves the other way, as a reversal does). Zero adds nothing.
    pub fn transfer(
        &mut self,
        amount: Money,
        debit: (LedgerAccount, LineRefs),
        credit: (LedgerAccount, LineRefs),
    ) -> Result<(), EntryError> {
        if amount.is_zero() {
            return Ok(());
        }
        self.lines.push(JournalLine {
            account: debit.0,
            amount,
            refs: debit.1,
        });
        self.lines.push(JournalLine {
            account: credit.0,
            amount: amount.checked_neg()?,
            refs: credit.1,
        });
        Ok(())
    }

    /// Whether no line was added.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The finished entry, refused when its lines do not sum to zero.
    pub fn finish(self) -> Result<JournalEntry, EntryError> {
        let total: Money = self
            .lines
            .iter()
            .map(|l| l.amount)
            .sum::<Result<Money, _>>()?;
        if !total.is_zero() {
            return Err(EntryError::Unbalanced(total));
        }
        Ok(JournalEntry {
            kind: self.kind,
            memo: self.memo,
            lines: self.lines,
        })
    }
}

impl JournalEntry {
    /// What this entry moves on `account`, per claim line (`None`: the
    /// claim level), debits positive; lines it leaves at zero are left out.
    pub fn balances_of(
        &self,
        account: LedgerAccount,
    ) -> Result<Vec<(Option<u32>, Money)>, EntryError> {
        let mut by_line: Vec<(Option<u32>, Money)> = Vec::new();
        for l in self.lines.iter().filter(|l| l.account == account) {
            let at = l.refs.line_number;
            match by_line.iter_mut().find(|(line, _)| *line == at) {
                Some((_, sum)) => *sum = sum.checked_add(l.amount)?,
                None => by_line.push((at, l.amount)),
            }
        }
        by_line.retain(|(_, m)| !m.is_zero());
        Ok(by_line)
    }
}

/// One claim's figures summed from the journal, and whether they satisfy
/// charges − payments − adjustments − write-offs = insurance balance +
/// patient balance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimAudit {
    /// Gross charges: revenue credited for the claim.
    pub charges: Money,
    /// Cash debited for the claim.
    pub payments: Money,
    /// Contractual and other payer adjustments debited for the claim.
    pub adjustments: Money,
    /// Bad debt written off for the claim, net of recoveries (a payment
    /// after a write-off credits bad-debt recovery and debits cash, so it
    /// counts as a payment and reduces the net write-off).
    pub write_offs: Money,
    /// Insurance AR of the claim.
    pub insurance_balance: Money,
    /// Patient AR of the claim.
    pub patient_balance: Money,
    /// Lines of the claim on accounts the identity does not cover.
    pub unexplained: Money,
}

impl ClaimAudit {
    /// Adds one account's total (debit positive) for the claim.
    pub fn add(&mut self, account: LedgerAccount, total: Money) -> Result<(), MoneyError> {
        let slot = match account {
            LedgerAccount::Revenue => {
                self.charges = self.charges.checked_sub(total)?;
                return Ok(());
            }
            LedgerAccount::Cash => &mut self.payments,
            LedgerAccount::ContractualAllowance | LedgerAccount::OtherAdjustment => {
                &mut self.adjustments
            }
            LedgerAccount::BadDebtExpense | LedgerAccount::BadDebtRecovery => &mut self.write_offs,
            LedgerAccount::InsuranceAr => &mut self.insurance_balance,
            LedgerAccount::PatientAr => &mut self.patient_balance,
            LedgerAccount::UnappliedCash
            | LedgerAccount::RefundsPayable
            | LedgerAccount::Interest
            | LedgerAccount::PlbRecoveries
            | LedgerAccount::CollectionExpense => &mut self.unexplained,
        };
        *slot = slot.checked_add(total)?;
        Ok(())
    }

    /// Whether the identity holds to the cent and nothing is unexplained.
    pub fn balanced(&self) -> bool {
        let left = self
            .charges
            .checked_sub(self.payments)
            .and_then(|m| m.checked_sub(self.adjustments))
            .and_then(|m| m.checked_sub(self.write_offs));
        let right = self.insurance_balance.checked_add(self.patient_balance);
        matches!((left, right), (Ok(l), Ok(r)) if l == r) && self.unexplained.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(c: i64) -> Money {
        Money::from_cents(c)
    }

    #[test]
    fn a_transfer_adds_a_debit_and_the_matching_credit() {
        let mut entry = EntryBuilder::new("test", "");
        entry
            .transfer(
                cents(1_250),
                (LedgerAccount::Cash, LineRefs::default()),
                (LedgerAccount::InsuranceAr, LineRefs::default()),
            )
            .unwrap();
        let entry = entry.finish().unwrap();
        assert_eq!(entry.lines.len(), 2);
        assert_eq!(entry.lines[0].amount, cents(1_250));
        assert_eq!(entry.lines[1].amount, cents(-1_250));
    }

    #[test]
    fn an_entry_whose_lines_do_not_sum_to_zero_is_refused() {
        let mut entry = EntryBuilder::new("test", "");
        entry.lines.push(JournalLine {
            account: LedgerAccount::Cash,
            amount: cents(1),
            refs: LineRefs::default(),
        });
        assert_eq!(entry.finish(), Err(EntryError::Unbalanced(cents(1))));
    }

    #[test]
    fn every_account_name_reads_back_as_itself() {
        use LedgerAccount::*;
        for account in [
            InsuranceAr,
            PatientAr,
            Revenue,
            ContractualAllowance,
            OtherAdjustment,
            Cash,
            UnappliedCash,
            RefundsPayable,
            BadDebtExpense,
            BadDebtRecovery,
            Interest,
            PlbRecoveries,
            CollectionExpense,
        ] {
            assert_eq!(LedgerAccount::parse(account.as_str()), Some(account));
        }
    }

    #[test]
    fn the_claim_identity_holds_for_a_paid_claim_and_fails_for_a_stray_line() {
        let mut audit = ClaimAudit::default();
        // $100 charged, $60 paid, $25 contractual, $15 to the patient.
        audit.add(LedgerAccount::Revenue, cents(-10_000)).unwrap();
        audit.add(LedgerAccount::Cash, cents(6_000)).unwrap();
        audit
            .add(LedgerAccount::ContractualAllowance, cents(2_500))
            .unwrap();
        audit.add(LedgerAccount::InsuranceAr, cents(0)).unwrap();
        audit.add(LedgerAccount::PatientAr, cents(1_500)).unwrap();
        assert!(audit.balanced());
        audit.add(LedgerAccount::Interest, cents(-1)).unwrap();
        assert!(!audit.balanced());
    }

    #[test]
    fn a_write_off_then_a_recovery_keeps_the_claim_identity() {
        let mut audit = ClaimAudit::default();
        // $100 charged, $60 paid, $25 contractual, $15 written off as bad
        // debt, then $10 of it recovered.
        audit.add(LedgerAccount::Revenue, cents(-10_000)).unwrap();
        audit.add(LedgerAccount::Cash, cents(6_000)).unwrap();
        audit
            .add(LedgerAccount::ContractualAllowance, cents(2_500))
            .unwrap();
        audit
            .add(LedgerAccount::BadDebtExpense, cents(1_500))
            .unwrap();
        assert!(audit.balanced());
        audit.add(LedgerAccount::Cash, cents(1_000)).unwrap();
        audit
            .add(LedgerAccount::BadDebtRecovery, cents(-1_000))
            .unwrap();
        assert!(audit.balanced());
        assert_eq!(audit.write_offs, cents(500));
        assert_eq!(audit.payments, cents(7_000));
    }
}
