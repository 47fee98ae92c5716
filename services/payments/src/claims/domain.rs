//! A submitted claim as payments holds it, its lifecycle, and the journal
//! entries that open and close its receivable.

use medbill_kernel::{
    AccountId, CalendarDate, ClaimId, EncounterId, Money, PatientId, PayerId, Redacted,
};

use crate::ledger::domain::{EntryBuilder, EntryError, JournalEntry, LedgerAccount, LineRefs};

/// Where a claim is, for payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Submitted; its receivable is open and remittances post to it.
    Open,
    /// Voided or replaced by billing; remittances for it go to exceptions.
    Voided,
}

/// What can happen to a claim's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimEvent {
    /// Billing voided or replaced the claim.
    Void,
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} claim cannot take {event:?}")]
pub struct TransitionError {
    /// The status it was in.
    pub from: ClaimStatus,
    /// What was asked.
    pub event: ClaimEvent,
}

impl ClaimStatus {
    /// The status after `event`.
    pub fn apply(self, event: ClaimEvent) -> Result<ClaimStatus, TransitionError> {
        match (self, event) {
            (ClaimStatus::Open, ClaimEvent::Void) => Ok(ClaimStatus::Voided),
            (ClaimStatus::Voided, ClaimEvent::Void) => Err(TransitionError { from: self, event }),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Open => "open",
            ClaimStatus::Voided => "voided",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<ClaimStatus> {
        match name {
            "open" => Some(ClaimStatus::Open),
            "voided" => Some(ClaimStatus::Voided),
            _ => None,
        }
    }
}

/// One line of a submitted claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLine {
    /// LX01.
    pub line_number: u32,
    /// REF*6R as sent.
    pub line_control_number: String,
    /// CPT/HCPCS code (may be empty on an institutional line).
    pub procedure_code: String,
    /// NUBC revenue code (institutional lines; empty otherwise).
    pub revenue_code: String,
    /// Modifiers in order.
    pub modifiers: Vec<String>,
    /// Units billed.
    pub units: u32,
    /// Line charge.
    pub charge: Money,
    /// Date of service.
    pub date_of_service: CalendarDate,
}

/// Who is responsible for the patient's share (patient data).
#[derive(Debug, Clone)]
pub struct Guarantor {
    /// The guarantor account billing named.
    pub account_id: AccountId,
    /// The patient.
    pub patient_id: PatientId,
    /// The patient's medical record number.
    pub patient_mrn: Redacted<String>,
    /// Last name.
    pub last_name: Redacted<String>,
    /// First name.
    pub first_name: Redacted<String>,
    /// Street, line 1 and 2, city, state, ZIP.
    pub address: Redacted<[String; 5]>,
}

/// A payer as a claim names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// Billing's payer id.
    pub payer_id: PayerId,
    /// Its name.
    pub name: String,
    /// SBR09 claim filing indicator.
    pub claim_filing_indicator: String,
}

/// A claim billing submitted.
#[derive(Debug, Clone)]
pub struct SubmittedClaim {
    /// Billing's claim id.
    pub claim_id: ClaimId,
    /// CLM01, echoed in CLP01.
    pub patient_control_number: String,
    /// The encounter it bills, when billing named it.
    pub encounter_id: Option<EncounterId>,
    /// Who owes the patient's share.
    pub guarantor: Guarantor,
    /// Who it was sent to.
    pub payer: Payer,
    /// 1 primary, 2 secondary, 3 tertiary.
    pub payer_rank: u32,
    /// For a secondary or tertiary claim: the claim of the payer before it.
    pub primary_claim_id: Option<ClaimId>,
    /// CLM05-3.
    pub frequency_code: String,
    /// The claim it replaces (frequency 7).
    pub replaces_claim_id: Option<ClaimId>,
    /// CLM02.
    pub total_charge: Money,
    /// First date of service.
    pub first_date_of_service: CalendarDate,
    /// When its batch was created.
    pub submitted_on: CalendarDate,
    /// Its lines.
    pub lines: Vec<ClaimLine>,
}

impl SubmittedClaim {
    /// References for a journal line of this claim on `line`.
    pub fn refs(&self, line: Option<u32>) -> LineRefs {
        LineRefs {
            claim_id: Some(self.claim_id.clone()),
            line_number: line,
            account_id: Some(self.guarantor.account_id.clone()),
            payer_id: Some(self.payer.payer_id.clone()),
        }
    }

