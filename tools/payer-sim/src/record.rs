//! The simulator's record of everything it received, decided and paid,
//! kept as JSON in its work directory (`payer-sim-record.json`) and loaded
//! at start, so a restarted simulator answers no file twice and
//! adjudicates no claim twice. It is also what end-to-end tests compare the
//! services' figures against: per claim, every 835 claim payment (the
//! original, reversals, corrections) with billed, allowed, paid, patient
//! responsibility and adjustments by group and reason; per remittance, the
//! payment and the provider-level adjustments; and the totals of all of it.

mod claims;
mod totals;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use medbill_kernel::CalendarDate;
use serde::{Deserialize, Serialize};

pub use claims::{
    ClaimRecord, ClaimState, PaymentKind, PaymentRecord, RejectedClaim, ReturnAddress,
};
pub use totals::Totals;

use crate::adjudication::Accumulator;
use crate::error::SimError;
use crate::text::date;

/// The record file's name in the work directory.
pub const RECORD_FILE: &str = "payer-sim-record.json";

/// The record's format; a record of another format is refused, not guessed at.
const FORMAT: u32 = 1;

/// Everything the simulator has done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The record's format.
    pub format: u32,
    /// The seed the record was made with; a record is only continued with
    /// the same seed.
    pub seed: u64,
    /// Control numbers handed out so far.
    pub counters: Counters,
    /// Every file taken from billing's folder, in order.
    pub files: Vec<ReceivedFile>,
    /// Every claim accepted, in order of acceptance.
    pub claims: Vec<ClaimRecord>,
    /// Claims rejected by the 277CA.
    pub rejected_claims: Vec<RejectedClaim>,
    /// Members' plan-year totals, keyed `payer|member|year`.
    pub accumulators: BTreeMap<String, Accumulator>,
    /// Money the provider owes a payer after a remittance that took back
    /// more than it paid, recovered from later remittances (PLB WO).
    pub recoveries: Vec<Recovery>,
    /// Every 835 written, in order.
    pub remittances: Vec<RemittanceRecord>,
    /// Totals over `claims` and `remittances`, recomputed at every save.
    pub totals: Totals,
}

/// The last control number of each kind handed out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// ISA13/GS06 of the files written.
    pub interchange: u32,
    /// The sequence in payer claim control numbers.
    pub claim: u64,
    /// The sequence in 835 trace numbers.
    pub trace: u64,
}

/// A file taken from billing's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedFile {
    /// Its name.
    pub name: String,
    /// Its length and FNV-1a hash (see [`crate::files::digest`]).
    pub digest: String,
    /// `837`, `270` or `276`.
    pub kind: String,
    /// The day it was taken.
    #[serde(with = "date")]
    pub received_on: CalendarDate,
    /// The files written in answer.
    pub answers: Vec<String>,
}

/// A balance the provider owes a payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// The payer owed.
    pub payer_id: String,
    /// The provider (NPI) owing.
    pub payee_npi: String,
    /// The trace of the remittance that forwarded the balance (PLB FB).
    pub reference: String,
    /// Cents still owed.
    pub outstanding: i64,
}

/// One provider-level adjustment (PLB reason/amount pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAdjustmentRecord {
    /// `L6`, `WO`, `FB`.
    pub reason: String,
    /// The claim or remittance it concerns.
    pub reference: String,
    /// Cents; positive reduces the payment.
    pub amount: i64,
}

/// One 835 written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceRecord {
    /// The file's name in payments' folder.
    pub file: String,
    /// The payer.
    pub payer_id: String,
    /// The provider paid (NPI).
    pub payee_npi: String,
    /// TRN02: the EFT or check trace.
    pub trace: String,
    /// BPR04: `ACH`, `CHK` or `NON`.
    pub method: String,
    /// BPR16.
    #[serde(with = "date")]
    pub payment_date: CalendarDate,
    /// ΣCLP04.
    pub claims_paid: i64,
    /// The PLB adjustments.
    pub provider_adjustments: Vec<ProviderAdjustmentRecord>,
    /// BPR02 = ΣCLP04 − ΣPLB.
    pub payment: i64,
}

