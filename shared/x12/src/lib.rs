//! X12 5010 reader and writer for the transactions medbill exchanges with
//! clearinghouses and payers, and the CAQH CORE envelope that carries them
//! in real time ([`connectivity`]).

pub mod ack;
pub mod claim;
pub mod claim_ack;
pub mod cli;
pub mod common;
pub mod connectivity;
pub mod delimiters;
pub mod driver;
pub mod eligibility;
pub mod envelope;
pub mod error;
pub mod institutional;
pub mod kernel;
pub mod professional;
pub mod reader;
pub mod remit;
pub mod samples;
pub mod segment;
pub mod status;
pub mod stream;
pub mod text;
pub mod transactions;
pub mod validate;
pub mod values;
pub mod write;

pub use delimiters::Delimiters;
pub use error::{ErrorKind, Location, Position, WriteError, X12Error, X12ErrorDetail};
pub use reader::Segments;
pub use segment::Segment;
pub use stream::StreamReader;
pub use text::Text;
pub use validate::{Finding, Severity, ValidationReport};
pub use values::{Amount, Date, Phi, Quantity};
