//! Splitting bytes into segments: the tokenizer shared by the in-memory
//! reader ([`Segments`]) and the streaming one ([`crate::stream`]).

use crate::delimiters::{Delimiters, IsaScan, scan_isa};
use crate::error::{ErrorKind, Location, X12Error};
use crate::segment::{Segment, find_terminator};

/// One step of the tokenizer over a buffer.
#[derive(Debug)]
pub(crate) enum Step {
    /// A segment spans `start..end`; the next one begins at or after `next`.
    Segment {
        start: usize,
        end: usize,
        next: usize,
        delimiters: Delimiters,
    },
    /// The buffer ends inside a segment.
    NeedMore,
    /// Nothing is left.
    End,
    /// The input cannot be read further.
    Fatal(X12Error),
}

/// Tokenizer state: the delimiters in force and the segment count so far.
#[derive(Debug, Default)]
pub(crate) struct Tokenizer {
    delimiters: Option<Delimiters>,
    count: usize,
}

impl Tokenizer {
    /// Finds the next segment in `buf[pos..]`; `base` is the file offset of
    /// `buf[0]` and `eof` whether more bytes can still arrive.
    pub(crate) fn step(&mut self, buf: &[u8], mut pos: usize, base: usize, eof: bool) -> Step {
        let terminator = self.delimiters.map(|d| d.segment);
        // Line breaks after terminators are common and carry no meaning,
        // unless the line break is itself the terminator.
        while pos < buf.len()
            && matches!(buf[pos], b'\r' | b'\n' | b'\t' | b' ' | 0)
            && Some(buf[pos]) != terminator
        {
            pos += 1;
        }
        if pos >= buf.len() {
            return if eof { Step::End } else { Step::NeedMore };
        }
        let rest = &buf[pos..];
        if rest.len() < 3 && !eof && b"ISA".starts_with(rest) {
            return Step::NeedMore;
        }
        // Each interchange declares its own delimiters.
        if rest.starts_with(b"ISA") {
            match scan_isa(rest) {
                IsaScan::Found(d) => self.delimiters = Some(d),
                IsaScan::Incomplete if !eof => return Step::NeedMore,
                IsaScan::Incomplete => {
                    return self.fatal(rest, pos + base, ErrorKind::InvalidIsa("truncated"));
                }
                IsaScan::Invalid(kind) => return self.fatal(rest, pos + base, kind),
            }
        }
        let Some(delimiters) = self.delimiters else {
            return self.fatal(
                rest,
                pos + base,
                ErrorKind::InvalidIsa("file does not start with ISA"),
            );
        };
        match find_terminator(rest, delimiters.segment) {
            Some(len) => {
                self.count += 1;
                Step::Segment {
                    start: pos,
                    end: pos + len,
                    next: pos + len + 1,
                    delimiters,
                }
            }
            None if eof => self.fatal(rest, pos + base, ErrorKind::Unterminated),
            None => Step::NeedMore,
        }
    }

    /// Ordinal of the last segment found (1-based).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    fn fatal(&self, rest: &[u8], offset: usize, kind: ErrorKind) -> Step {
        let id: String = rest
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|b| char::from(*b))
            .collect();
        Step::Fatal(X12Error::new(
            Location {
                segment_index: self.count + 1,
                byte_offset: offset,
                segment_id: id,
                element: None,
            },
            kind,
        ))
    }
}

/// Reads the segments of an in-memory file without copying.
///
/// Yields an error for a segment that cannot be read and carries on with the
/// next one; stops after an error that leaves no way to find the next segment
/// (no ISA, no terminator).
#[derive(Debug)]
pub struct Segments<'a> {
    buf: &'a [u8],
    pos: usize,
    tokenizer: Tokenizer,
    done: bool,
}

impl<'a> Segments<'a> {
    /// A reader over the whole file.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            tokenizer: Tokenizer::default(),
            done: false,
        }
    }
}

impl<'a> Segments<'a> {
    /// Hands every segment to `f` in order and stops at the first error,
    /// of reading or of `f`. Same segments as the iterator, without moving
    /// each one through an `Option<Result<..>>` (a measurable cost when
    /// the caller stops at the first error anyway).
    pub(crate) fn try_each(
        mut self,
        mut f: impl FnMut(&Segment<'a>) -> Result<(), X12Error>,
    ) -> Result<(), X12Error> {
        // One validation of the whole file instead of one per segment; a
        // file that is not all text falls back to checking each segment,
        // so the error still names the segment.
        let text = std::str::from_utf8(self.buf).ok();
        // One segment value, refilled in place for each segment.
        let mut seg = Segment::blank(Delimiters::default());
        loop {
            match self.tokenizer.step(self.buf, self.pos, 0, true) {
                Step::Segment {
                    start,
                    end,
                    next,
                    delimiters,
                } => {
                    self.pos = next;
                    let index = self.tokenizer.count();
                    seg.refill(
                        &self.buf[start..end],
                        text.and_then(|t| t.get(start..end)),
                        delimiters,
                        index,
                        start,
                    )?;
                    f(&seg)?;
                }
                Step::NeedMore | Step::End => return Ok(()),
                Step::Fatal(e) => return Err(e),
            }
        }
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<Segment<'a>, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.tokenizer.step(self.buf, self.pos, 0, true) {
            Step::Segment {
                start,
                end,
                next,
                delimiters,
            } => {
                self.pos = next;
                let index = self.tokenizer.count();
                Some(Segment::parse(
                    &self.buf[start..end],
                    delimiters,
                    index,
                    start,
                ))
            }
            Step::NeedMore | Step::End => {
                self.done = true;
                None
            }
            Step::Fatal(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~\r\nGS*HP*A*B*20240101*1200*1*X*005010X221A1~\nST*835*0001~SE*2*0001~GE*1*1~IEA*1*000000001~\n";

    #[test]
    fn segments_are_read_with_or_without_line_breaks() {
        let ids: Vec<String> = Segments::new(FILE.as_bytes())
            .map(|s| s.map(|s| s.id().to_owned()))
            .collect::<Result<_, _>>()
            .expect("readable");
        assert_eq!(ids, ["ISA", "GS", "ST", "SE", "GE", "IEA"]);
    }

    #[test]
    fn segment_positions_count_from_the_isa() {
        let st = Segments::new(FILE.as_bytes())
            .nth(2)
            .expect("third")
            .expect("ok");
        assert_eq!((st.id(), st.index()), ("ST", 3));
        assert_eq!(&FILE[st.offset()..st.offset() + 2], "ST");
    }

    #[test]
    fn a_missing_final_terminator_is_an_error_not_a_panic() {
        let cut = &FILE[..FILE.len() - 3];
        let last = Segments::new(cut.as_bytes()).last().expect("something");
        assert_eq!(last.unwrap_err().kind, ErrorKind::Unterminated);
    }

    #[test]
    fn bytes_that_are_not_x12_give_one_error() {
        let all: Vec<_> = Segments::new(b"hello world").collect();
        assert_eq!(all.len(), 1);
        assert!(all[0].is_err());
    }
}
