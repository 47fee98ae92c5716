//! Coding edits: the checks `CheckCoding` runs and `ReleaseEncounter`
//! enforces. Each finding has a severity (an error blocks release; a warning
//! must be acknowledged with a reason), a stable edit id, the codes involved,
//! a message and a suggested fix.
//!
//! [`structure`] holds the edits that need only the coding itself (pointers,
//! counts); [`codeset`] the edits against the code sets (validity on the
//! date of service, NCCI, MUE, MCE, Excludes1, 7th character), which read
//! the loaded releases once and then decide without the database.
//! [`finding`] is a leaf the encounter domain may hold findings through.

pub mod codeset;
pub mod finding;
pub mod input;
pub mod structure;

pub use finding::{Finding, Severity};
pub use input::EditInput;

/// Runs every edit that needs no code set.
pub fn check_structure(input: &EditInput<'_>) -> Vec<Finding> {
    structure::check(input)
}

/// Whether any finding blocks release.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
