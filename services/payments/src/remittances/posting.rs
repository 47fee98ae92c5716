//! The journal entries a remittance posts. Per claim payment, one entry:
//! cash against insurance AR for what was paid (per line, and at claim level
//! for any part of CLP04 the lines do not carry), and per CAS triple the
//! insurance AR moved to where the group says: CO to contractual allowance,
//! PR to the guarantor's patient AR, OA/PI/CR to other adjustments. A denied
//! claim (CLP02 4, and 23/25) moves only its PR: the rest stays owed by the
//! payer while the denial is worked, never written off by posting. A
//! reversal (CLP02 22) carries negative amounts, so the same rules give a new
//! entry that undoes the earlier one. Cash of a claim payment that went to
//! exceptions waits in unapplied cash; each PLB adjustment is an entry of its
//! own (positive reduces the payment: interest L6 against interest, anything
//! else against PLB recoveries).

use medbill_kernel::Money;

use super::domain::{Cas, CasGroup, ClaimPayment, ClaimPaymentStatus, ProviderAdjustment};
use crate::claims::domain::StoredClaim;
use crate::ledger::domain::{EntryBuilder, EntryError, JournalEntry, LedgerAccount, LineRefs};

/// The entry posting `payment` to `claim`, whose service lines paid the
/// claim lines `matched` (in order).
pub fn claim_entry(
    claim: &StoredClaim,
    payment: &ClaimPayment,
    matched: &[u32],
) -> Result<JournalEntry, EntryError> {
    let (kind, writes_off) = match payment.status {
        ClaimPaymentStatus::Processed | ClaimPaymentStatus::Forwarded => {
            ("remittance_payment", true)
        }
        ClaimPaymentStatus::Reversal => ("remittance_reversal", true),
        ClaimPaymentStatus::Denied
        | ClaimPaymentStatus::NotOurClaim
        | ClaimPaymentStatus::Predetermination => ("remittance_denial", false),
    };
    let memo = format!(
        "CLP02 {} ICN {}",
        payment.status_code, payment.payer_claim_number
    );
    let mut entry = EntryBuilder::new(kind, memo);
    let mut line_paid = Money::ZERO;
    for (service, line) in payment.services.iter().zip(matched) {
        let refs = claim.refs(Some(*line));
        entry.transfer(
            service.paid,
            (LedgerAccount::Cash, refs.clone()),
            (LedgerAccount::InsuranceAr, refs.clone()),
        )?;
        line_paid = line_paid.checked_add(service.paid)?;
        for cas in service.adjustments.iter().filter(|c| posts(claim, c)) {
            adjust(&mut entry, cas.group, cas.amount, &refs, writes_off)?;
        }
    }
    let refs = claim.refs(None);
    entry.transfer(
        payment.paid.checked_sub(line_paid)?,
        (LedgerAccount::Cash, refs.clone()),
        (LedgerAccount::InsuranceAr, refs.clone()),
    )?;
    for cas in payment.adjustments.iter().filter(|c| posts(claim, c)) {
        adjust(&mut entry, cas.group, cas.amount, &refs, writes_off)?;
    }
    entry.finish()
}

/// Whether `cas` moves money on `claim`. On a claim billed after another
/// payer, OA-23 (the prior payers' payment and adjustments) reports what
/// the earlier claim's remittance posted already; its receivable here is
/// only what that payer left to the patient.
fn posts(claim: &StoredClaim, cas: &Cas) -> bool {
    !(claim.primary_claim_id.is_some() && cas.group == CasGroup::Other && cas.reason == "23")
}

fn adjust(
    entry: &mut EntryBuilder,
    group: CasGroup,
    amount: Money,
    refs: &LineRefs,
    writes_off: bool,
) -> Result<(), EntryError> {
    let to = match group {
        CasGroup::PatientResponsibility => LedgerAccount::PatientAr,
        CasGroup::Contractual if writes_off => LedgerAccount::ContractualAllowance,
        CasGroup::Other | CasGroup::PayerInitiated | CasGroup::CorrectionReversal if writes_off => {
            LedgerAccount::OtherAdjustment
        }
        CasGroup::Contractual
        | CasGroup::Other
        | CasGroup::PayerInitiated
        | CasGroup::CorrectionReversal => return Ok(()),
    };
    entry.transfer(
        amount,
        (to, refs.clone()),
        (LedgerAccount::InsuranceAr, refs.clone()),
    )
}

/// The entry parking the cash of a claim payment that went to exceptions.
pub fn unapplied_entry(payment: &ClaimPayment) -> Result<JournalEntry, EntryError> {
    let mut entry = EntryBuilder::new(
        "remittance_unapplied",
        format!("CLP01 {} not posted", payment.patient_control_number),
    );
    entry.transfer(
        payment.paid,
        (LedgerAccount::Cash, LineRefs::default()),
        (LedgerAccount::UnappliedCash, LineRefs::default()),
    )?;
    entry.finish()
}

/// The entry of one PLB adjustment.
pub fn provider_entry(adjustment: &ProviderAdjustment) -> Result<JournalEntry, EntryError> {
    let counter = if adjustment.is_interest() {
        LedgerAccount::Interest
    } else {
        LedgerAccount::PlbRecoveries
    };
    let mut entry = EntryBuilder::new(
        "plb",
        format!("PLB {} {}", adjustment.reason, adjustment.reference),
    );
    entry.transfer(
        adjustment.amount,
        (counter, LineRefs::default()),
        (LedgerAccount::Cash, LineRefs::default()),
    )?;
    entry.finish()
}

#[cfg(test)]
mod tests {
    use medbill_kernel::{AccountId, ClaimId, PayerId};

