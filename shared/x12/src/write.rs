//! Writing segments and the ISA/GS/ST envelopes around them, with the
//! counts in SE, GE and IEA computed rather than trusted.

use crate::delimiters::Delimiters;
use crate::envelope::Usage;
use crate::error::WriteError;
use crate::values::Date;

/// One element to write: a simple value or a composite's components.
#[derive(Debug, Clone, Copy)]
pub enum El<'a> {
    /// A simple element.
    S(&'a str),
    /// A composite element; trailing empty components are dropped.
    C(&'a [&'a str]),
    /// A repeating element; repetitions are joined with the ISA11 separator.
    R(&'a [&'a str]),
}

/// Writes segments into a buffer and counts those of the open transaction.
#[derive(Debug)]
pub struct SegmentWriter {
    out: Vec<u8>,
    delimiters: Delimiters,
    line_breaks: bool,
    in_transaction: usize,
}

impl SegmentWriter {
    /// A writer with the given delimiters; `line_breaks` adds `\n` after
    /// each terminator for people reading the file.
    pub fn new(delimiters: Delimiters, line_breaks: bool) -> Self {
        Self {
            out: Vec::with_capacity(64 * 1024),
            delimiters,
            line_breaks,
            in_transaction: 0,
        }
    }

    /// Writes one segment; trailing empty elements are dropped as the
    /// standard requires. Values holding a delimiter are refused.
    pub fn seg(&mut self, id: &str, elements: &[El<'_>]) -> Result<(), WriteError> {
        let last = elements
            .iter()
            .rposition(|e| match e {
                El::S(v) => !v.is_empty(),
                El::C(parts) | El::R(parts) => parts.iter().any(|p| !p.is_empty()),
            })
            .map_or(0, |i| i + 1);
        self.out.extend_from_slice(id.as_bytes());
        for (i, element) in elements[..last].iter().enumerate() {
            self.out.push(self.delimiters.element);
            match element {
                El::S(v) => self.value(id, i + 1, v)?,
                El::C(parts) => {
                    let used = parts
                        .iter()
                        .rposition(|p| !p.is_empty())
                        .map_or(0, |i| i + 1);
                    for (k, part) in parts[..used].iter().enumerate() {
                        if k > 0 {
                            self.out.push(self.delimiters.component);
                        }
                        self.value(id, i + 1, part)?;
                    }
                }
                El::R(repeats) => {
                    for (k, repeat) in repeats.iter().enumerate() {
                        if k > 0 {
                            let Some(r) = self.delimiters.repetition else {
                                return Err(WriteError::new(
                                    format!("{id}{:02}", i + 1),
                                    "repeats need an ISA11 repetition separator",
                                ));
                            };
                            self.out.push(r);
                        }
                        self.value(id, i + 1, repeat)?;
                    }
                }
            }
        }
        self.out.push(self.delimiters.segment);
        if self.line_breaks {
            self.out.push(b'\n');
        }
        self.in_transaction += 1;
        Ok(())
    }

    /// Writes a segment of simple elements.
    pub fn simple(&mut self, id: &str, elements: &[&str]) -> Result<(), WriteError> {
        let els: Vec<El<'_>> = elements.iter().map(|e| El::S(e)).collect();
        self.seg(id, &els)
    }

    fn value(&mut self, id: &str, n: usize, v: &str) -> Result<(), WriteError> {
        let d = self.delimiters;
        let bad = v.bytes().any(|b| {
            b == d.element
                || b == d.component
                || b == d.segment
                || Some(b) == d.repetition
                || b < 0x20
        });
        if bad {
            return Err(WriteError::new(
                format!("{id}{n:02}"),
                format!("{v:?} contains a delimiter or control character"),
            ));
        }
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }

    /// Starts a transaction set (ST) and resets the segment count; an empty
    /// `version` leaves ST03 out (the 835 guide does not use it).
    pub fn start_transaction(
        &mut self,
        id: &str,
        control: &str,
        version: &str,
    ) -> Result<(), WriteError> {
        self.in_transaction = 0;
        self.simple("ST", &[id, control, version])
    }

    /// Ends a transaction set with an SE carrying the true count.
    pub fn end_transaction(&mut self, control: &str) -> Result<(), WriteError> {
        let count = (self.in_transaction + 1).to_string();
        self.simple("SE", &[&count, control])
    }

    /// The bytes written so far.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// What the caller decides about the envelopes of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterchangeParams {
    /// ISA05, e.g. `ZZ` mutually defined.
    pub sender_qualifier: String,
    /// ISA06 (also GS02), at most 15 characters.
    pub sender_id: String,
    /// ISA07.
    pub receiver_qualifier: String,
    /// ISA08 (also GS03), at most 15 characters.
    pub receiver_id: String,
    /// ISA13, 1 to 999 999 999.
    pub control_number: u32,
    /// GS06.
    pub group_control_number: u32,
    /// Creation date (ISA09, GS04).
    pub date: Date,
    /// Creation time `HHMM` (ISA10, GS05).
    pub time: String,
    /// ISA15: test or production.
    pub usage: Usage,
    /// ISA14: ask for a TA1.
    pub acknowledgment_requested: bool,
    /// Delimiters to write with.
    pub delimiters: Delimiters,
    /// Add `\n` after each segment terminator.
    pub line_breaks: bool,
}

/// Writes one interchange with one functional group whose transaction sets
/// `body` writes; returns the bytes with correct GE and IEA counts.
pub fn write_interchange(
    params: &InterchangeParams,
    functional_id: &str,
    version: &str,
    body: impl FnOnce(&mut SegmentWriter) -> Result<usize, WriteError>,
) -> Result<Vec<u8>, WriteError> {
    check_params(params)?;
    let d = params.delimiters;
    let mut w = SegmentWriter::new(d, params.line_breaks);
    let pad = |v: &str, n: usize| format!("{v:<n$}");
    let isa11 = d
        .repetition
        .map_or_else(|| "U".to_owned(), |r| char::from(r).to_string());
    let isa16 = char::from(d.component).to_string();
    let control = format!("{:09}", params.control_number);
    // ISA16 is the component separator itself, so it is written raw.
    let isa = [
        "00",
        &pad("", 10),
        "00",
        &pad("", 10),
        &params.sender_qualifier,
        &pad(&params.sender_id, 15),
        &params.receiver_qualifier,
        &pad(&params.receiver_id, 15),
        &params.date.to_isa(),
        &params.time,
        &isa11,
        "00501",
        &control,
        if params.acknowledgment_requested {
            "1"
        } else {
            "0"
        },
        params.usage.code(),
    ];
    let mut header = b"ISA".to_vec();
    for v in isa {
        header.push(d.element);
        header.extend_from_slice(v.as_bytes());
    }
    header.push(d.element);
    header.extend_from_slice(isa16.as_bytes());
    header.push(d.segment);
    if params.line_breaks {
        header.push(b'\n');
    }
    let group = params.group_control_number.to_string();
    w.simple(
        "GS",
        &[
            functional_id,
            &params.sender_id,
            &params.receiver_id,
            &params.date.to_x12(),
            &params.time,
            &group,
            "X",
            version,
        ],
    )?;
    let transactions = body(&mut w)?;
    w.simple("GE", &[&transactions.to_string(), &group])?;
    w.simple("IEA", &["1", &control])?;
    header.extend_from_slice(&w.finish());
    Ok(header)
}

fn check_params(p: &InterchangeParams) -> Result<(), WriteError> {
    let d = p.delimiters;
    let delimiter =
        |b: u8| b == d.element || b == d.component || b == d.segment || Some(b) == d.repetition;
    let id_ok = |v: &str| {
        !v.is_empty()
            && v.len() <= 15
            && v.bytes()
                .all(|b| (b.is_ascii_graphic() || b == b' ') && !delimiter(b))
    };
    if !id_ok(&p.sender_id) {
        return Err(WriteError::new("sender_id", "1 to 15 printable characters"));
    }
    if !id_ok(&p.receiver_id) {
        return Err(WriteError::new(
            "receiver_id",
            "1 to 15 printable characters",
        ));
    }
    for (field, q) in [
        ("sender_qualifier", &p.sender_qualifier),
        ("receiver_qualifier", &p.receiver_qualifier),
    ] {
        if q.len() != 2 {
            return Err(WriteError::new(field, "a 2-character qualifier"));
        }
    }
    if !(1..=999_999_999).contains(&p.control_number) || p.group_control_number == 0 {
        return Err(WriteError::new("control_number", "1 to 999999999"));
    }
    if p.time.len() != 4 || !p.time.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WriteError::new("time", "HHMM"));
    }
    Ok(())
}

