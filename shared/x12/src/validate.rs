//! The validation report: findings with positions, one per line.

use std::fmt;

use serde::Serialize;

use crate::error::{Location, X12Error};
use crate::remit::balance::BalanceFinding;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file breaks the standard or does not balance.
    Error,
    /// The file is usable but unusual.
    Warning,
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where it is.
    pub location: Location,
    /// What it is.
    pub message: String,
}

impl Finding {
    /// A reader error as an error finding.
    pub fn from_error(e: X12Error) -> Self {
        let e = e.into_detail();
        Self {
            severity: Severity::Error,
            message: e.kind.to_string(),
            location: e.location,
        }
    }

    /// An 835 imbalance as an error finding.
    pub fn from_balance(b: &BalanceFinding) -> Self {
        let text = b.to_string();
        let message = text
            .split_once("): ")
            .map_or(text.clone(), |(_, m)| m.to_owned());
        Self {
            severity: Severity::Error,
            location: Location {
                segment_index: b.segment_index,
                byte_offset: b.byte_offset,
                segment_id: b.segment_id.to_owned(),
                element: None,
            },
            message: format!("unbalanced: {message}"),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}: {}", self.location, self.message)
    }
}

/// Everything `validate` found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    /// Transaction sets seen.
    pub transactions: usize,
    /// Findings in file order.
    pub findings: Vec<Finding>,
}

impl ValidationReport {
    /// Whether any finding is an error (the CLI then exits non-zero).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Adds findings.
    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }
}

impl fmt::Display for ValidationReport {
    /// One finding per line, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        let errors = self
            .findings
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count();
        write!(
            f,
            "{} transaction set(s), {errors} error(s), {} warning(s)",
            self.transactions,
            self.findings.len() - errors
        )
    }
}