    use super::*;
    use crate::claims::domain::ClaimStatus;
    use crate::remittances::domain::ServicePayment;

    fn cents(c: i64) -> Money {
        Money::from_cents(c)
    }

    fn stored() -> StoredClaim {
        StoredClaim {
            claim_id: ClaimId::new(),
            patient_control_number: "P1".into(),
            account_id: AccountId::new(),
            payer_id: PayerId::new(),
            status: ClaimStatus::Open,
            primary_claim_id: None,
            lines: vec![],
        }
    }

    fn cas(group: CasGroup, reason: &str, amount: i64) -> Cas {
        Cas {
            group,
            reason: reason.into(),
            amount: cents(amount),
            quantity: 0,
        }
    }

    fn payment(status: ClaimPaymentStatus, paid: i64, line_cas: Vec<Cas>) -> ClaimPayment {
        ClaimPayment {
            patient_control_number: "P1".into(),
            status,
            status_code: "1".into(),
            charge: cents(10_000),
            paid: cents(paid),
            patient_responsibility: Money::ZERO,
            payer_claim_number: "ICN".into(),
            adjustments: vec![],
            remark_codes: vec![],
            services: vec![ServicePayment {
                line_control_number: None,
                procedure_code: "99213".into(),
                submitted_code: None,
                modifiers: vec![],
                charge: cents(10_000),
                paid: cents(paid),
                units: 1,
                date_of_service: None,
                adjustments: line_cas,
                remark_codes: vec![],
                segment: 20,
            }],
            segment: 18,
        }
    }

    fn total(entry: &JournalEntry, account: LedgerAccount) -> i64 {
        entry
            .lines
            .iter()
            .filter(|l| l.account == account)
            .map(|l| l.amount.cents())
            .sum()
    }

    #[test]
    fn a_paid_line_moves_cash_contractual_and_patient_shares_out_of_insurance_ar() {
        let p = payment(
            ClaimPaymentStatus::Processed,
            6_000,
            vec![
                cas(CasGroup::Contractual, "45", 2_500),
                cas(CasGroup::PatientResponsibility, "2", 1_500),
            ],
        );
        let entry = claim_entry(&stored(), &p, &[1]).unwrap();
        assert_eq!(total(&entry, LedgerAccount::Cash), 6_000);
        assert_eq!(total(&entry, LedgerAccount::ContractualAllowance), 2_500);
        assert_eq!(total(&entry, LedgerAccount::PatientAr), 1_500);
        assert_eq!(total(&entry, LedgerAccount::InsuranceAr), -10_000);
    }

    #[test]
    fn a_denial_moves_only_the_patient_share_and_leaves_the_rest_owed_by_the_payer() {
        let p = payment(
            ClaimPaymentStatus::Denied,
            0,
            vec![
                cas(CasGroup::Contractual, "50", 8_000),
                cas(CasGroup::PatientResponsibility, "204", 2_000),
            ],
        );
        let entry = claim_entry(&stored(), &p, &[1]).unwrap();
        assert_eq!(entry.kind, "remittance_denial");
        assert_eq!(total(&entry, LedgerAccount::ContractualAllowance), 0);
        assert_eq!(total(&entry, LedgerAccount::PatientAr), 2_000);
        assert_eq!(total(&entry, LedgerAccount::InsuranceAr), -2_000);
    }

    #[test]
    fn a_claim_forwarded_to_the_next_payer_posts_like_a_processed_one() {
        let p = payment(
            ClaimPaymentStatus::Forwarded,
            7_000,
            vec![
                cas(CasGroup::Contractual, "45", 2_000),
                cas(CasGroup::PatientResponsibility, "2", 1_000),
            ],
        );
        let entry = claim_entry(&stored(), &p, &[1]).unwrap();
        assert_eq!(entry.kind, "remittance_payment");
        assert_eq!(total(&entry, LedgerAccount::Cash), 7_000);
        assert_eq!(total(&entry, LedgerAccount::ContractualAllowance), 2_000);
        assert_eq!(total(&entry, LedgerAccount::PatientAr), 1_000);
    }

    #[test]
    fn a_reversal_posts_the_negative_amounts_as_a_new_entry_that_undoes_the_payment() {
        let p = payment(
            ClaimPaymentStatus::Reversal,
            -7_000,
            vec![cas(CasGroup::Contractual, "45", -3_000)],
        );
        let mut p = p;
        p.services[0].charge = Money::from_cents(-10_000);
        let entry = claim_entry(&stored(), &p, &[1]).unwrap();
        assert_eq!(entry.kind, "remittance_reversal");
        assert_eq!(total(&entry, LedgerAccount::Cash), -7_000);
        assert_eq!(total(&entry, LedgerAccount::ContractualAllowance), -3_000);
        assert_eq!(total(&entry, LedgerAccount::InsuranceAr), 10_000);
    }

    #[test]
    fn a_positive_plb_reduces_cash_and_a_negative_interest_plb_adds_it() {
        let wo = ProviderAdjustment {
            reason: "WO".into(),
            reference: "ICN9".into(),
            amount: cents(1_000),
        };
        let entry = provider_entry(&wo).unwrap();
        assert_eq!(total(&entry, LedgerAccount::Cash), -1_000);
        assert_eq!(total(&entry, LedgerAccount::PlbRecoveries), 1_000);
        let l6 = ProviderAdjustment {
            reason: "L6".into(),
            reference: "ICN8".into(),
            amount: cents(-250),
        };
        let entry = provider_entry(&l6).unwrap();
        assert_eq!(total(&entry, LedgerAccount::Cash), 250);
        assert_eq!(total(&entry, LedgerAccount::Interest), -250);
    }
}
