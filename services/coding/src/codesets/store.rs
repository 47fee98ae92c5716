//! Persistence of code-set releases (tables in `migrations/*/0100_codesets.sql`).
//!
//! - [`write`](mod@write): bulk loading of one release in one transaction,
//!   multi-row INSERTs sized under the bound-parameter limits of both
//!   backends.
//! - [`load`]: one release of each source layout: its release row, then its
//!   rows through [`write`](mod@write).
//! - [`imports`]: the record of each import of the fetched public code sets,
//!   which tells a finished load from a partial one.
//! - [`releases`]: the release catalogue and the newest release of a kind.
//! - [`read`]: the small read API of the edit tables: NCCI pairs, MUE
//!   values, MCE edits and age ranges, all by date of service.
//! - [`lookup`]: what one code (or many at once) is on a date (`GetCode`).
//! - [`facts`]: every fact the coding edits of one encounter need, in one
//!   round of queries.
//! - [`decode`]: stored values read back, or an error naming the column.
//!
//! Every function takes `&mut AnyConnection` (a `Tx` derefs to it); callers
//! begin and commit.

pub mod decode;
pub mod facts;
pub mod imports;
pub mod load;
pub mod lookup;
pub mod read;
pub mod releases;
pub mod write;

pub use lookup::notes;
pub use read::{MueValue, NcciPair, age_ranges, mce_edits, mue_for, ncci_pairs_for};
pub use releases::newest_release;
pub use write::{NewRelease, ReleaseKind};
