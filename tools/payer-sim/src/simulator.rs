//! The simulator: its configuration, seed, work directory and record, and
//! the two things it does — take in what billing dropped and answer it
//! ([`Simulator::process_dir`]), and adjudicate and pay what is due
//! ([`Simulator::adjudicate_due`]). Each file taken in is answered and
//! recorded once: answers are written first, then the record is saved,
//! then the file moves to `processed/`. A crash in between leaves the file
//! to be taken again from the same record, which answers it with the same
//! bytes (billing and payments apply a file once by its content). A 270
//! can also come in real time ([`Simulator::answer_real_time`]).

use std::path::{Path, PathBuf};

use medbill_kernel::CalendarDate;

use crate::config::SimConfig;
use crate::desk::{Desk, Output};
use crate::error::SimError;
use crate::files::{FAILED, PROCESSED, digest, ready_files, set_aside, write_whole};
use crate::record::{ReceivedFile, Record, ReturnAddress};
use crate::scan::{Interchange, scan};
use crate::{eligibility, intake, payday, status};

mod real_time;

pub use real_time::RealTimeError;

/// The three folders the simulator works between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Billing's outbound folder: 837, 270 and 276 files to take.
    pub from: PathBuf,
    /// Billing's inbound folder: 999, 277CA, 271 and 277 files go here.
    pub to_billing: PathBuf,
    /// Payments' inbound folder: 835 files and deposit CSVs go here.
    pub to_payments: PathBuf,
}

/// What a call did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files taken and answered.
    pub files_taken: Vec<String>,
    /// Files taken before (same name and content), set aside unanswered.
    pub files_seen_before: Vec<String>,
    /// Files that cannot be answered, set aside in `failed/`, with why.
    pub files_refused: Vec<(String, String)>,
    /// Files written, in order.
    pub files_written: Vec<PathBuf>,
    /// Claims accepted by the 277CA.
    pub claims_accepted: u32,
    /// Claims rejected by the 277CA.
    pub claims_rejected: u32,
    /// Transaction sets rejected by the 999.
    pub sets_rejected: u32,
    /// 270 transaction sets answered.
    pub eligibility_answered: u32,
    /// 276 transaction sets answered.
    pub status_answered: u32,
    /// Claims adjudicated (voids included).
    pub claims_adjudicated: u32,
    /// 835s written.
    pub remittances: u32,
    /// Their payments (ΣBPR02), in cents.
    pub paid: i64,
}

impl Report {
    /// Adds what `other` did.
    pub fn merge(&mut self, other: Report) {
        self.files_taken.extend(other.files_taken);
        self.files_seen_before.extend(other.files_seen_before);
        self.files_refused.extend(other.files_refused);
        self.files_written.extend(other.files_written);
        self.claims_accepted += other.claims_accepted;
        self.claims_rejected += other.claims_rejected;
        self.sets_rejected += other.sets_rejected;
        self.eligibility_answered += other.eligibility_answered;
        self.status_answered += other.status_answered;
        self.claims_adjudicated += other.claims_adjudicated;
        self.remittances += other.remittances;
        self.paid += other.paid;
    }
}

/// A payer/clearinghouse simulator over a work directory.
#[derive(Debug)]
pub struct Simulator {
    config: SimConfig,
    seed: u64,
    work_dir: PathBuf,
    record: Record,
}

/// What one file was answered with.
struct Answer {
    kind: &'static str,
    outputs: Vec<Output>,
    report: Report,
}

impl Simulator {
    /// A simulator playing `config` with `seed`, keeping its record in
    /// `work_dir` (loaded when there is one, so a restart carries on).
    pub fn open(
        config: SimConfig,
        seed: u64,
        work_dir: impl Into<PathBuf>,
    ) -> Result<Self, SimError> {
        config.check().map_err(SimError::Config)?;
        let work_dir = work_dir.into();
        let record = Record::load(&work_dir, seed)?;
        Ok(Simulator {
            config,
            seed,
            work_dir,
            record,
        })
    }

    /// The record so far.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Where the record file is.
    pub fn record_path(&self) -> PathBuf {
        Record::path(&self.work_dir)
    }

