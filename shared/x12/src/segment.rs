//! A borrowed view of one segment and typed access to its elements, with
//! every failure reported at the element it concerns.

use crate::delimiters::Delimiters;
use crate::error::{ElementRef, ErrorKind, Location, X12Error};
use crate::values::{Amount, Date, Quantity};

/// A segment identifier (two or three upper-case letters or digits)
/// packed into an integer, so that dispatching on it is one comparison
/// rather than a string compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentId(u32);

impl SegmentId {
    /// Packs an identifier (only its first three bytes count).
    pub const fn new(id: &str) -> Self {
        let bytes = id.as_bytes();
        let mut code = 0u32;
        let mut i = 0;
        while i < bytes.len() && i < 3 {
            code = (code << 8) | bytes[i] as u32;
            i += 1;
        }
        Self(code)
    }

    /// `ISA` interchange header.
    pub const ISA: Self = Self::new("ISA");
    /// `IEA` interchange trailer.
    pub const IEA: Self = Self::new("IEA");
    /// `GS` functional group header.
    pub const GS: Self = Self::new("GS");
    /// `GE` functional group trailer.
    pub const GE: Self = Self::new("GE");
    /// `ST` transaction set header.
    pub const ST: Self = Self::new("ST");
    /// `SE` transaction set trailer.
    pub const SE: Self = Self::new("SE");
}

impl std::fmt::Display for SegmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for byte in self.0.to_be_bytes().into_iter().skip_while(|b| *b == 0) {
            write!(f, "{}", char::from(byte))?;
        }
        Ok(())
    }
}

/// Segments up to this many bytes have their separator positions indexed
/// (one byte each); the elements of a longer segment (rare: long free
/// text) are found by scanning.
const INDEXED_LEN: usize = 255;

/// How many separator positions are kept; elements past them (a CAS with
/// all six triples has 19) are found by scanning.
const INDEXED: usize = 32;

/// Where the element separators of one segment are, found eight bytes at
/// a time when the segment is read, so that element `n` is two lookups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Separators {
    /// Byte positions of the first [`INDEXED`] separators.
    positions: [u8; INDEXED],
    /// How many element separators the segment has in all.
    count: usize,
    /// The segment length, for the end of the last element.
    len: usize,
}

impl Separators {
    /// Finds the separators of a segment cut at its terminator.
    #[cfg(test)]
    fn of(bytes: &[u8], element: u8) -> Self {
        let mut found = Self::EMPTY;
        found.fill(bytes, element);
        found
    }

    const EMPTY: Self = Self {
        positions: [0; INDEXED],
        count: 0,
        len: 0,
    };

    /// Finds the separators of a segment cut at its terminator, in place
    /// (positions are written a byte at a time and read a byte at a time;
    /// building them elsewhere and moving them in would make the move wait
    /// on those narrow stores).
    fn fill(&mut self, bytes: &[u8], element: u8) {
        self.count = 0;
        self.len = bytes.len();
        let found = self;
        let mut chunks = bytes.chunks_exact(8);
        let mut base = 0;
        for chunk in &mut chunks {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let mut hits = bytes_equal(u64::from_le_bytes(word), element);
            while hits != 0 {
                found.push(base + (hits.trailing_zeros() / 8) as usize);
                hits &= hits - 1;
            }
            base += 8;
        }
        for (i, b) in chunks.remainder().iter().enumerate() {
            if *b == element {
                found.push(base + i);
            }
        }
    }

    fn push(&mut self, at: usize) {
        if let (Some(slot), Ok(at)) = (self.positions.get_mut(self.count), u8::try_from(at)) {
            *slot = at;
        }
        self.count += 1;
    }

    /// Whether the positions can be trusted (the segment is short enough
    /// for one-byte positions).
    fn indexed(&self) -> bool {
        self.len <= INDEXED_LEN
    }

    /// The byte position of separator `k` (0-based), if it is indexed.
    fn position(&self, k: usize) -> Option<usize> {
        if k < self.count && self.indexed() {
            self.positions.get(k).map(|p| usize::from(*p))
        } else {
            None
        }
    }
}

/// Finds the first `terminator` in `rest`, eight bytes at a time.
pub(crate) fn find_terminator(rest: &[u8], terminator: u8) -> Option<usize> {
    let mut chunks = rest.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let hits = bytes_equal(u64::from_le_bytes(word), terminator);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    let tail = chunks.remainder().iter().position(|b| *b == terminator)?;
    Some(base + tail)
}

