//! Payments' own clearinghouse folder: the files in its `inbound/` are
//! picked up in name order. A deposit file (`*.csv`, see
//! [`crate::deposits::csv`]) has each row recorded as a bank deposit; any
//! other file is an 835 and is posted as `IngestRemittance` posts it. A
//! file done with moves to `inbound/processed/`; a file that is not a valid
//! 835 or deposit file moves to `inbound/failed/` beside a `.error` file
//! saying why; a file whose posting failed for a passing reason (the
//! database) stays for the next poll. Posting is idempotent (per file and
//! per payer + trace; per row key for deposits), so a file seen twice posts
//! nothing the second time. Several instances of payments may poll one
//! folder: each posts what it sees (the database keeps the first posting),
//! and a file another instance has already set aside is passed over.
//!
//! Files whose name starts with `.` are being written and are skipped, and
//! so is a file changed in the last [`QUIET`], so a drop copied in slowly
//! (no rename) is not read half-written.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;
use tokio::sync::watch;

use crate::deposits::csv::read_deposits;
use crate::deposits::service::Deposits;
use crate::remittances::ingest::Ingestion;

/// How often `inbound/` is looked at.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long a file must be left unchanged before it is read.
pub const QUIET: Duration = Duration::from_millis(300);

/// Who the poller posts as.
pub const ACTOR: &str = "payments.inbound";

/// The folder and what posts its files.
#[derive(Clone)]
pub struct Inbound {
    inbound: PathBuf,
    ingestion: Ingestion,
    deposits: Deposits,
}

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    /// Files posted and moved to `processed/`.
    pub processed: Vec<String>,
    /// Files moved to `failed/`.
    pub failed: Vec<String>,
    /// Files left for the next poll after a passing failure.
    pub retried: Vec<String>,
}

/// Why one file was not posted.
enum Refusal {
    /// Not a valid file: set aside with this text.
    Invalid(String),
    /// A passing failure: left in place.
    Passing(ServiceError),
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { field, rule } => Refusal::Invalid(format!("{field}: {rule}")),
            other => Refusal::Passing(other),
        }
    }
}

impl Inbound {
    /// The poller of `<dir>/inbound/`, posting into `db` dated on `clock`.
    pub fn new(dir: &Path, db: Database, clock: Clock) -> Self {
        Inbound {
            inbound: dir.join("inbound"),
            ingestion: Ingestion::new(db.clone(), clock.clone()),
            deposits: Deposits::new(db, clock),
        }
    }

    /// Polls until `stop`.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.poll_once().await {
                tracing::warn!(error = %e, "payments inbound folder not read");
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Posts every file now in `inbound/` that has been left quiet.
    pub async fn poll_once(&self) -> std::io::Result<PollOutcome> {
        let mut outcome = PollOutcome::default();
        for name in self.ready_files()? {
            let path = self.inbound.join(&name);
            let content = match std::fs::read(&path) {
                Ok(content) => content,
                // Another instance set it aside meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            match self.post(&name, &content).await {
                Ok(()) => {
                    self.set_aside("processed", &name, None)?;
                    outcome.processed.push(name);
                }
                Err(Refusal::Invalid(why)) => {
                    tracing::warn!(file = name, reason = %why, "inbound file refused");
                    self.set_aside("failed", &name, Some(&why))?;
                    outcome.failed.push(name);
                }
                Err(Refusal::Passing(e)) => {
                    tracing::warn!(file = name, error = %e, "inbound file not posted; retried");
                    outcome.retried.push(name);
                }
            }
        }
        Ok(outcome)
    }

    fn ready_files(&self) -> std::io::Result<Vec<String>> {
        let entries = match std::fs::read_dir(&self.inbound) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let now = SystemTime::now();
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let settled = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_none_or(|age| age >= QUIET);
            if meta.is_file() && !name.starts_with('.') && settled {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    async fn post(&self, name: &str, content: &[u8]) -> Result<(), Refusal> {
        if !name.to_ascii_lowercase().ends_with(".csv") {
            let posted = self.ingestion.ingest(content, name, ACTOR).await?;
            tracing::info!(
                file = name,
                claims = posted.remittance.claims.len(),
                exceptions = posted.exceptions.len(),
                newly_posted = posted.newly_posted,
                "remittance posted from the inbound folder"
            );
            return Ok(());
        }
        let text = std::str::from_utf8(content)
            .map_err(|_| Refusal::Invalid("the deposit file is not UTF-8 text".into()))?;
        let rows = read_deposits(text).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            Refusal::Invalid(lines.join("\n"))
        })?;
        for row in &rows {
            self.deposits
                .record(row.to_deposit(), ACTOR)
                .await
                .map_err(|e| match Refusal::from(e) {
                    Refusal::Invalid(why) => Refusal::Invalid(format!("line {}: {why}", row.line)),
                    passing => passing,
                })?;
        }
        tracing::info!(
            file = name,
            deposits = rows.len(),
            "deposits recorded from the inbound folder"
        );
        Ok(())
    }

    /// Moves `name` to `inbound/<to>/` (with a `.error` note when given);
    /// a file already moved by another instance is left to it.
    fn set_aside(&self, to: &str, name: &str, error: Option<&str>) -> std::io::Result<()> {
        let dir = self.inbound.join(to);
        std::fs::create_dir_all(&dir)?;
        if let Some(error) = error {
            let unique = medbill_kernel::ids::new_uuid_v7();
            let temp = dir.join(format!(".{name}.{unique}.error"));
            std::fs::write(&temp, format!("{error}\n"))?;
            std::fs::rename(&temp, dir.join(format!("{name}.error")))?;
        }
        match std::fs::rename(self.inbound.join(name), dir.join(name)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            moved => moved,
        }
    }
}