impl Record {
    /// An empty record for `seed`.
    pub fn new(seed: u64) -> Self {
        Record {
            format: FORMAT,
            seed,
            counters: Counters::default(),
            files: Vec::new(),
            claims: Vec::new(),
            rejected_claims: Vec::new(),
            accumulators: BTreeMap::new(),
            recoveries: Vec::new(),
            remittances: Vec::new(),
            totals: Totals::default(),
        }
    }

    /// Where the record of `work_dir` lives.
    pub fn path(work_dir: &Path) -> PathBuf {
        work_dir.join(RECORD_FILE)
    }

    /// The record in `work_dir`, or a new one when there is none. A record
    /// of another format or seed is refused.
    pub fn load(work_dir: &Path, seed: u64) -> Result<Self, SimError> {
        let path = Self::path(work_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::new(seed)),
            Err(e) => return Err(SimError::io(path, e)),
        };
        let refuse = |reason: String| SimError::Record {
            path: path.clone(),
            reason,
        };
        let record: Record = serde_json::from_str(&text).map_err(|e| refuse(e.to_string()))?;
        if record.format != FORMAT {
            return Err(refuse(format!(
                "format {} (this simulator writes {FORMAT})",
                record.format
            )));
        }
        if record.seed != seed {
            return Err(refuse(format!(
                "made with seed {}, not {seed}: use another work directory",
                record.seed
            )));
        }
        Ok(record)
    }

    /// Writes the record (totals recomputed) so that it appears whole or
    /// not at all.
    pub fn save(&mut self, work_dir: &Path) -> Result<(), SimError> {
        self.totals = Totals::of(self);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| SimError::Record {
            path: Self::path(work_dir),
            reason: e.to_string(),
        })?;
        text.push('\n');
        std::fs::create_dir_all(work_dir).map_err(|e| SimError::io(work_dir, e))?;
        crate::files::write_whole(work_dir, RECORD_FILE, text.as_bytes())?;
        Ok(())
    }

    /// Whether a file of this name and content was taken before.
    pub fn seen(&self, name: &str, digest: &str) -> bool {
        self.files
            .iter()
            .any(|f| f.name == name && f.digest == digest)
    }

    /// The next interchange control number (1 to 999 999 999, wrapping).
    pub(crate) fn next_interchange(&mut self) -> u32 {
        self.counters.interchange = self.counters.interchange % 999_999_999 + 1;
        self.counters.interchange
    }

    /// The next claim sequence number.
    pub(crate) fn next_claim(&mut self) -> u64 {
        self.counters.claim += 1;
        self.counters.claim
    }

    /// The next trace sequence number.
    pub(crate) fn next_trace(&mut self) -> u64 {
        self.counters.trace += 1;
        self.counters.trace
    }

    /// The claim a payer claim control number names: the one it was
    /// assigned at acceptance, or a correction's.
    pub fn claim_by_number(&self, payer_id: &str, number: &str) -> Option<usize> {
        self.claims.iter().position(|c| {
            c.claim.payer_id == payer_id
                && (c.payer_claim_number == number
                    || c.payments.iter().any(|p| p.payer_claim_number == number))
        })
    }

    /// The latest claim with this patient control number at a payer.
    pub fn claim_by_control_number(&self, payer_id: &str, pcn: &str) -> Option<usize> {
        self.claims
            .iter()
            .rposition(|c| c.claim.payer_id == payer_id && c.claim.patient_control_number == pcn)
    }

    /// The accumulator key of a member's plan year.
    pub(crate) fn accumulator_key(payer_id: &str, member_id: &str, year: i32) -> String {
        format!("{payer_id}|{member_id}|{year}")
    }
}