/// An amount, quantity or count formatted on the stack, so writing a
/// number into a segment does not allocate.
#[derive(Clone, Copy)]
pub(crate) struct Num {
    buf: [u8; 24],
    len: usize,
}

impl Num {
    /// The X12 form of an amount (as [`Amount::to_x12`]).
    pub(crate) fn amount(a: crate::values::Amount) -> Self {
        let mut n = Self::uint(a.cents().unsigned_abs() / 100, a.cents() < 0);
        let frac = a.cents().unsigned_abs() % 100;
        if frac != 0 {
            n.push(b'.');
            n.push(b'0' + u8::try_from(frac / 10).unwrap_or(0));
            if !frac.is_multiple_of(10) {
                n.push(b'0' + u8::try_from(frac % 10).unwrap_or(0));
            }
        }
        n
    }

    /// A whole number.
    pub(crate) fn count(v: u64) -> Self {
        Self::uint(v, false)
    }

    fn uint(mut v: u64, negative: bool) -> Self {
        let mut digits = [0u8; 20];
        let mut k = 0;
        loop {
            digits[k] = b'0' + u8::try_from(v % 10).unwrap_or(0);
            k += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let mut n = Self {
            buf: [0; 24],
            len: 0,
        };
        if negative {
            n.push(b'-');
        }
        for d in digits[..k].iter().rev() {
            n.push(*d);
        }
        n
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, '-' and '.' are ever pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// NM1 from a read [`Entity`](crate::common::Entity): the reader's model
/// written back as it came.
pub(crate) fn write_entity(
    w: &mut SegmentWriter,
    e: &crate::common::Entity,
) -> Result<(), WriteError> {
    fn phi(v: &Option<crate::values::Phi<crate::text::Text>>) -> &str {
        v.as_ref().map_or("", |x| x.expose().as_str())
    }
    w.seg(
        "NM1",
        &[
            El::S(&e.role),
            El::S(e.entity_type.code()),
            El::S(e.last_name.expose()),
            El::S(phi(&e.first_name)),
            El::S(phi(&e.middle_name)),
            El::S(""),
            El::S(phi(&e.suffix)),
            El::S(e.id_qualifier.as_deref().unwrap_or("")),
            El::S(phi(&e.id)),
        ],
    )
}

/// The components of a procedure composite (SVC01, SVC06).
pub(crate) fn procedure_parts(p: &crate::remit::Procedure) -> [&str; 6] {
    let mut parts = [p.qualifier.as_str(), p.code.as_str(), "", "", "", ""];
    for (slot, m) in parts[2..].iter_mut().zip(p.modifiers.iter()) {
        *slot = m;
    }
    parts
}

/// DTP with `D8` or `RD8` from a qualified date.
pub(crate) fn write_dtp(
    w: &mut SegmentWriter,
    d: &crate::common::DateRef,
) -> Result<(), WriteError> {
    let (format, value) = d.to_dtp();
    w.seg("DTP", &[El::S(&d.qualifier), El::S(format), El::S(&value)])
}

#[cfg(test)]
mod tests {
    use super::Num;
    use crate::values::Amount;

    #[test]
    fn stack_numbers_match_the_allocating_forms() {
        for cents in [
            0,
            5,
            -5,
            10,
            99,
            100,
            10050,
            -1234,
            120_001,
            i64::MAX,
            i64::MIN + 1,
        ] {
            let a = Amount::from_cents(cents);
            assert_eq!(Num::amount(a).as_str(), a.to_x12(), "{cents}");
        }
        assert_eq!(Num::count(0).as_str(), "0");
        assert_eq!(Num::count(u64::MAX).as_str(), u64::MAX.to_string());
    }
}
