//! [`Text`]: an element value kept inline when short (codes, qualifiers,
//! control numbers, most names), so reading a remittance does not cost one
//! heap allocation per kept element.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Serialize, Serializer};

/// Values up to this many bytes are stored without allocating.
const INLINE: usize = 22;

/// An owned string of element text; at most 22 bytes live inline, longer
/// values on the heap. Behaves like a `&str` (it derefs to one) and
/// serializes as a JSON string.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Text {
    /// The empty text.
    pub const EMPTY: Text = Text(Repr::Inline(0, [0; INLINE]));

    /// Copies a string.
    pub fn new(value: &str) -> Self {
        let bytes = value.as_bytes();
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= INLINE => {
                let mut buf = [0u8; INLINE];
                buf[..bytes.len()].copy_from_slice(bytes);
                Self(Repr::Inline(len, buf))
            }
            _ => Self(Repr::Heap(value.into())),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only `new` fills the buffer, from a `&str`, so this cannot
            // fail; the fallback keeps the type free of panics and `unsafe`.
            Repr::Inline(len, buf) => std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or(""),
            Repr::Heap(s) => s,
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Text {
    fn from(value: String) -> Self {
        Self::new(&value)
    }
}

impl From<Text> for String {
    fn from(value: Text) -> Self {
        value.as_str().to_owned()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_values_read_back_the_same() {
        for value in [
            "",
            "CO",
            "1234567890123456789012",
            "12345678901234567890123",
            "ÉCOLE",
        ] {
            let text = Text::new(value);
            assert_eq!(text.as_str(), value);
            assert_eq!(text, Text::from(value.to_owned()));
        }
    }

    #[test]
    fn texts_order_like_their_strings_whatever_their_storage() {
        let long = Text::new("A2345678901234567890123");
        let short = Text::new("B");
        assert!(long < short);
        assert_eq!(serde_json::to_string(&short).unwrap_or_default(), "\"B\"");
    }
}