    /// Takes every ready file in `folders.from` and answers it into
    /// `folders.to_billing`; claims accepted wait for
    /// [`Simulator::adjudicate_due`].
    pub fn process_dir(
        &mut self,
        folders: &Folders,
        today: CalendarDate,
    ) -> Result<Report, SimError> {
        let mut report = Report::default();
        for name in ready_files(&folders.from)? {
            let path = folders.from.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| SimError::io(&path, e))?;
            let digest = digest(&bytes);
            if self.record.seen(&name, &digest) {
                set_aside(&folders.from, PROCESSED, &name, None)?;
                report.files_seen_before.push(name);
                continue;
            }
            let before = self.record.clone();
            let answered = self.answer(&bytes, today);
            let answer = match answered {
                Ok(answer) => answer,
                Err(reason) => {
                    self.record = before;
                    set_aside(&folders.from, FAILED, &name, Some(&reason))?;
                    report.files_refused.push((name, reason));
                    continue;
                }
            };
            let received = ReceivedFile {
                name: name.clone(),
                digest,
                kind: answer.kind.into(),
                received_on: today,
                answers: answer.outputs.iter().map(|o| o.name.clone()).collect(),
            };
            match self.deliver(&folders.to_billing, &answer.outputs, Some(received)) {
                Ok(written) => report.files_written.extend(written),
                Err(e) => {
                    // Nothing of this file counts: the next call answers it
                    // again from the same record, with the same bytes.
                    self.record = before;
                    return Err(e);
                }
            }
            set_aside(&folders.from, PROCESSED, &name, None)?;
            report.merge(answer.report);
            report.files_taken.push(name);
        }
        Ok(report)
    }

    /// Adjudicates every claim due by `today` and writes the 835s and the
    /// deposit records into `to_payments`.
    pub fn adjudicate_due(
        &mut self,
        to_payments: &Path,
        today: CalendarDate,
    ) -> Result<Report, SimError> {
        let before = self.record.clone();
        let mut desk = Desk {
            config: &self.config,
            seed: self.seed,
            record: &mut self.record,
            today,
        };
        let day = match payday::pay_due(&mut desk) {
            Ok(day) => day,
            Err(e) => {
                self.record = before;
                return Err(e);
            }
        };
        let mut report = Report {
            claims_adjudicated: day.adjudicated,
            remittances: day.remittances,
            paid: day.paid,
            ..Report::default()
        };
        if day.outputs.is_empty() && day.adjudicated == 0 {
            return Ok(report);
        }
        match self.deliver(to_payments, &day.outputs, None) {
            Ok(written) => report.files_written = written,
            Err(e) => {
                self.record = before;
                return Err(e);
            }
        }
        Ok(report)
    }

    /// Writes `outputs` into `dir`, notes the file they answer, and saves
    /// the record.
    fn deliver(
        &mut self,
        dir: &Path,
        outputs: &[Output],
        received: Option<ReceivedFile>,
    ) -> Result<Vec<PathBuf>, SimError> {
        let mut written = Vec::with_capacity(outputs.len());
        for output in outputs {
            written.push(write_whole(dir, &output.name, &output.content)?);
        }
        self.record.files.extend(received);
        self.record.save(&self.work_dir)?;
        Ok(written)
    }

    /// [`Simulator::process_dir`], then [`Simulator::adjudicate_due`].
    pub fn step(&mut self, folders: &Folders, today: CalendarDate) -> Result<Report, SimError> {
        let mut report = self.process_dir(folders, today)?;
        report.merge(self.adjudicate_due(&folders.to_payments, today)?);
        Ok(report)
    }

    /// Answers one file; the error says why it cannot be answered.
    fn answer(&mut self, bytes: &[u8], today: CalendarDate) -> Result<Answer, String> {
        let interchanges = scan(bytes);
        let Some(first) = interchanges.first() else {
            return Err("not an X12 interchange: no readable ISA".into());
        };
        let to = ReturnAddress {
            qualifier: first.header.sender_qualifier.clone(),
            id: first.header.sender_id.clone(),
            test: first.is_test(),
        };
        let mut desk = Desk {
            config: &self.config,
            seed: self.seed,
            record: &mut self.record,
            today,
        };
        let refused = |e: SimError| e.to_string();
        match functional_id(&interchanges)? {
            "HC" => {
                let intake =
                    intake::take_claims(&mut desk, bytes, &interchanges).map_err(refused)?;
                Ok(Answer {
                    kind: "837",
                    outputs: intake.outputs,
                    report: Report {
                        claims_accepted: intake.accepted,
                        claims_rejected: intake.rejected,
                        sets_rejected: intake.sets_rejected,
                        ..Report::default()
                    },
                })
            }
            "HS" => {
                let inquiries =
                    medbill_x12::eligibility::read_270(bytes).map_err(|e| e.to_string())?;
                let output = eligibility::answer(&mut desk, &inquiries, &to).map_err(refused)?;
                Ok(Answer {
                    kind: "270",
                    outputs: vec![output],
                    report: Report {
                        eligibility_answered: inquiries.len() as u32,
                        ..Report::default()
                    },
                })
            }
            "HR" => {
                let inquiries = medbill_x12::status::read_276(bytes).map_err(|e| e.to_string())?;
                let output = status::answer(&mut desk, &inquiries, &to).map_err(refused)?;
                Ok(Answer {
                    kind: "276",
                    outputs: vec![output],
                    report: Report {
                        status_answered: inquiries.len() as u32,
                        ..Report::default()
                    },
                })
            }
            other => Err(format!(
                "functional group {other}: the simulator takes 837 (HC), 270 (HS) and 276 (HR)"
            )),
        }
    }
}

