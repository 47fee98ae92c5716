//! The four X12 delimiters and how they are read from an ISA header.

use crate::error::ErrorKind;

/// Delimiters of one interchange, taken from its ISA header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    /// Separates elements (byte 3 of the ISA).
    pub element: u8,
    /// Separates components of a composite element (ISA16).
    pub component: u8,
    /// Separates repetitions of an element (ISA11 in 5010); `None` for
    /// versions where ISA11 is still the standards identifier (`U`).
    pub repetition: Option<u8>,
    /// Ends each segment (the byte after ISA16).
    pub segment: u8,
}

impl Default for Delimiters {
    /// The delimiters most clearinghouses use: `*`, `:`, `^`, `~`.
    fn default() -> Self {
        Self {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    }
}

/// Outcome of looking for an ISA header at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum IsaScan {
    /// The header is complete: its delimiters.
    Found(Delimiters),
    /// The buffer ends before the header does.
    Incomplete,
    /// The bytes cannot be an ISA header.
    Invalid(ErrorKind),
}

/// Reads the delimiters from a buffer that starts with `ISA`.
///
/// The ISA is nominally fixed-width, but senders do pad it wrongly, so the
/// header is walked by element separator rather than by byte position: the
/// component separator is the one byte after the 16th separator and the
/// segment terminator the byte after it.
pub fn scan_isa(buf: &[u8]) -> IsaScan {
    if buf.len() < 4 {
        return IsaScan::Incomplete;
    }
    if &buf[..3] != b"ISA" {
        return IsaScan::Invalid(ErrorKind::InvalidIsa("file does not start with ISA"));
    }
    let element = buf[3];
    if element.is_ascii_alphanumeric() || !element.is_ascii() {
        return IsaScan::Invalid(ErrorKind::InvalidIsa(
            "element separator must be a special character",
        ));
    }
    let mut separators = 1;
    let mut isa11 = (0, 0);
    let mut i = 4;
    // A real ISA is 106 bytes; anything far longer is not an ISA at all.
    let limit = buf.len().min(200);
    while i < limit {
        if buf[i] == element {
            separators += 1;
            if separators == 11 {
                isa11.0 = i + 1;
            }
            if separators == 12 {
                isa11.1 = i;
            }
            if separators == 16 {
                break;
            }
        }
        i += 1;
    }
    if separators < 16 {
        return if buf.len() < 200 {
            IsaScan::Incomplete
        } else {
            IsaScan::Invalid(ErrorKind::InvalidIsa("fewer than 16 elements"))
        };
    }
    if buf.len() < i + 3 {
        return IsaScan::Incomplete;
    }
    let component = buf[i + 1];
    let segment = buf[i + 2];
    let repetition = match &buf[isa11.0..isa11.1] {
        [r] if !r.is_ascii_alphanumeric() => Some(*r),
        _ => None,
    };
    let all = [Some(element), Some(component), repetition, Some(segment)];
    if all
        .iter()
        .flatten()
        .any(|d| !d.is_ascii() || d.is_ascii_alphanumeric() || *d == b' ')
    {
        return IsaScan::Invalid(ErrorKind::InvalidIsa(
            "delimiters must be ASCII special characters",
        ));
    }
    let distinct = all
        .iter()
        .flatten()
        .enumerate()
        .all(|(a, x)| all.iter().flatten().skip(a + 1).all(|y| x != y));
    if !distinct {
        return IsaScan::Invalid(ErrorKind::InvalidIsa("delimiters must all differ"));
    }
    IsaScan::Found(Delimiters {
        element,
        component,
        repetition,
        segment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~";

    #[test]
    fn delimiters_come_from_the_isa_header() {
        assert_eq!(scan_isa(ISA), IsaScan::Found(Delimiters::default()));
    }

    #[test]
    fn unusual_delimiters_are_honoured() {
        let isa = b"ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240101|1200|}|00501|000000001|0|T|>\n";
        let IsaScan::Found(d) = scan_isa(isa) else {
            panic!("not found")
        };
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            (b'|', b'>', Some(b'}'), b'\n')
        );
    }

    #[test]
    fn a_4010_header_has_no_repetition_separator() {
        let isa = b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*U*00401*000000001*0*T*:~";
        let IsaScan::Found(d) = scan_isa(isa) else {
            panic!("not found")
        };
        assert_eq!(d.repetition, None);
    }

    #[test]
    fn a_truncated_header_asks_for_more_bytes() {
        assert_eq!(scan_isa(&ISA[..50]), IsaScan::Incomplete);
    }

    #[test]
    fn a_file_that_is_not_x12_is_rejected() {
        assert!(matches!(scan_isa(b"<?xml version"), IsaScan::Invalid(_)));
    }
}
