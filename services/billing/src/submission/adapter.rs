//! The clearinghouse adapter. Its first implementation is a folder drop:
//! 837, 270 and 276 files are written to `outbound/`, and 999,
//! 277CA, 271 and 277 files are picked up from `inbound/`, the layout a
//! clearinghouse's SFTP client or the payer simulator works with. A file
//! appears in `outbound/` whole: it is written under a dot name and renamed.

use std::io::Write;
use std::path::{Path, PathBuf};

use medbill_platform::ServiceError;
use medbill_platform::db::Database;

use super::store;

/// Where files go to and come from.
pub trait Clearinghouse: Send + Sync {
    /// Hands a file to the clearinghouse.
    fn send(&self, file_name: &str, content: &[u8]) -> std::io::Result<()>;
}

/// The folder-drop clearinghouse under one directory.
#[derive(Debug, Clone)]
pub struct FolderDrop {
    root: PathBuf,
}

impl FolderDrop {
    /// The drop under `root` (`root/outbound`, `root/inbound`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FolderDrop { root: root.into() }
    }

    /// Where outgoing files go.
    pub fn outbound(&self) -> PathBuf {
        self.root.join("outbound")
    }

    /// Where incoming files arrive.
    pub fn inbound(&self) -> PathBuf {
        self.root.join("inbound")
    }
}

impl Clearinghouse for FolderDrop {
    fn send(&self, file_name: &str, content: &[u8]) -> std::io::Result<()> {
        let dir = self.outbound();
        std::fs::create_dir_all(&dir)?;
        write_whole(&dir, file_name, content)
    }
}

/// Writes `dir/name` so that it appears complete or not at all. The
/// partial file's name is unique to this write, so two writers (two
/// instances of the service) never write into each other's file.
pub fn write_whole(dir: &Path, name: &str, content: &[u8]) -> std::io::Result<()> {
    let unique = medbill_kernel::ids::new_uuid_v7();
    let partial = dir.join(format!(".{name}.{unique}.part"));
    let written = std::fs::File::create(&partial).and_then(|mut file| {
        file.write_all(content)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&partial, dir.join(name))) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Hands batch `batch_id` to the clearinghouse and marks it sent. A batch
/// is stored before it is handed over, so a crash in between leaves it
/// CREATED and [`deliver_unsent`] sends it at the next start (the
/// clearinghouse sees the same file name again at worst, never a lost one).
/// The batch's row is held from the check that it is unsent to the mark
/// that it is sent, so two instances (a CreateBatch on one, the start of
/// the other) never both hand it over.
pub async fn deliver(
    db: &Database,
    clearinghouse: &dyn Clearinghouse,
    batch_id: &str,
) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    if !store::set_batch_status(&mut tx, batch_id, &["created"], "created").await? {
        // Sent already (by this instance or another), or not ours to send.
        return Ok(());
    }
    let (name, content) = store::batch_file(&mut tx, batch_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("batch", batch_id))?;
    clearinghouse.send(&name, &content).map_err(|e| {
        ServiceError::Unavailable(format!("clearinghouse drop of {name} failed: {e}"))
    })?;
    store::set_batch_status(&mut tx, batch_id, &["created"], "sent").await?;
    tx.commit().await?;
    tracing::info!(batch_id, file = name, "batch handed to the clearinghouse");
    Ok(())
}

/// Sends every batch still waiting (after a crash or a failed drop).
pub async fn deliver_unsent(db: &Database, clearinghouse: &dyn Clearinghouse) {
    let unsent = match db.pool().acquire().await {
        Ok(mut conn) => store::unsent_batches(&mut conn).await,
        Err(e) => Err(e.into()),
    };
    match unsent {
        Ok(ids) => {
            for id in ids {
                if let Err(e) = deliver(db, clearinghouse, &id).await {
                    tracing::warn!(batch_id = id, error = %e, "batch not delivered; retried at next start");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "unsent batches not read"),
    }
}
