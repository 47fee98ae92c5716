//! What an edit reports: a finding with its severity. A leaf: it imports
//! nothing from the crate, so the encounter domain can hold findings without
//! depending on the edits that produce them.

use serde::{Deserialize, Serialize};

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
    /// A finding of `edit_id` on `codes`, at procedure line `line_index`
    /// (-1 when it concerns no line).
    pub fn new(
        edit_id: &str,
        severity: Severity,
        codes: Vec<String>,
        message: String,
        suggested_fix: &str,
        line_index: i32,
    ) -> Finding {
        Finding {
            edit_id: edit_id.to_string(),
            severity,
            codes,
            message,
            suggested_fix: suggested_fix.to_string(),
            line_index,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_key_names_the_edit_codes_and_line() {
        let f = Finding::new(
            "NCCI_PTP_BYPASSED",
            Severity::Warning,
            vec!["10021".into(), "10004".into()],
            "bundled".into(),
            "confirm",
            1,
        );
        assert_eq!(f.key(), "NCCI_PTP_BYPASSED:10021+10004:1");
    }
}
