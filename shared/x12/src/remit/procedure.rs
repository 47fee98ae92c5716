//! The procedure composite of SVC01/SVC06 (and of the 271 EB13 and 277CA
//! SVC01): qualifier, code and up to four two-character modifiers, kept
//! inline so a service line does not allocate for its modifiers.

use std::fmt;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::segment::Segment;
use crate::text::Text;
use crate::{ErrorKind, X12Error};

/// A procedure code composite (SVC01, SVC06): qualifier, code, modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Procedure {
    /// `HC` (HCPCS/CPT), `NU` (revenue), `N4` (NDC), ...
    pub qualifier: Text,
    /// The code.
    pub code: Text,
    /// Up to four modifiers.
    pub modifiers: Modifiers,
}

impl Procedure {
    /// Reads the composite in element `n` (qualifier and code required;
    /// components 3-6 are modifiers, two letters or digits each).
    pub fn read(seg: &Segment<'_>, n: usize) -> Result<Self, X12Error> {
        let mut parts = seg.components(n);
        let qualifier = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        if qualifier.is_empty() {
            return Err(seg.component_error(n, 1, ErrorKind::MissingElement));
        }
        if code.is_empty() {
            return Err(seg.component_error(n, 2, ErrorKind::MissingElement));
        }
        let mut modifiers = Modifiers::default();
        for (k, modifier) in (3..).zip(parts.take(4)) {
            if !modifier.is_empty() && !modifiers.push(modifier) {
                return Err(seg.component_error(
                    n,
                    k,
                    ErrorKind::InvalidValue {
                        value: modifier.to_owned(),
                        expected: "a two-character procedure modifier",
                    },
                ));
            }
        }
        Ok(Self {
            qualifier: Text::new(qualifier),
            code: Text::new(code),
            modifiers,
        })
    }
}

/// Up to four procedure modifiers (two letters or digits each, e.g. `25`,
/// `XU`, `LT`), in the order sent. Serializes as a list of strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Modifiers {
    len: u8,
    codes: [[u8; 2]; 4],
}

impl Modifiers {
    /// Adds a modifier; false (and nothing added) when four are held or
    /// `code` is not two ASCII letters or digits.
    pub fn push(&mut self, code: &str) -> bool {
        let ([a, b], Some(slot)) = (code.as_bytes(), self.codes.get_mut(usize::from(self.len)))
        else {
            return false;
        };
        if !(a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric()) {
            return false;
        }
        *slot = [*a, *b];
        self.len += 1;
        true
    }

    /// The modifiers, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        self.codes
            .iter()
            .take(usize::from(self.len))
            // Only `push` fills a slot, with ASCII: never the fallback.
            .map(|code| std::str::from_utf8(code).unwrap_or(""))
    }

    /// How many modifiers there are.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Modifiers {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl fmt::Debug for Modifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Modifiers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for code in self.iter() {
            seq.serialize_element(code)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Delimiters;

    fn procedure(text: &str) -> Result<Procedure, X12Error> {
        let seg = Segment::parse(text.as_bytes(), Delimiters::default(), 3, 40)?;
        Procedure::read(&seg, 1)
    }

    #[test]
    fn modifiers_are_kept_in_order_and_empty_components_skipped() {
        let p = procedure("SVC*HC:99213:25::XU*100").expect("reads");
        assert_eq!(p.code, "99213");
        assert_eq!(p.modifiers, ["25", "XU"]);
        assert_eq!(
            serde_json::to_string(&p.modifiers).unwrap_or_default(),
            r#"["25","XU"]"#
        );
    }

    #[test]
    fn a_modifier_that_is_not_two_characters_names_its_component() {
        let err = procedure("SVC*HC:99213:255*100").unwrap_err();
        assert_eq!(
            err.to_string(),
            "segment 3 (SVC) at byte 40, SVC01-3: invalid value \"255\": expected a two-character procedure modifier"
        );
        assert!(procedure("SVC*HC:99213:2*100").is_err());
    }

    #[test]
    fn at_most_four_modifiers_are_read() {
        let p = procedure("SVC*HC:99213:25:59:XU:LT:RT*100").expect("reads");
        assert_eq!(p.modifiers, ["25", "59", "XU", "LT"]);
    }
}
