//! A scrubber finding and its severity.

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Holds the claim.
    Error,
    /// Shown; the claim goes.
    Warning,
}

impl Severity {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// The severity of a stored name.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

/// One finding of a scrub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule_id: String,
    /// Error or warning.
    pub severity: Severity,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub suggested_fix: String,
}

impl Finding {
    /// Whether it holds the claim.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
