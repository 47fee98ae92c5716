//! Coding edits: the checks `CheckCoding` runs and `ReleaseEncounter`
//! enforces. Each finding has a severity (an error blocks release; a warning
//! must be acknowledged with a reason), a stable edit id, the codes involved,
//! a message and a suggested fix.
//!
//! [`structure`] holds the edits that need only the coding itself (pointers,
//! counts); edits against the code sets (validity on the date of service,
//! NCCI, MUE, MCE, Excludes1, 7th character) read the loaded releases.

pub mod codeset;
pub mod structure;

use serde::{Deserialize, Serialize};

use crate::encounters::domain::{Coding, EncounterType};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// Blocks release.
    Error,
    /// Release needs an acknowledgment with a reason.
    Warning,
    /// For information.
    Info,
}

/// One finding of one edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable edit identifier, e.g. `DX_POINTER_INVALID`.
    pub edit_id: String,
    /// Severity.
    pub severity: Severity,
    /// The codes involved.
    pub codes: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// What a coder can do.
    pub suggested_fix: String,
    /// 0-based procedure line, -1 when none.
    pub line_index: i32,
}

impl Finding {
    /// A key that stays the same for the same finding on the same coding, so
    /// a coder can acknowledge a warning at release.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.edit_id,
            self.codes.join("+"),
            self.line_index
        )
    }
}

/// What the edits look at.
pub struct EditInput<'a> {
    /// The coding to check.
    pub coding: &'a Coding,
    /// The setting (decides claim-form limits).
    pub encounter_type: EncounterType,
}

/// Runs every edit that needs no code set.
pub fn check_structure(input: &EditInput<'_>) -> Vec<Finding> {
    structure::check(input)
}

/// Whether any finding blocks release.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
