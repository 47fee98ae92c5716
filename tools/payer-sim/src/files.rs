//! The folders: which files in billing's outbound folder are ready (the
//! names billing finished writing), setting a file aside once it is dealt
//! with, and writing answers so they appear whole or not at all.
//!
//! Billing writes each outbound file as `.<name>.part` and renames it when
//! complete (`services/billing/src/submission/adapter.rs`), and both
//! billing's and payments' pollers skip names that start with a dot; the
//! simulator follows the same convention both ways.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::draws::fnv1a;
use crate::error::SimError;

/// Where a file goes once it has been answered.
pub const PROCESSED: &str = "processed";

/// Where a file goes that cannot be answered, beside a `.error` note.
pub const FAILED: &str = "failed";

/// The names of the files in `dir` that are complete, in name order:
/// regular files whose name does not start with `.` (a file still being
/// written) nor end with `.part`. A missing folder has none.
pub fn ready_files(dir: &Path) -> Result<Vec<String>, SimError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SimError::io(dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SimError::io(dir, e))?;
        let kind = entry
            .file_type()
            .map_err(|e| SimError::io(entry.path(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_file() && !name.starts_with('.') && !name.ends_with(".part") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// A file's identity for "seen before": its length and FNV-1a hash.
pub fn digest(bytes: &[u8]) -> String {
    format!("{}-{:016x}", bytes.len(), fnv1a(bytes))
}

/// Writes `dir/name` under a dot name first and renames it, so a reader
/// never sees it half-written.
pub fn write_whole(dir: &Path, name: &str, content: &[u8]) -> Result<PathBuf, SimError> {
    std::fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
    let partial = dir.join(format!(".{name}.part"));
    let target = dir.join(name);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(content)?;
        file.sync_all()?;
        std::fs::rename(&partial, &target)
    };
    write().map_err(|e| SimError::io(&target, e))?;
    Ok(target)
}

/// Moves `dir/name` into `dir/to/`, under a free name (`name.1`, ... when
/// a file of that name was set aside before), with `note` beside it as
/// `<name>.error` when given.
pub fn set_aside(
    dir: &Path,
    to: &str,
    name: &str,
    note: Option<&str>,
) -> Result<PathBuf, SimError> {
    let into = dir.join(to);
    std::fs::create_dir_all(&into).map_err(|e| SimError::io(&into, e))?;
    let mut target = into.join(name);
    let mut n = 0;
    while target.exists() {
        n += 1;
        target = into.join(format!("{name}.{n}"));
    }
    if let Some(note) = note {
        let note_name = format!(
            "{}.error",
            target
                .file_name()
                .map_or_else(|| name.into(), |f| f.to_string_lossy().into_owned())
        );
        write_whole(&into, &note_name, format!("{note}\n").as_bytes())?;
    }
    std::fs::rename(dir.join(name), &target).map_err(|e| SimError::io(dir.join(name), e))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_billing_finished_writing_are_ready() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("837P-000000002.x12"), b"b").unwrap();
        std::fs::write(dir.path().join("837P-000000001.x12"), b"a").unwrap();
        std::fs::write(dir.path().join(".837P-000000003.x12.part"), b"half").unwrap();
        std::fs::write(dir.path().join("270-000000004.x12.part"), b"half").unwrap();
        std::fs::create_dir(dir.path().join("processed")).unwrap();
        assert_eq!(
            ready_files(dir.path()).unwrap(),
            ["837P-000000001.x12", "837P-000000002.x12"]
        );
        assert!(ready_files(&dir.path().join("absent")).unwrap().is_empty());
    }

    #[test]
    fn a_file_set_aside_twice_keeps_both_copies() {
        let dir = tempfile::tempdir().unwrap();
        for content in [b"one", b"two"] {
            std::fs::write(dir.path().join("f.x12"), content).unwrap();
            set_aside(dir.path(), PROCESSED, "f.x12", None).unwrap();
        }
        let processed = dir.path().join(PROCESSED);
        assert_eq!(std::fs::read(processed.join("f.x12")).unwrap(), b"one");
        assert_eq!(std::fs::read(processed.join("f.x12.1")).unwrap(), b"two");
        std::fs::write(dir.path().join("bad.x12"), b"?").unwrap();
        set_aside(dir.path(), FAILED, "bad.x12", Some("not X12")).unwrap();
        let note = std::fs::read_to_string(dir.path().join(FAILED).join("bad.x12.error")).unwrap();
        assert_eq!(note, "not X12\n");
    }
}
