//! A borrowed view of one segment and typed access to its elements, with
//! every failure reported at the element it concerns.

use crate::delimiters::Delimiters;
use crate::error::{ElementRef, ErrorKind, Location, X12Error};
use crate::values::{Amount, Date, Quantity};

/// How many element separators a segment remembers the position of; the
/// elements past them (rare: only a few segments have more) are found by
/// scanning.
const INDEXED: usize = 24;

/// One segment of a file, borrowed from the buffer it was read from.
///
/// The positions of its element separators are found once, when the
/// segment is read, so reading element `n` is two array lookups rather
/// than a scan from the start of the segment.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    text: &'a str,
    id_len: usize,
    delimiters: Delimiters,
    index: usize,
    offset: usize,
    /// Byte positions of the first [`INDEXED`] element separators.
    separators: [u16; INDEXED],
    /// How many element separators the segment has in all.
    separator_count: usize,
}

impl<'a> Segment<'a> {
    /// Checks the bytes between two terminators and wraps them.
    ///
    /// `index` is the 1-based ordinal of the segment in the file and `offset`
    /// the byte offset of its first byte; both end up in every error.
    pub fn parse(
        bytes: &'a [u8],
        delimiters: Delimiters,
        index: usize,
        offset: usize,
    ) -> Result<Self, X12Error> {
        Self::build(bytes, None, delimiters, index, offset)
    }

    /// [`Segment::parse`] for a segment cut from a buffer already known to
    /// be UTF-8, which saves validating each segment again.
    pub(crate) fn parse_text(
        text: &'a str,
        delimiters: Delimiters,
        index: usize,
        offset: usize,
    ) -> Result<Self, X12Error> {
        Self::build(text.as_bytes(), Some(text), delimiters, index, offset)
    }

    fn build(
        bytes: &'a [u8],
        known_text: Option<&'a str>,
        delimiters: Delimiters,
        index: usize,
        offset: usize,
    ) -> Result<Self, X12Error> {
        let mut separators = [0u16; INDEXED];
        let mut separator_count = 0;
        // Positions are kept as u16 so a segment stays small to move; a
        // longer segment (64 KiB of one segment: not a real file) is read
        // by scanning.
        if u16::try_from(bytes.len()).is_ok() {
            for (i, b) in (0u16..).zip(bytes) {
                if *b == delimiters.element {
                    if let Some(slot) = separators.get_mut(separator_count) {
                        *slot = i;
                    }
                    separator_count += 1;
                }
            }
        } else {
            separator_count = usize::MAX;
        }
        let id_len = match separator_count {
            0 => bytes.len(),
            usize::MAX => bytes
                .iter()
                .position(|b| *b == delimiters.element)
                .unwrap_or(bytes.len()),
            _ => usize::from(separators[0]),
        };
        let fail = |kind| {
            X12Error::new(
                Location {
                    segment_index: index,
                    byte_offset: offset,
                    segment_id: String::from_utf8_lossy(&bytes[..id_len.min(3)]).into_owned(),
                    element: None,
                },
                kind,
            )
        };
        let id_ok = (2..=3).contains(&id_len)
            && bytes[..id_len]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !id_ok {
            return Err(fail(ErrorKind::InvalidSegmentId));
        }
        let text = match known_text {
            Some(text) => text,
            None => std::str::from_utf8(bytes).map_err(|_| fail(ErrorKind::NotText))?,
        };
        Ok(Self {
            text,
            id_len,
            delimiters,
            index,
            offset,
            separators,
            separator_count,
        })
    }

