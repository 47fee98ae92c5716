//! Persistence of code-set releases (tables in `migrations/*/0100_codesets.sql`).
//!
//! - [`write`]: bulk loading of one release in one transaction, multi-row
//!   INSERTs sized under the bound-parameter limits of both backends.
//! - [`read`]: the small read API the coding-edit engine uses: NCCI pairs,
//!   MUE values, MCE edits and age ranges, notes, all by date of service.
//! - [`lookup`]: what one code is on one date (`GetCode`) and the rows the
//!   search index is built from.
//!
//! Every function takes `&mut AnyConnection` (a `Tx` derefs to it); callers
//! begin and commit.

pub mod lookup;
pub mod read;
pub mod write;

use medbill_kernel::CalendarDate;

use super::domain::CodeSystem;
pub use lookup::notes;
pub use read::{MueValue, NcciPair, age_ranges, mce_edits, mue_for, ncci_pairs_for};
pub use write::{NewRelease, ReleaseKind};

/// The newest release of a kind for a system and scope, by effective date
/// then load time. Readers take rows from one release so that a reloaded or
/// overlapping history never counts a row twice.
pub async fn newest_release(
    conn: &mut sqlx::AnyConnection,
    system: CodeSystem,
    kind: ReleaseKind,
    scope: &str,
    effective_on_or_before: Option<CalendarDate>,
) -> Result<Option<String>, sqlx::Error> {
    let latest = effective_on_or_before
        .map(|d| d.to_string())
        .unwrap_or_else(|| "9999-12-31".to_string());
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT release_id FROM code_set_releases \
         WHERE system = $1 AND kind = $2 AND scope = $3 AND effective_from <= $4 \
         ORDER BY effective_from DESC, loaded_at DESC LIMIT 1",
    )
    .bind(system.as_str())
    .bind(kind.as_str())
    .bind(scope)
    .bind(latest)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}
