//! A wrapper for patient data (names, birth dates, member ids, addresses,
//! documentation) whose `Debug` and `Display` print `[redacted]`, so that a
//! stray `{:?}` in a log line or an error message never leaks PHI. The value is
//! reached only through [`Redacted::expose`], which is easy to find in review.

use std::fmt;

/// Patient data that must never reach a log.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Redacted(value)
    }

    /// The value, for code that needs it (storage, the wire, edits).
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Redacted<T> {
    fn from(value: T) -> Self {
        Redacted(value)
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let name = Redacted::new(String::from("Jane Doe"));
        assert_eq!(format!("{name:?} {name}"), "[redacted] [redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Patient {
            name: Redacted<String>,
        }
        let shown = format!("{:?}", Patient { name: name.clone() });
        assert!(!shown.contains("Jane"), "{shown}");
        assert_eq!(name.expose(), "Jane Doe");
    }
}
