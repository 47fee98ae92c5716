//! What the simulator's integration tests share: temporary folders laid
//! out like the clearinghouse drop, a configuration with no random
//! denials (each test turns on what it needs), 837P files built with the
//! X12 engine's writer from its sample claims, and the checks every 835
//! must pass. Each test file uses some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use medbill_kernel::CalendarDate;
use medbill_payer_sim::{Folders, SimConfig, Simulator};
use medbill_x12::professional::{ProfessionalBatch, ProfessionalClaim, write_837p};
use medbill_x12::remit::{Remittance, read_835};
use medbill_x12::{Phi, samples};
use tempfile::TempDir;

/// The seed of every test unless it says otherwise.
pub const SEED: u64 = 20_240_320;

/// The configuration: ACME01 (EFT, 80% of its fee schedule, bundled
/// pairs, an excluded diagnosis) and SCI002 (checks); the GOLD plan with a
/// 50.00 deductible and 20% coinsurance and the SUPP plan paying in full;
/// member MEM123456 enrolled in both.
pub const CONFIG: &str = r#"{
  "clearinghouse": { "id": "PAYERSIM", "name": "MEDBILL PAYER SIMULATOR" },
  "payment_days": 2,
  "payers": [
    {
      "id": "ACME01", "name": "ACME HEALTH PLAN", "tax_id": "061234567",
      "eft": { "payer_routing": "011000015", "payer_account": "4400012345",
               "payee_routing": "021000021", "payee_account": "7700098765" },
      "contract": {
        "fee_schedule_cents": { "99214": 15000, "36415": 1000, "80053": 1500, "93000": 2500 },
        "fee_schedule_percent": "0.80",
        "billed_percent": "0.60",
        "timely_filing_days": 180,
        "bundled_pairs": [
          { "column1": "80053", "column2": "36415" },
          { "column1": "99214", "column2": "93000", "modifier_allowed": false }
        ],
        "excluded_diagnoses": ["R69"]
      }
    },
    {
      "id": "SCI002", "name": "SECOND CHOICE INSURANCE", "tax_id": "069876543",
      "contract": {
        "fee_schedule_cents": { "99214": 14000 },
        "fee_schedule_percent": "0.90",
        "billed_percent": "0.50"
      }
    }
  ],
  "plans": [
    { "id": "GOLD", "payer_id": "ACME01", "name": "GOLD PPO", "deductible_cents": 5000,
      "coinsurance": "0.20", "out_of_pocket_max_cents": 300000, "insurance_type": "PR" },
    { "id": "SUPP", "payer_id": "SCI002", "name": "SECOND CHOICE SUPPLEMENT" }
  ],
  "members": [
    { "member_id": "MEM123456", "plan_id": "GOLD", "coverage_start": "2024-01-01", "group_number": "GRP001" },
    { "member_id": "MEM123456", "plan_id": "SUPP", "coverage_start": "2024-01-01" }
  ]
}"#;

/// The configuration, parsed.
pub fn config() -> SimConfig {
    SimConfig::from_json(CONFIG).unwrap()
}

/// A day of March 2024.
pub fn day(d: u32) -> CalendarDate {
    CalendarDate::from_ymd(2024, 3, d).unwrap()
}

/// The folders under one temporary root, and the work directory.
pub struct World {
    _root: TempDir,
    pub folders: Folders,
    pub work: PathBuf,
}

impl World {
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let folders = Folders {
            from: root.path().join("billing/outbound"),
            to_billing: root.path().join("billing/inbound"),
            to_payments: root.path().join("payments/inbound"),
        };
        for dir in [&folders.from, &folders.to_billing, &folders.to_payments] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let work = root.path().join("work");
        World {
            _root: root,
            folders,
            work,
        }
    }

    pub fn simulator(&self, config: SimConfig, seed: u64) -> Simulator {
        Simulator::open(config, seed, &self.work).unwrap()
    }

    /// Drops a file the way billing does: under a dot name, then renamed.
    pub fn drop_file(&self, name: &str, content: &[u8]) {
        let partial = self.folders.from.join(format!(".{name}.part"));
        std::fs::write(&partial, content).unwrap();
        std::fs::rename(&partial, self.folders.from.join(name)).unwrap();
    }
}

/// The files directly in `dir`, by name, with their content.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The contents of the files in `dir` whose names end with `suffix`.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|(n, _)| n.ends_with(suffix))
        .map(|(_, c)| c)
        .collect()
}

/// Sample claim `i` of the X12 engine (0 and 1 primary to ACME01 for
/// MEM123456, 2 a replacement naming a payer claim number nobody
/// assigned, 3 secondary to SCI002 after ACME01), with `pcn` as CLM01.
pub fn claim(i: usize, pcn: &str) -> ProfessionalClaim {
    let mut c = samples::professional_claim(i);
    c.patient_control_number = pcn.into();
    for (n, line) in c.lines.iter_mut().enumerate() {
        line.line_item_control_number = format!("{pcn}-{}", n + 1);
    }
    c
}

/// The claim with another member id.
pub fn for_member(mut c: ProfessionalClaim, member: &str) -> ProfessionalClaim {
    c.subscriber.member_id = Phi::new(member.into());
    c
}

/// An 837P file (ISA13 and GS06 `control`) holding one set per batch.
pub fn claims_file(control: u32, batches: &[ProfessionalBatch]) -> Vec<u8> {
    write_837p(&samples::interchange_params(control), batches).unwrap()
}

/// A batch (ST02 `st`) of claims.
pub fn batch(st: &str, claims: Vec<ProfessionalClaim>) -> ProfessionalBatch {
    samples::batch(st, claims)
}

/// Checks what payments requires of an 835 file and every 835 must be:
/// `medbill x12 validate` finds nothing, it reads, it holds one
/// transaction set, each claim's CLP03 − CLP04 is its CAS total, and
/// BPR02 = ΣCLP04 − ΣPLB.
pub fn checked_835(bytes: &[u8]) -> Remittance {
    let report = medbill_x12::cli::validate(bytes);
    assert!(!report.has_errors(), "{report}");
    let mut sets = read_835(bytes).unwrap();
    assert_eq!(sets.len(), 1, "payments takes one 835 per file");
    let r = sets.remove(0);
    for c in r.claims() {
        let cas: i64 = c
            .adjustments()
            .iter()
            .map(|a| a.amount.cents())
            .sum::<i64>()
            + c.services()
                .flat_map(|s| {
                    s.adjustments()
                        .iter()
                        .map(|a| a.amount.cents())
                        .collect::<Vec<_>>()
                })
                .sum::<i64>();
        assert_eq!(
            c.total_charge.cents() - c.paid.cents(),
            cas,
            "claim {}",
            c.patient_control_number.as_str()
        );
    }
    let paid: i64 = r.claims().map(|c| c.paid.cents()).sum();
    let plb: i64 = r
        .provider_adjustments
        .iter()
        .map(|p| p.amount.cents())
        .sum();
    assert_eq!(r.payment.amount.cents(), paid - plb);
    r
}
