//! The release catalogue: which releases are loaded, and which one of a
//! kind governs a date. Readers take rows from one release so that a
//! reloaded or overlapping history never counts a row twice.

use medbill_kernel::{CalendarDate, Timestamp};
use sqlx::{AnyConnection, Row};

use super::decode::{corrupt, date_column, system_column};
use super::write::ReleaseKind;
use crate::codesets::domain::CodeSystem;

/// One loaded release, as the readers choose among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Its id.
    pub release_id: String,
    /// The code system.
    pub system: CodeSystem,
    /// `codes`, `validity`, `ncci_ptp` or `mue`.
    pub kind: String,
    /// The care setting of an edit table; empty otherwise.
    pub scope: String,
    /// First date of service it governs.
    pub effective_from: CalendarDate,
}

/// A loaded release as `ListCodeSetReleases` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseListing {
    /// Its id.
    pub release_id: String,
    /// The code system.
    pub system: CodeSystem,
    /// The release's name (e.g. "FY2026 ICD-10-CM tabular").
    pub name: String,
    /// First date of service it governs.
    pub effective_from: CalendarDate,
    /// Where it came from (package and file, or a CMS file name).
    pub source: String,
    /// The sha256 of the source.
    pub sha256: String,
    /// Rows loaded.
    pub code_count: u64,
    /// When it was loaded.
    pub loaded_at: Timestamp,
}

/// Every loaded release (of `system`, when given), newest first. A stored
/// value that does not decode is an error naming its column.
pub async fn listing(
    conn: &mut AnyConnection,
    system: Option<CodeSystem>,
) -> Result<Vec<ReleaseListing>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT release_id, system, name, effective_from, source, sha256, code_count, loaded_at \
         FROM code_set_releases ORDER BY effective_from DESC, loaded_at DESC",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let release_system = system_column(row, "code_set_releases.system", "system")?;
        if system.is_some_and(|s| s != release_system) {
            continue;
        }
        let count: i64 = row.try_get("code_count")?;
        let loaded: String = row.try_get("loaded_at")?;
        out.push(ReleaseListing {
            release_id: row.try_get("release_id")?,
            system: release_system,
            name: row.try_get("name")?,
            effective_from: date_column(row, "code_set_releases.effective_from", "effective_from")?,
            source: row.try_get("source")?,
            sha256: row.try_get("sha256")?,
            code_count: u64::try_from(count)
                .map_err(|_| corrupt("code_set_releases.code_count", count))?,
            loaded_at: Timestamp::parse(&loaded)
                .ok_or_else(|| corrupt("code_set_releases.loaded_at", &loaded))?,
        });
    }
    Ok(out)
}

/// Every loaded release, newest first (by effective date, then load time).
#[derive(Debug, Clone, Default)]
pub struct Releases(Vec<Release>);

impl Releases {
    /// The catalogue of `releases`, newest first as [`Releases::load`]
    /// orders them.
    pub(crate) fn from_newest_first(releases: Vec<Release>) -> Releases {
        Releases(releases)
    }

    /// Reads the catalogue in one query.
    pub async fn load(conn: &mut AnyConnection) -> Result<Releases, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT release_id, system, kind, scope, effective_from FROM code_set_releases \
             ORDER BY effective_from DESC, loaded_at DESC, release_id DESC",
        )
        .fetch_all(conn)
        .await?;
        let releases = rows
            .iter()
            .map(|row| {
                Ok(Release {
                    release_id: row.try_get("release_id")?,
                    system: system_column(row, "code_set_releases.system", "system")?,
                    kind: row.try_get("kind")?,
                    scope: row.try_get("scope")?,
                    effective_from: date_column(
                        row,
                        "code_set_releases.effective_from",
                        "effective_from",
                    )?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Releases(releases))
    }

    /// The newest release of `kind` for `system` and `scope` in effect on
    /// `on_or_before` (any effective date when `None`), as
    /// [`newest_release`] answers it.
    pub fn newest(
        &self,
        system: CodeSystem,
        kind: ReleaseKind,
        scope: &str,
        on_or_before: Option<CalendarDate>,
    ) -> Option<&Release> {
        self.0.iter().find(|r| {
            r.system == system
                && r.kind == kind.as_str()
                && r.scope == scope
                && on_or_before.is_none_or(|d| r.effective_from <= d)
        })
    }

    /// The code lists of `system`, newest first.
    pub fn code_lists(&self, system: CodeSystem) -> impl Iterator<Item = &Release> {
        self.0
            .iter()
            .filter(move |r| r.system == system && r.kind == ReleaseKind::Codes.as_str())
    }
}

/// The newest release of a kind for a system and scope, by effective date
/// then load time.
pub async fn newest_release(
    conn: &mut AnyConnection,
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
