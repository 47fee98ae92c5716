//! The simulator's one error type: what could not be read or written, and
//! where. A file billing dropped that cannot be answered is not an error of
//! the simulator: it is set aside in `failed/` and named in the report.

use std::path::PathBuf;

/// Why the simulator could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A file or folder could not be read, written or moved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The configuration is not valid; the text names the field.
    #[error("configuration: {0}")]
    Config(String),
    /// The record file in the work directory cannot be read.
    #[error("record {}: {reason}", path.display())]
    Record {
        /// The record file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An X12 writer refused what the simulator built: a fault of the
    /// simulator (or of a configured value the validation missed).
    #[error("writing the {what}: {source}")]
    Write {
        /// The file being written (`999`, `835`, ...).
        what: &'static str,
        /// The writer's complaint, naming the field.
        source: medbill_x12::WriteError,
    },
}

impl SimError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SimError::Io {
            path: path.into(),
            source,
        }
    }

    /// A writer refusal while writing `what`.
    pub(crate) fn write(what: &'static str) -> impl FnOnce(medbill_x12::WriteError) -> Self {
        move |source| SimError::Write { what, source }
    }
}
