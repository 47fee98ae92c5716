//! The one error type of the readers: every problem is a value that names
//! where it happened (segment ordinal, byte offset, segment id, element).

use std::fmt;

/// A reference to one element (and optionally one component) of a segment,
/// printed the way implementation guides name them: `CLP04`, `SVC01-2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementRef {
    /// 1-based element position (`CLP04` is 4).
    pub element: usize,
    /// 1-based component position inside a composite, when relevant.
    pub component: Option<usize>,
}

/// Where a segment sits in the file, kept on parsed structures so later
/// findings (balancing) can point back at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based ordinal of the segment in the file.
    pub index: usize,
    /// Byte offset of the segment in the file.
    pub offset: usize,
}

/// Where a problem sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based ordinal of the segment in the file (the ISA is segment 1).
    pub segment_index: usize,
    /// Byte offset of the segment's first byte in the file.
    pub byte_offset: usize,
    /// The segment identifier (`CLP`), or what was read where one was expected.
    pub segment_id: String,
    /// The element concerned, if the problem is inside one.
    pub element: Option<ElementRef>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "segment {} ({}) at byte {}",
            self.segment_index, self.segment_id, self.byte_offset
        )?;
        if let Some(element) = self.element {
            write!(f, ", {}{:02}", self.segment_id, element.element)?;
            if let Some(component) = element.component {
                write!(f, "-{component}")?;
            }
        }
        Ok(())
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The file does not start with a usable ISA header.
    #[error("invalid ISA header: {0}")]
    InvalidIsa(&'static str),
    /// The last segment has no segment terminator.
    #[error("segment has no terminator before the end of the file")]
    Unterminated,
    /// A segment is longer than the reader's bound.
    #[error("segment longer than {max} bytes")]
    SegmentTooLong {
        /// The configured bound.
        max: usize,
    },
    /// The segment is not valid UTF-8 text.
    #[error("segment is not valid text")]
    NotText,
    /// The segment identifier is not 2-3 upper-case letters or digits.
    #[error("invalid segment identifier")]
    InvalidSegmentId,
    /// A required element is empty or absent.
    #[error("required element is missing")]
    MissingElement,
    /// An element holds a value outside its allowed set or syntax.
    #[error("invalid value {value:?}: expected {expected}")]
    InvalidValue {
        /// The offending value.
        value: String,
        /// What the guide allows.
        expected: &'static str,
    },
    /// A segment appears where the transaction structure does not allow it.
    #[error("unexpected segment: {0}")]
    UnexpectedSegment(&'static str),
    /// A required segment never appeared.
    #[error("missing required segment: {0}")]
    MissingSegment(&'static str),
    /// A trailer's control number differs from its header's.
    #[error("control number {trailer:?} does not match header {header:?}")]
    ControlNumberMismatch {
        /// The header's control number.
        header: String,
        /// The trailer's control number.
        trailer: String,
    },
    /// A trailer's count differs from what was read.
    #[error("declared count {declared} but found {actual}")]
    CountMismatch {
        /// The count written in the trailer.
        declared: String,
        /// The count actually read.
        actual: usize,
    },
    /// The file ended inside an envelope.
    #[error("file ended before {0}")]
    UnclosedEnvelope(&'static str),
    /// Reading the underlying source failed.
    #[error("read failed: {0}")]
    Io(String),
}

/// A reader error: what went wrong and where. Boxed, so that the many
/// `Result`s a reader passes around per element stay one word wide; its
/// fields are reached through [`X12ErrorDetail`] (`err.location`,
/// `err.kind`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .0.location, .0.kind)]
pub struct X12Error(Box<X12ErrorDetail>);

/// What an [`X12Error`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12ErrorDetail {
    /// Where it happened.
    pub location: Location,
    /// What happened.
    pub kind: ErrorKind,
}

impl X12Error {
    /// An error of `kind` at `location`.
    pub fn new(location: Location, kind: ErrorKind) -> Self {
        Self(Box::new(X12ErrorDetail { location, kind }))
    }

    /// The error's parts, by value.
    pub fn into_detail(self) -> X12ErrorDetail {
        *self.0
    }
}

impl std::ops::Deref for X12Error {
    type Target = X12ErrorDetail;
    fn deref(&self) -> &X12ErrorDetail {
        &self.0
    }
}

/// A writer error: the claim (or envelope) field that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write {field}: {reason}")]
pub struct WriteError {
    /// Path of the offending field, e.g. `claims[2].lines[0].modifiers`.
    pub field: String,
    /// Why it cannot be written.
    pub reason: String,
}

impl WriteError {
    /// Builds a writer error for a field.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
