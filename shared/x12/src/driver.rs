//! Walks a file's envelopes and hands the body of each transaction set to
//! a typed parser, from memory or from a stream.

use std::io::Read;

use crate::envelope::{EnvelopeTracker, GroupHeader, InterchangeHeader, Role, TransactionHeader};
use crate::error::{ErrorKind, Location, X12Error};
use crate::reader::Segments;
use crate::segment::Segment;
use crate::stream::StreamReader;

/// A parser for the body of one transaction set (the segments between ST
/// and SE).
pub trait TransactionParser {
    /// What one transaction set becomes.
    type Output;
    /// Takes one body segment.
    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error>;
    /// Takes the SE segment and returns the finished transaction.
    fn finish(self, se: &Segment<'_>) -> Result<Self::Output, X12Error>;
}

/// The envelopes around a transaction set, handed to the parser factory.
#[derive(Debug, Clone, Copy)]
pub struct Context<'h> {
    /// The interchange header.
    pub interchange: &'h InterchangeHeader,
    /// The functional group header.
    pub group: &'h GroupHeader,
    /// The transaction set header.
    pub transaction: &'h TransactionHeader,
}

/// Feeds segments to parsers made by `start`, one per transaction set;
/// the first problem of any kind is returned as the error.
#[derive(Debug)]
pub struct Driver<P, F> {
    tracker: EnvelopeTracker,
    problems: Vec<X12Error>,
    current: Option<P>,
    start: F,
    last: Option<crate::segment::Mark>,
}

impl<P, F> Driver<P, F>
where
    P: TransactionParser,
    F: FnMut(Context<'_>, &Segment<'_>) -> Result<P, X12Error>,
{
    /// A driver that makes a parser with `start` at each ST.
    pub fn new(start: F) -> Self {
        Self {
            tracker: EnvelopeTracker::new(),
            problems: Vec::new(),
            current: None,
            start,
            last: None,
        }
    }

    /// Takes one segment; hands the transaction to `sink` when its SE
    /// arrives. (A sink rather than a returned `Option`: a transaction is
    /// large, and a per-segment return value would carry its size.)
    pub fn feed(
        &mut self,
        seg: &Segment<'_>,
        sink: &mut impl FnMut(P::Output),
    ) -> Result<(), X12Error> {
        self.last = Some(seg.mark());
        let role = self.tracker.observe(seg, &mut self.problems);
        if !self.problems.is_empty() {
            return Err(self.problems.swap_remove(0));
        }
        match role {
            Role::TransactionStart => {
                let (Some(interchange), Some(group), Some(transaction)) = (
                    self.tracker.interchange(),
                    self.tracker.group(),
                    self.tracker.transaction(),
                ) else {
                    return Err(
                        seg.segment_error(ErrorKind::UnexpectedSegment("ST outside an envelope"))
                    );
                };
                let context = Context {
                    interchange,
                    group,
                    transaction,
                };
                self.current = Some((self.start)(context, seg)?);
            }
            Role::Body => {
                if let Some(parser) = self.current.as_mut() {
                    parser.segment(seg)?;
                }
            }
            Role::TransactionEnd => {
                if let Some(parser) = self.current.take() {
                    sink(parser.finish(seg)?);
                }
            }
            Role::InterchangeStart
            | Role::GroupStart
            | Role::GroupEnd
            | Role::InterchangeEnd
            | Role::Stray => {}
        }
        Ok(())
    }

    /// Checks that every envelope was closed.
    pub fn end(mut self) -> Result<(), X12Error> {
        let Some(at) = self.last.take() else {
            return Err(X12Error::new(
                Location {
                    segment_index: 1,
                    byte_offset: 0,
                    segment_id: String::new(),
                    element: None,
                },
                ErrorKind::InvalidIsa("the file is empty"),
            ));
        };
        self.tracker.finish(at.location(), &mut self.problems);
        match self.problems.drain(..).next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }
}

/// Parses every transaction set in an in-memory file.
pub fn read_all<P, F>(bytes: &[u8], start: F) -> Result<Vec<P::Output>, X12Error>
where
    P: TransactionParser,
    F: FnMut(Context<'_>, &Segment<'_>) -> Result<P, X12Error>,
{
    let mut driver = Driver::new(start);
    let mut out = Vec::new();
    let mut sink = |done| out.push(done);
    Segments::new(bytes).try_each(|seg| driver.feed(seg, &mut sink))?;
    driver.end()?;
    Ok(out)
}

/// Parses a stream one transaction set at a time, handing each to `sink`;
/// memory stays bounded by the largest transaction set.
pub fn read_stream<R, P, F, S>(source: R, start: F, mut sink: S) -> Result<(), X12Error>
where
    R: Read,
    P: TransactionParser,
    F: FnMut(Context<'_>, &Segment<'_>) -> Result<P, X12Error>,
    S: FnMut(P::Output),
{
    let mut driver = Driver::new(start);
    let mut reader = StreamReader::new(source);
    while let Some(seg) = reader.next_segment() {
        driver.feed(&seg?, &mut sink)?;
    }
    driver.end()
}

/// Checks that a transaction set is the kind a reader expects.
pub fn expect_kind(
    context: Context<'_>,
    st: &Segment<'_>,
    id: &str,
    versions: &[&str],
) -> Result<(), X12Error> {
    if context.transaction.id != id {
        return Err(st.invalid(
            1,
            &context.transaction.id,
            "the transaction set this reader handles",
        ));
    }
    let version = context
        .transaction
        .implementation_reference
        .as_deref()
        .unwrap_or(&context.group.version);
    if !versions.is_empty() && !versions.contains(&version) {
        return Err(st.invalid(3, version, "a supported implementation guide version"));
    }
    Ok(())
}
