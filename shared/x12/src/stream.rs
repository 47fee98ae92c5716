//! Reading segments from any `std::io::Read` with bounded memory: the buffer
//! holds at most one read chunk plus the longest segment allowed.

use std::io::Read;

use crate::error::{ErrorKind, Location, X12Error};
use crate::reader::{Step, Tokenizer};
use crate::segment::Segment;

/// Default size of each read from the source.
pub const DEFAULT_CHUNK: usize = 64 * 1024;
/// Default bound on one segment's length; real segments are under 1 KiB.
pub const DEFAULT_MAX_SEGMENT: usize = 1024 * 1024;

/// A streaming segment reader. It lends each segment until the next call,
/// so a multi-gigabyte file is read in constant memory.
#[derive(Debug)]
pub struct StreamReader<R> {
    source: R,
    buf: Vec<u8>,
    start: usize,
    filled: usize,
    base: usize,
    eof: bool,
    done: bool,
    chunk: usize,
    max_segment: usize,
    tokenizer: Tokenizer,
}

impl<R: Read> StreamReader<R> {
    /// A reader with the default chunk size and segment bound.
    pub fn new(source: R) -> Self {
        Self::with_limits(source, DEFAULT_CHUNK, DEFAULT_MAX_SEGMENT)
    }

    /// A reader with an explicit chunk size and segment bound.
    pub fn with_limits(source: R, chunk: usize, max_segment: usize) -> Self {
        Self {
            source,
            buf: Vec::new(),
            start: 0,
            filled: 0,
            base: 0,
            eof: false,
            done: false,
            chunk: chunk.max(1),
            max_segment: max_segment.max(128),
            tokenizer: Tokenizer::default(),
        }
    }

    /// The next segment, borrowed until the following call; `None` at the end.
    pub fn next_segment(&mut self) -> Option<Result<Segment<'_>, X12Error>> {
        if self.done {
            return None;
        }
        let (start, end, delimiters) = loop {
            match self
                .tokenizer
                .step(&self.buf[..self.filled], self.start, self.base, self.eof)
            {
                Step::Segment {
                    start,
                    end,
                    next,
                    delimiters,
                } => {
                    self.start = next;
                    break (start, end, delimiters);
                }
                Step::End => {
                    self.done = true;
                    return None;
                }
                Step::Fatal(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Step::NeedMore => {
                    if let Err(e) = self.refill() {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
        };
        let index = self.tokenizer.count();
        Some(Segment::parse(
            &self.buf[start..end],
            delimiters,
            index,
            self.base + start,
        ))
    }

    /// Drops consumed bytes and reads one more chunk.
    fn refill(&mut self) -> Result<(), X12Error> {
        if self.filled - self.start > self.max_segment {
            return Err(self.error(ErrorKind::SegmentTooLong {
                max: self.max_segment,
            }));
        }
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.base += self.start;
        self.start = 0;
        let want = self.filled + self.chunk;
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        loop {
            match self.source.read(&mut self.buf[self.filled..want]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(ErrorKind::Io(e.to_string()))),
            }
        }
    }

    fn error(&self, kind: ErrorKind) -> X12Error {
        X12Error::new(
            Location {
                segment_index: self.tokenizer.count() + 1,
                byte_offset: self.base + self.start,
                segment_id: String::new(),
                element: None,
            },
            kind,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Segments;

    const FILE: &[u8] = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~\nGS*HP*A*B*20240101*1200*1*X*005010X221A1~\nST*835*0001~BPR*I*100*C*CHK************20240101~SE*3*0001~GE*1*1~IEA*1*000000001~\n";

    #[test]
    fn tiny_chunks_give_the_same_segments_as_the_in_memory_reader() {
        let expected: Vec<(String, usize, usize)> = Segments::new(FILE)
            .map(|s| s.map(|s| (s.text().to_owned(), s.index(), s.offset())))
            .collect::<Result<_, _>>()
            .expect("readable");
        for chunk in [1, 2, 7, 64, 4096] {
            let mut reader = StreamReader::with_limits(FILE, chunk, 1024);
            let mut got = Vec::new();
            while let Some(s) = reader.next_segment() {
                let s = s.expect("readable");
                got.push((s.text().to_owned(), s.index(), s.offset()));
            }
            assert_eq!(got, expected, "chunk size {chunk}");
        }
    }

    #[test]
    fn a_segment_longer_than_the_bound_is_an_error() {
        let mut long = FILE[..107].to_vec();
        long.extend(std::iter::repeat_n(b'A', 10_000));
        let mut reader = StreamReader::with_limits(&long[..], 64, 256);
        assert!(reader.next_segment().expect("isa").is_ok());
        let err = reader.next_segment().expect("error").unwrap_err();
        assert_eq!(err.kind, ErrorKind::SegmentTooLong { max: 256 });
    }
}