    /// Whether this claim opens a receivable of its own. A secondary or
    /// tertiary claim bills what the primary left, whose charges the primary
    /// claim already recognised; counting them again would double revenue.
    pub fn opens_receivable(&self) -> bool {
        self.payer_rank == 1
    }

    /// The entry that opens the receivable: insurance AR debited and revenue
    /// credited per line, and any difference between the claim total and
    /// its lines at claim level.
    pub fn opening_entry(&self) -> Result<JournalEntry, EntryError> {
        let mut entry = EntryBuilder::new("claim_opened", "claim submitted to payer");
        let mut remainder = self.total_charge;
        for line in &self.lines {
            entry.transfer(
                line.charge,
                (
                    LedgerAccount::InsuranceAr,
                    self.refs(Some(line.line_number)),
                ),
                (LedgerAccount::Revenue, self.refs(Some(line.line_number))),
            )?;
            remainder = remainder.checked_sub(line.charge)?;
        }
        entry.transfer(
            remainder,
            (LedgerAccount::InsuranceAr, self.refs(None)),
            (LedgerAccount::Revenue, self.refs(None)),
        )?;
        entry.finish()
    }
}

/// The entry that closes a voided claim's receivable: what insurance still
/// owes, per line, goes back out of revenue. The patient's share, if any was
/// assigned, stays with the guarantor.
pub fn void_entry(
    claim: &StoredClaim,
    insurance_by_line: &[(Option<u32>, Money)],
) -> Result<JournalEntry, EntryError> {
    let mut entry = EntryBuilder::new("claim_voided", "claim voided by billing");
    for (line, balance) in insurance_by_line {
        entry.transfer(
            *balance,
            (LedgerAccount::Revenue, claim.refs(*line)),
            (LedgerAccount::InsuranceAr, claim.refs(*line)),
        )?;
    }
    entry.finish()
}

/// The entry writing `amount` of a denial off what the payer owes on
/// `claim` (to other adjustments): from the denied line when `line` is
/// given, else from the claim's lines in order; never more than is owed.
/// `None` when nothing is owed where the denial was.
pub fn denial_write_off_entry(
    claim: &StoredClaim,
    insurance_by_line: &[(Option<u32>, Money)],
    line: Option<u32>,
    amount: Money,
    memo: &str,
) -> Result<Option<JournalEntry>, EntryError> {
    let mut entry = EntryBuilder::new("denial_write_off", memo.to_string());
    let mut left = amount;
    let mut any = false;
    for (at, owed) in insurance_by_line {
        if line.is_some() && *at != line {
            continue;
        }
        let take = if owed.cents() < left.cents() {
            *owed
        } else {
            left
        };
        if take.cents() <= 0 {
            continue;
        }
        entry.transfer(
            take,
            (LedgerAccount::OtherAdjustment, claim.refs(*at)),
            (LedgerAccount::InsuranceAr, claim.refs(*at)),
        )?;
        left = left.checked_sub(take)?;
        any = true;
    }
    if any {
        entry.finish().map(Some)
    } else {
        Ok(None)
    }
}

/// The entry billing a secondary (or tertiary) claim opens: what the claim
/// before it left to the patient moves, line by line, from the guarantor
/// to this payer. The receivable stays the primary claim's.
pub fn next_payer_entry(
    claim: &StoredClaim,
    primary: &StoredClaim,
    patient_by_line: &[(Option<u32>, Money)],
) -> Result<Option<JournalEntry>, EntryError> {
    let mut entry = EntryBuilder::new(
        "claim_billed_to_next_payer",
        "patient share billed to the next payer",
    );
    for (line, owed) in patient_by_line.iter().filter(|(_, m)| m.cents() > 0) {
        let at = line.filter(|n| claim.lines.iter().any(|l| l.line_number == *n));
        entry.transfer(
            *owed,
            (LedgerAccount::InsuranceAr, claim.refs(at)),
            (LedgerAccount::PatientAr, primary.refs(*line)),
        )?;
    }
    if entry.is_empty() {
        return Ok(None);
    }
    entry.finish().map(Some)
}

