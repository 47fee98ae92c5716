//! The rows an index is built from, read in one pass ([`Tables::read`]):
//! the releases version, the catalogue, then the rows of every code list,
//! of each system's newest validity release and of every list's notes.
//!
//! Consistency without a read transaction: the release catalogue is read
//! first, and the index ignores rows of releases it does not list. A
//! release and its rows commit together and never change afterwards, so an
//! index is always exactly the releases of its catalogue, even when another
//! release commits while the rows are read; [`ReleasesVersion`] is read
//! before the catalogue, so such a release makes the next check rebuild.

use sqlx::AnyConnection;

use crate::codesets::domain::CodeSystem;
use crate::codesets::store::write::ReleaseKind;

/// What identifies the loaded releases of every kind (code lists and
/// validity, which `GetCode` and `SearchCodes` read, and the edit tables,
/// NCCI and MUE, whose catalogue entries the coding edits read from the
/// index): their number, newest load time and greatest id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleasesVersion {
    count: i64,
    newest_load: String,
    greatest_id: String,
}

/// The current [`ReleasesVersion`]: one aggregate over the small release
/// catalogue, cheap enough to ask every few seconds.
pub async fn releases_version(conn: &mut AnyConnection) -> Result<ReleasesVersion, sqlx::Error> {
    let (count, newest_load, greatest_id): (i64, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), MAX(loaded_at), MAX(release_id) \
             FROM code_set_releases",
    )
    .fetch_one(conn)
    .await?;
    Ok(ReleasesVersion {
        count,
        newest_load: newest_load.unwrap_or_default(),
        greatest_id: greatest_id.unwrap_or_default(),
    })
}

/// One release as stored, text undecoded.
#[derive(Debug, Clone)]
pub(super) struct ReleaseRow {
    pub(super) release_id: String,
    pub(super) system: String,
    pub(super) kind: String,
    pub(super) scope: String,
    pub(super) effective_from: String,
}

/// One `codes` row.
#[derive(Debug, Clone)]
pub(super) struct CodeListRow {
    pub(super) release_id: String,
    pub(super) system: String,
    pub(super) code: String,
    pub(super) is_header: bool,
    pub(super) description: String,
    pub(super) parent: String,
}

/// One `code_validity` row of a system's newest validity release.
#[derive(Debug, Clone)]
pub(super) struct PeriodRow {
    pub(super) code: String,
    pub(super) from: String,
    pub(super) to: Option<String>,
    pub(super) edits: String,
}

/// One `code_notes` row.
#[derive(Debug, Clone)]
pub(super) struct NoteRow {
    pub(super) release_id: String,
    pub(super) code: String,
    pub(super) kind: String,
    pub(super) text: String,
}

/// The rows an index is built from.
#[derive(Debug, Default)]
pub struct Tables {
    pub(super) version: ReleasesVersion,
    /// Newest first, as `Releases::load` orders them.
    pub(super) releases: Vec<ReleaseRow>,
    pub(super) codes: Vec<CodeListRow>,
    /// Per system, the periods of its newest validity release, ordered by
    /// code then start.
    pub(super) periods: Vec<(CodeSystem, Vec<PeriodRow>)>,
    /// Ordered by release, code and position.
    pub(super) notes: Vec<NoteRow>,
    /// The MCE age ranges of the newest ICD-10-CM validity release, every
    /// period, ordered by edit.
    pub(super) age_ranges: Vec<AgeRangeRow>,
}

/// One `mce_age_ranges` row, dates undecoded.
#[derive(Debug, Clone)]
pub(super) struct AgeRangeRow {
    pub(super) edit: String,
    pub(super) low_age: i64,
    pub(super) high_age: i64,
    pub(super) from: String,
    pub(super) to: Option<String>,
}

/// The first release of `rows` (newest first) of `kind` for `system` with
/// no scope: what `newest_release` and `Releases::newest` both choose.
pub(super) fn newest(
    rows: &[ReleaseRow],
    system: CodeSystem,
    kind: ReleaseKind,
) -> Option<&ReleaseRow> {
    rows.iter()
        .find(|r| r.system == system.as_str() && r.kind == kind.as_str() && r.scope.is_empty())
}

impl Tables {
    /// Reads the version, the catalogue, then the rows, in that order.
    pub async fn read(conn: &mut AnyConnection) -> Result<Tables, sqlx::Error> {
        let version = releases_version(conn).await?;
        let releases: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT release_id, system, kind, scope, effective_from FROM code_set_releases \
             ORDER BY effective_from DESC, loaded_at DESC, release_id DESC",
        )
        .fetch_all(&mut *conn)
        .await?;
        let releases: Vec<ReleaseRow> = releases
            .into_iter()
            .map(
                |(release_id, system, kind, scope, effective_from)| ReleaseRow {
                    release_id,
                    system,
                    kind,
                    scope,
                    effective_from,
                },
            )
            .collect();
        let codes: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT release_id, system, code, is_header, description, parent FROM codes",
        )
        .fetch_all(&mut *conn)
        .await?;
        let codes = codes
            .into_iter()
            .map(
                |(release_id, system, code, is_header, description, parent)| CodeListRow {
                    release_id,
                    system,
                    code,
                    // 0 or 1: the column has a CHECK constraint.
                    is_header: is_header != 0,
                    description,
                    parent,
                },
            )
            .collect();
        let mut periods = Vec::new();
        for system in CodeSystem::ALL {
            let Some(release) = newest(&releases, system, ReleaseKind::Validity) else {
                continue;
            };
            let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
                "SELECT code, valid_from, valid_to, mce_edits FROM code_validity \
                 WHERE release_id = $1 ORDER BY code, valid_from",
            )
            .bind(&release.release_id)
            .fetch_all(&mut *conn)
            .await?;
            let rows = rows
                .into_iter()
                .map(|(code, from, to, edits)| PeriodRow {
                    code,
                    from,
                    to,
                    edits,
                })
                .collect();
            periods.push((system, rows));
        }
        let notes: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT release_id, code, kind, text FROM code_notes \
             ORDER BY release_id, code, position",
        )
        .fetch_all(&mut *conn)
        .await?;
        let notes = notes
            .into_iter()
            .map(|(release_id, code, kind, text)| NoteRow {
                release_id,
                code,
                kind,
                text,
            })
            .collect();
        let mut age_ranges = Vec::new();
        if let Some(mce) = newest(&releases, CodeSystem::Icd10Cm, ReleaseKind::Validity) {
            let rows: Vec<(String, i64, i64, String, Option<String>)> = sqlx::query_as(
                "SELECT edit, low_age, high_age, valid_from, valid_to FROM mce_age_ranges \
                 WHERE release_id = $1 ORDER BY edit",
            )
            .bind(&mce.release_id)
            .fetch_all(&mut *conn)
            .await?;
            age_ranges = rows
                .into_iter()
                .map(|(edit, low_age, high_age, from, to)| AgeRangeRow {
                    edit,
                    low_age,
                    high_age,
                    from,
                    to,
                })
                .collect();
        }
        Ok(Tables {
            version,
            releases,
            codes,
            periods,
            notes,
            age_ranges,
        })
    }
}