/// The one functional identifier (GS01) of every group of a file.
fn functional_id(interchanges: &[Interchange]) -> Result<&str, String> {
    let mut ids = interchanges
        .iter()
        .flat_map(|i| &i.groups)
        .map(|g| g.header.functional_id.as_str());
    let Some(first) = ids.next() else {
        return Err("no readable functional group (GS)".into());
    };
    if ids.any(|id| id != first) {
        return Err("groups of more than one kind in one file".into());
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use medbill_x12::eligibility::write_270;
    use medbill_x12::samples;

    use super::*;

    fn folders(root: &Path) -> Folders {
        Folders {
            from: root.join("out"),
            to_billing: root.join("in"),
            to_payments: root.join("pay"),
        }
    }

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2024, 3, 20).unwrap()
    }

    fn config() -> SimConfig {
        SimConfig::from_json(include_str!("../payer-sim.example.json")).unwrap()
    }

    /// Drops a 270 and answers it; returns what was written.
    fn answer_270(root: &Path, seed: u64) -> Vec<(String, Vec<u8>)> {
        let f = folders(root);
        std::fs::create_dir_all(&f.from).unwrap();
        let file = write_270(
            &samples::interchange_params(3),
            &[samples::eligibility_inquiry("0001", 2)],
        )
        .unwrap();
        std::fs::write(f.from.join("270-000000003.x12"), file).unwrap();
        let mut sim = Simulator::open(config(), seed, root.join("work")).unwrap();
        sim.process_dir(&f, today()).unwrap();
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&f.to_billing)
            .unwrap()
            .map(|e| e.unwrap())
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

    #[test]
    fn a_file_is_answered_once_then_set_aside_and_remembered() {
        let root = tempfile::tempdir().unwrap();
        let written = answer_270(root.path(), 1);
        assert_eq!(written.len(), 1);
        let f = folders(root.path());
        assert!(ready_files(&f.from).unwrap().is_empty());
        assert!(f.from.join(PROCESSED).join("270-000000003.x12").exists());
        let mut sim = Simulator::open(config(), 1, root.path().join("work")).unwrap();
        let again = sim.process_dir(&f, today()).unwrap();
        assert!(again.files_taken.is_empty());
        assert_eq!(sim.record().files.len(), 1);
        assert_eq!(sim.record().files[0].answers, [written[0].0.clone()]);
    }

    #[test]
    fn a_270_in_real_time_gets_the_271_the_folder_would_and_is_recorded() {
        let folder = tempfile::tempdir().unwrap();
        let written = answer_270(folder.path(), 4);
        let root = tempfile::tempdir().unwrap();
        let mut sim = Simulator::open(config(), 4, root.path().join("work")).unwrap();
        let x270 = write_270(
            &samples::interchange_params(3),
            &[samples::eligibility_inquiry("0001", 2)],
        )
        .unwrap();
        let x271 = sim.answer_real_time("realtime-1", &x270, today()).unwrap();
        assert_eq!(x271, written[0].1);
        assert_eq!(sim.record().files.len(), 1);
        assert_eq!(sim.record().files[0].name, "realtime-1");
        assert_eq!(sim.record().files[0].answers, [written[0].0.clone()]);
        let reopened = Simulator::open(config(), 4, root.path().join("work")).unwrap();
        assert_eq!(reopened.record().files.len(), 1, "the record was saved");

        let claims = medbill_x12::professional::write_837p(
            &samples::interchange_params(4),
            &[samples::batch("0001", vec![samples::professional_claim(0)])],
        )
        .unwrap();
        for refused in [&claims[..], b"not X12"] {
            let why = match sim.answer_real_time("realtime-2", refused, today()) {
                Err(RealTimeError::Refused(why)) => why,
                other => panic!("{other:?}"),
            };
            assert!(
                why.contains("only a 270") || why.contains("no readable ISA"),
                "{why}"
            );
        }
        assert_eq!(sim.record().files.len(), 1, "nothing recorded");
    }

    #[test]
    fn the_same_file_and_seed_give_the_same_bytes_in_another_place() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        assert_eq!(answer_270(one.path(), 9), answer_270(two.path(), 9));
        let record = |root: &Path| {
            std::fs::read(root.join("work").join(crate::record::RECORD_FILE)).unwrap()
        };
        assert_eq!(record(one.path()), record(two.path()));
    }
}