    /// The segment identifier, e.g. `CLP`.
    pub fn id(&self) -> &'a str {
        &self.text[..self.id_len]
    }

    /// The segment text without its terminator.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// 1-based ordinal of the segment in the file.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Byte offset of the segment in the file.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Ordinal and byte offset together.
    pub fn position(&self) -> crate::error::Position {
        crate::error::Position {
            index: self.index,
            offset: self.offset,
        }
    }

    /// The delimiters in force for this segment.
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// The elements after the identifier, in order (empty ones included).
    pub fn elements(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let rest = &self.text[self.id_len..];
        let separator = char::from(self.delimiters.element);
        rest.split(separator).skip(1)
    }

    /// How many elements follow the identifier (trailing empties included).
    pub fn element_count(&self) -> usize {
        if self.separator_count == usize::MAX {
            return self.elements().count();
        }
        self.separator_count
    }

    /// Element `n` (1-based), or `""` when absent.
    pub fn element(&self, n: usize) -> &'a str {
        if n == 0 {
            return "";
        }
        if self.separator_count == usize::MAX || n > INDEXED {
            return self.elements().nth(n - 1).unwrap_or("");
        }
        if n > self.separator_count {
            return "";
        }
        let start = usize::from(self.separators[n - 1]) + 1;
        let end = match self.separators.get(n) {
            Some(end) if n < self.separator_count => usize::from(*end),
            _ if n == self.separator_count => self.text.len(),
            _ => return self.elements().nth(n - 1).unwrap_or(""),
        };
        self.text.get(start..end).unwrap_or("")
    }

    /// Element `n` when present and not empty.
    pub fn opt(&self, n: usize) -> Option<&'a str> {
        Some(self.element(n)).filter(|v| !v.is_empty())
    }

    /// Element `n`, which the guide requires.
    pub fn req(&self, n: usize) -> Result<&'a str, X12Error> {
        self.opt(n)
            .ok_or_else(|| self.error(n, ErrorKind::MissingElement))
    }

    /// The components of element `n`.
    pub fn components(&self, n: usize) -> impl Iterator<Item = &'a str> + use<'a> {
        self.element(n).split(char::from(self.delimiters.component))
    }

    /// Component `k` (1-based) of element `n`, or `""` when absent.
    pub fn component(&self, n: usize, k: usize) -> &'a str {
        if k == 0 {
            return "";
        }
        self.components(n).nth(k - 1).unwrap_or("")
    }

    /// The repetitions of element `n` (one item when it does not repeat).
    pub fn repetitions(&self, n: usize) -> Vec<&'a str> {
        match self.delimiters.repetition {
            Some(r) => self.element(n).split(char::from(r)).collect(),
            None => vec![self.element(n)],
        }
    }

    /// Element `n` as a required amount of money.
    pub fn amount(&self, n: usize) -> Result<Amount, X12Error> {
        let raw = self.req(n)?;
        Amount::parse(raw)
            .ok_or_else(|| self.invalid(n, raw, "a decimal amount with at most 2 places"))
    }

    /// Element `n` as an amount of money when present.
    pub fn opt_amount(&self, n: usize) -> Result<Option<Amount>, X12Error> {
        self.opt(n).map(|_| self.amount(n)).transpose()
    }

    /// Element `n` as a quantity (units, counts) when present.
    pub fn opt_quantity(&self, n: usize) -> Result<Option<Quantity>, X12Error> {
        self.opt(n)
            .map(|raw| Quantity::parse(raw).ok_or_else(|| self.invalid(n, raw, "a decimal number")))
            .transpose()
    }

    /// Element `n` as a required `CCYYMMDD` date.
    pub fn date(&self, n: usize) -> Result<Date, X12Error> {
        let raw = self.req(n)?;
        Date::parse(raw).ok_or_else(|| self.invalid(n, raw, "a CCYYMMDD date"))
    }

    /// Element `n` as a `CCYYMMDD` date when present.
    pub fn opt_date(&self, n: usize) -> Result<Option<Date>, X12Error> {
        self.opt(n).map(|_| self.date(n)).transpose()
    }

    /// Where this segment sits, kept without allocating (for "the file
    /// ended after this segment" errors).
    pub fn mark(&self) -> Mark {
        let mut id = [0u8; 3];
        let len = self.id_len.min(3);
        id[..len].copy_from_slice(&self.text.as_bytes()[..len]);
        Mark {
            index: self.index,
            offset: self.offset,
            id,
            id_len: len,
        }
    }

    /// Where this segment (and optionally one of its elements) sits.
    pub fn location(&self, element: Option<ElementRef>) -> Location {
        Location {
            segment_index: self.index,
            byte_offset: self.offset,
            segment_id: self.id().to_owned(),
            element,
        }
    }

    /// An error about element `n` of this segment.
    pub fn error(&self, n: usize, kind: ErrorKind) -> X12Error {
        X12Error::new(
            self.location(Some(ElementRef {
                element: n,
                component: None,
            })),
            kind,
        )
    }

    /// An error about component `k` of element `n`.
    pub fn component_error(&self, n: usize, k: usize, kind: ErrorKind) -> X12Error {
        X12Error::new(
            self.location(Some(ElementRef {
                element: n,
                component: Some(k),
            })),
            kind,
        )
    }

    /// An error about the segment as a whole.
    pub fn segment_error(&self, kind: ErrorKind) -> X12Error {
        X12Error::new(self.location(None), kind)
    }

    /// An invalid-value error about element `n`.
    pub fn invalid(&self, n: usize, value: &str, expected: &'static str) -> X12Error {
        self.error(
            n,
            ErrorKind::InvalidValue {
                value: value.to_owned(),
                expected,
            },
        )
    }

    /// The segment's elements as owned strings (for generic JSON output).
    pub fn to_strings(&self) -> Vec<String> {
        std::iter::once(self.id())
            .chain(self.elements())
            .map(str::to_owned)
            .collect()
    }
}

/// A segment's ordinal, offset and identifier, copied out of it.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    index: usize,
    offset: usize,
    id: [u8; 3],
    id_len: usize,
}

impl Mark {
    /// The location of the marked segment.
    pub fn location(&self) -> Location {
        Location {
            segment_index: self.index,
            byte_offset: self.offset,
            segment_id: String::from_utf8_lossy(&self.id[..self.id_len]).into_owned(),
            element: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> Segment<'_> {
        Segment::parse(text.as_bytes(), Delimiters::default(), 7, 100).expect("valid segment")
    }

    #[test]
    fn elements_and_components_are_addressed_from_one() {
        let s = seg("SVC*HC:99213:25*100*80**1");
        assert_eq!(s.id(), "SVC");
        assert_eq!(s.element(2), "100");
        assert_eq!(s.component(1, 2), "99213");
        assert_eq!(s.component(1, 3), "25");
        assert_eq!(s.element(4), "");
        assert_eq!(s.element(9), "");
        assert_eq!(s.element_count(), 5);
    }

    #[test]
    fn a_missing_required_element_names_segment_and_element() {
        let s = seg("CLP*A**100");
        let err = s.req(2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "segment 7 (CLP) at byte 100, CLP02: required element is missing"
        );
    }

    #[test]
    fn a_lower_case_identifier_is_rejected() {
        assert!(Segment::parse(b"clp*1", Delimiters::default(), 1, 0).is_err());
    }

    #[test]
    fn repetitions_split_on_the_isa11_separator() {
        let s = seg("HI*ABK:A01^ABF:B02");
        assert_eq!(s.repetitions(1), vec!["ABK:A01", "ABF:B02"]);
    }
}
