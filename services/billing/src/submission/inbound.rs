//! The clearinghouse folder's background work: at start, batches stored
//! but not yet dropped (a crash between the two) are dropped; then the
//! `inbound/` folder is polled and each acknowledgment file is applied and
//! moved to `inbound/processed/`, or, when it is not a valid 999, 277CA,
//! 271 or 277 (see [`super::kind`]),
//! to `inbound/failed/` beside a `.error` file saying why. A file whose
//! ingestion failed for a passing reason (the database) stays for the next
//! poll; applying the same file twice changes nothing. Several instances
//! of billing may poll one folder: each applies what it sees (the
//! database keeps the first application of a file's content and refuses
//! the rest), and a file another instance has already set aside is passed
//! over.

use std::path::Path;
use std::time::Duration;

use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;
use tokio::sync::watch;

use super::adapter::{self, FolderDrop, write_whole};
use super::grpc;

/// How often `inbound/` is looked at.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Who the poller acts as in claim histories.
pub const ACTOR: &str = "billing.inbound";

/// Runs until `stop`.
pub async fn run(db: Database, clock: Clock, folder: FolderDrop, mut stop: watch::Receiver<bool>) {
    adapter::deliver_unsent(&db, &folder).await;
    loop {
        if let Err(e) = poll_once(&db, &clock, &folder.inbound()).await {
            tracing::warn!(error = %e, "inbound folder not read");
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Applies every file now in `inbound`; how many were applied or set aside.
pub async fn poll_once(db: &Database, clock: &Clock, inbound: &Path) -> std::io::Result<usize> {
    let mut names = Vec::new();
    match std::fs::read_dir(inbound) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type()?.is_file() && !name.starts_with('.') {
                    names.push(name);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    }
    names.sort();
    let mut done = 0;
    for name in names {
        let path = inbound.join(&name);
        let content = match std::fs::read(&path) {
            Ok(content) => content,
            // Another instance set it aside meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        match grpc::ingest(db, clock, &content, &name, ACTOR).await {
            Ok(ack) => {
                tracing::info!(
                    file = name,
                    kind = ack.transaction_type,
                    accepted = ack.claims_accepted,
                    rejected = ack.claims_rejected,
                    unmatched = ack.unmatched.len(),
                    "acknowledgment applied"
                );
                set_aside(inbound, "processed", &name, None)?;
                done += 1;
            }
            Err(ServiceError::Invalid { field, rule }) => {
                tracing::warn!(file = name, %field, %rule, "inbound file refused");
                set_aside(
                    inbound,
                    "failed",
                    &name,
                    Some(&format!("{field}: {rule}\n")),
                )?;
                done += 1;
            }
            Err(e) => {
                tracing::warn!(file = name, error = %e, "inbound file not applied; retried");
            }
        }
    }
    Ok(done)
}

/// Moves `name` to `inbound/<to>/` (with a `.error` note when given); a
/// file already moved by another instance is left to it.
fn set_aside(inbound: &Path, to: &str, name: &str, error: Option<&str>) -> std::io::Result<()> {
    let dir = inbound.join(to);
    std::fs::create_dir_all(&dir)?;
    if let Some(error) = error {
        write_whole(&dir, &format!("{name}.error"), error.as_bytes())?;
    }
    match std::fs::rename(inbound.join(name), dir.join(name)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        moved => moved,
    }
}