/// The entry closing a voided secondary (or tertiary) claim: what this
/// payer still owes goes back to the guarantor, as before it was billed.
pub fn next_payer_void_entry(
    claim: &StoredClaim,
    primary: &StoredClaim,
    insurance_by_line: &[(Option<u32>, Money)],
) -> Result<JournalEntry, EntryError> {
    let mut entry = EntryBuilder::new("claim_voided", "secondary claim voided by billing");
    for (line, balance) in insurance_by_line {
        entry.transfer(
            *balance,
            (LedgerAccount::PatientAr, primary.refs(*line)),
            (LedgerAccount::InsuranceAr, claim.refs(*line)),
        )?;
    }
    entry.finish()
}

/// A claim as stored, with what remittance posting needs.
#[derive(Debug, Clone)]
pub struct StoredClaim {
    /// Billing's claim id.
    pub claim_id: ClaimId,
    /// CLM01.
    pub patient_control_number: String,
    /// The guarantor account.
    pub account_id: AccountId,
    /// The payer.
    pub payer_id: PayerId,
    /// Open or voided.
    pub status: ClaimStatus,
    /// For a secondary or tertiary claim: the claim of the payer before it,
    /// whose receivable this claim carries on.
    pub primary_claim_id: Option<ClaimId>,
    /// Its lines, by line number.
    pub lines: Vec<ClaimLine>,
}

impl StoredClaim {
    /// The claim whose receivable this claim's journal lines are on: the
    /// primary claim's for a claim billed after another payer, else its own.
    pub fn receivable_id(&self) -> &ClaimId {
        self.primary_claim_id.as_ref().unwrap_or(&self.claim_id)
    }

    /// References for a journal line of this claim on `line`.
    pub fn refs(&self, line: Option<u32>) -> LineRefs {
        LineRefs {
            claim_id: Some(self.receivable_id().clone()),
            line_number: line,
            account_id: Some(self.account_id.clone()),
            payer_id: Some(self.payer_id.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_claim_voids_once_and_a_voided_claim_refuses_a_second_void() {
        let voided = ClaimStatus::Open.apply(ClaimEvent::Void).unwrap();
        assert_eq!(voided, ClaimStatus::Voided);
        assert!(voided.apply(ClaimEvent::Void).is_err());
    }

    fn claim() -> StoredClaim {
        StoredClaim {
            claim_id: ClaimId::new(),
            patient_control_number: "MB0000000001".into(),
            account_id: AccountId::new(),
            payer_id: PayerId::new(),
            status: ClaimStatus::Open,
            primary_claim_id: None,
            lines: Vec::new(),
        }
    }

    fn written_off(entry: &JournalEntry) -> Vec<(Option<u32>, i64)> {
        entry
            .lines
            .iter()
            .filter(|l| l.account == LedgerAccount::OtherAdjustment)
            .map(|l| (l.refs.line_number, l.amount.cents()))
            .collect()
    }

    #[test]
    fn a_denial_is_written_off_its_line_and_never_beyond_what_the_payer_owes() {
        let c = claim();
        let owed = [
            (Some(1), Money::from_cents(10_000)),
            (Some(2), Money::from_cents(4_000)),
        ];
        // The denied line: its $40.00, though $55.00 was asked.
        let e = denial_write_off_entry(&c, &owed, Some(2), Money::from_cents(5_500), "m")
            .unwrap()
            .unwrap();
        assert_eq!(written_off(&e), [(Some(2), 4_000)]);
        let ar: i64 = e
            .lines
            .iter()
            .filter(|l| l.account == LedgerAccount::InsuranceAr)
            .map(|l| l.amount.cents())
            .sum();
        assert_eq!(ar, -4_000);
        // The whole claim: lines in order until the amount is used.
        let e = denial_write_off_entry(&c, &owed, None, Money::from_cents(12_000), "m")
            .unwrap()
            .unwrap();
        assert_eq!(written_off(&e), [(Some(1), 10_000), (Some(2), 2_000)]);
        // Nothing owed: no entry.
        let none = [(Some(1), Money::ZERO)];
        assert!(
            denial_write_off_entry(&c, &none, None, Money::from_cents(100), "m")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn statuses_read_back_from_their_stored_names() {
        for status in [ClaimStatus::Open, ClaimStatus::Voided] {
            assert_eq!(ClaimStatus::parse(status.as_str()), Some(status));
        }
    }
}