/// The high bit of every byte of `word` that equals `byte`, and no other
/// bit (exact, unlike the carry-based zero-byte test).
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// One segment of a file, borrowed from the buffer it was read from.
///
/// The positions of its element separators are found once, when the
/// segment is read, so reading element `n` is two array lookups rather
/// than a scan from the start of the segment.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    text: &'a str,
    id_len: usize,
    code: SegmentId,
    delimiters: Delimiters,
    index: usize,
    offset: usize,
    separators: Separators,
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
        let mut seg = Self::blank(delimiters);
        seg.refill(bytes, None, delimiters, index, offset)?;
        Ok(seg)
    }

    /// A segment with no text, to be [`refill`](Self::refill)ed.
    pub(crate) fn blank(delimiters: Delimiters) -> Self {
        Self {
            text: "",
            id_len: 0,
            code: SegmentId(0),
            delimiters,
            index: 0,
            offset: 0,
            separators: Separators::EMPTY,
        }
    }

    /// Makes this segment the one in `bytes`, in place: the in-memory
    /// reader keeps one segment value and refills it, so no segment is
    /// ever moved. On error the segment is left unusable (empty text).
    pub(crate) fn refill(
        &mut self,
        bytes: &'a [u8],
        known_text: Option<&'a str>,
        delimiters: Delimiters,
        index: usize,
        offset: usize,
    ) -> Result<(), X12Error> {
        self.text = "";
        self.separators.fill(bytes, delimiters.element);
        let separators = &self.separators;
        let id_len = match separators.position(0) {
            Some(at) => at,
            None if separators.count == 0 => bytes.len(),
            None => bytes
                .iter()
                .position(|b| *b == delimiters.element)
                .unwrap_or(bytes.len()),
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
        let id_byte = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        let code = match bytes.get(..id_len) {
            Some(id @ ([_, _] | [_, _, _])) if id.iter().all(id_byte) => {
                id.iter().fold(0u32, |code, b| (code << 8) | u32::from(*b))
            }
            _ => return Err(fail(ErrorKind::InvalidSegmentId)),
        };
        self.text = match known_text {
            Some(text) => text,
            None => std::str::from_utf8(bytes).map_err(|_| fail(ErrorKind::NotText))?,
        };
        self.id_len = id_len;
        self.code = SegmentId(code);
        self.delimiters = delimiters;
        self.index = index;
        self.offset = offset;
        Ok(())
    }

    /// The identifier packed for matching (see [`SegmentId`]).
    pub fn code(&self) -> SegmentId {
        self.code
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
        self.separators.count
    }

    /// Element `n` (1-based), or `""` when absent.
    pub fn element(&self, n: usize) -> &'a str {
        let seps = &self.separators;
        if n == 0 || n > seps.count {
            return "";
        }
        if n >= INDEXED || !seps.indexed() {
            return self.elements().nth(n - 1).unwrap_or("");
        }
        let start = usize::from(seps.positions[n - 1]) + 1;
        let end = match seps.positions.get(n) {
            Some(end) if n < seps.count => usize::from(*end),
            _ => seps.len,
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
    pub fn components(&self, n: usize) -> Components<'a> {
        Components {
            rest: Some(self.element(n)),
            separator: self.delimiters.component,
        }
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
        Mark {
            index: self.index,
            offset: self.offset,
            id: self.code,
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

/// The components of one element, split at the component separator (a
/// byte scan: the separator is ASCII, so every piece is still text).
#[derive(Debug, Clone)]
pub struct Components<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for Components<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == self.separator) {
            Some(at) => {
                self.rest = rest.get(at + 1..);
                rest.get(..at)
            }
            None => self.rest.take(),
        }
    }
}

/// A segment's ordinal, offset and identifier, copied out of it.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    index: usize,
    offset: usize,
    id: SegmentId,
}

impl Mark {
    /// The location of the marked segment.
    pub fn location(&self) -> Location {
        Location {
            segment_index: self.index,
            byte_offset: self.offset,
            segment_id: self.id.to_string(),
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
    fn the_word_scans_agree_with_byte_by_byte_search() {
        for text in [
            "SVC*HC:99213:25*100*80**1~CAS*CO*45*20~",
            "LX*1~",
            "N1*PR*A VERY LONG PAYER NAME THAT SPANS SEVERAL WORDS*XV*12345~REF*X*Y~",
            "DTM*472*20240301",
            "~",
            "AB*~",
            "********~",
        ] {
            let bytes = text.as_bytes();
            let end = bytes.iter().position(|b| *b == b'~');
            assert_eq!(find_terminator(bytes, b'~'), end, "{text}");
            let seg = &bytes[..end.unwrap_or(bytes.len())];
            let found = Separators::of(seg, b'*');
            let expected: Vec<usize> = (0..seg.len()).filter(|i| seg[*i] == b'*').collect();
            assert_eq!(found.count, expected.len(), "{text}");
            for (k, at) in expected.iter().enumerate() {
                assert_eq!(found.position(k), Some(*at), "{text} separator {k}");
            }
            assert_eq!(found.position(expected.len()), None, "{text}");
        }
    }

    #[test]
    fn elements_of_segments_too_long_to_index_are_found_by_scanning() {
        let long = "X".repeat(300);
        let text = format!("NTE*ADD*{long}*END");
        let s = seg(&text);
        assert_eq!(s.element(2), long);
        assert_eq!(s.element(3), "END");
        assert_eq!(s.element_count(), 3);
    }

    #[test]
    fn every_element_of_a_wide_segment_is_addressable() {
        let text: String = std::iter::once("ZZZ".to_owned())
            .chain((1..=30).map(|n| n.to_string()))
            .collect::<Vec<_>>()
            .join("*");
        let s = seg(&text);
        assert_eq!(s.element_count(), 30);
        for n in [1, 23, 24, 25, 30] {
            assert_eq!(s.element(n), n.to_string());
        }
        assert_eq!(s.element(31), "");
        assert_eq!(s.code(), SegmentId::new("ZZZ"));
        assert_eq!(s.code().to_string(), "ZZZ");
    }

    #[test]
    fn repetitions_split_on_the_isa11_separator() {
        let s = seg("HI*ABK:A01^ABF:B02");
        assert_eq!(s.repetitions(1), vec!["ABK:A01", "ABF:B02"]);
    }
}
