//! Loading one official CMS file (an ICD-10-CM order file, an NCCI PTP
//! table, MUE values, a licensed CPT file) as a release with the name and
//! effective date the operator gives: read the file, parse it with
//! [`super::cms`], load the rows.

use std::path::Path;

use medbill_kernel::CalendarDate;
use medbill_platform::db::Database;

use super::cms;
use super::domain::CodeSystem;
use super::error::CodeSetError;
use super::fetch::sha256_file;
use super::import::{LoadedRelease, load_release};
use super::store::load::ReleaseRows;
use super::store::read::SETTINGS;
use super::store::write::{NewRelease, ReleaseKind};

/// A CMS file as read: its name for errors, its text and its sha256.
struct CmsFile {
    name: String,
    text: String,
    sha256: String,
    source: String,
}

fn read(path: &Path) -> Result<CmsFile, CodeSetError> {
    let bytes = std::fs::read(path).map_err(|e| CodeSetError::io(path, e))?;
    Ok(CmsFile {
        name: path.display().to_string(),
        text: cms::decode_text(bytes),
        sha256: sha256_file(path)?,
        source: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

impl CmsFile {
    /// The release this file becomes.
    fn release(
        self,
        system: CodeSystem,
        kind: ReleaseKind,
        scope: &str,
        name: &str,
        effective_from: CalendarDate,
        count: usize,
    ) -> NewRelease {
        NewRelease {
            system,
            kind,
            scope: scope.to_string(),
            name: name.to_string(),
            effective_from,
            source: self.source,
            sha256: self.sha256,
            code_count: count as u64,
        }
    }
}

/// Loads an ICD-10-CM order file as a release effective `effective_from`.
pub async fn import_order_file(
    db: &Database,
    path: &Path,
    name: &str,
    effective_from: CalendarDate,
) -> Result<LoadedRelease, CodeSetError> {
    let file = read(path)?;
    let codes = cms::parse_order_file(&file.name, &file.text)?;
    let (system, kind) = (CodeSystem::Icd10Cm, ReleaseKind::Codes);
    let release = file.release(system, kind, "", name, effective_from, codes.len());
    load_release(db, release, ReleaseRows::Codes(&codes)).await
}

/// Loads an NCCI PTP file for `setting` (`practitioner` or
/// `hospital_outpatient`) as a release.
pub async fn import_ncci_ptp(
    db: &Database,
    path: &Path,
    name: &str,
    effective_from: CalendarDate,
    setting: &str,
) -> Result<LoadedRelease, CodeSetError> {
    if !["practitioner", "hospital_outpatient"].contains(&setting) {
        return Err(CodeSetError::format(
            path.display().to_string(),
            format!("setting {setting:?} must be practitioner or hospital_outpatient"),
        ));
    }
    let file = read(path)?;
    let pairs = cms::parse_ncci_ptp(&file.name, &file.text)?;
    let (system, kind) = (CodeSystem::Hcpcs, ReleaseKind::NcciPtp);
    let release = file.release(system, kind, setting, name, effective_from, pairs.len());
    let rows = ReleaseRows::NcciPtp {
        setting,
        pairs: &pairs,
    };
    load_release(db, release, rows).await
}

/// Loads an MUE csv for `setting` (`practitioner`, `hospital_outpatient`,
/// `dme`) as a release effective `effective_from`.
pub async fn import_mue(
    db: &Database,
    path: &Path,
    name: &str,
    effective_from: CalendarDate,
    setting: &str,
) -> Result<LoadedRelease, CodeSetError> {
    if !SETTINGS.contains(&setting) {
        return Err(CodeSetError::format(
            path.display().to_string(),
            format!("setting {setting:?} must be practitioner, hospital_outpatient or dme"),
        ));
    }
    let file = read(path)?;
    let values = cms::parse_mue(&file.name, &file.text)?;
    let (system, kind) = (CodeSystem::Hcpcs, ReleaseKind::Mue);
    let release = file.release(system, kind, setting, name, effective_from, values.len());
    let rows = ReleaseRows::Mue {
        setting,
        values: &values,
    };
    load_release(db, release, rows).await
}

/// Loads a customer's licensed CPT file as a release.
pub async fn import_cpt(
    db: &Database,
    path: &Path,
    name: &str,
    effective_from: CalendarDate,
) -> Result<LoadedRelease, CodeSetError> {
    let file = read(path)?;
    let codes = cms::parse_cpt(&file.name, &file.text)?;
    let (system, kind) = (CodeSystem::Cpt, ReleaseKind::Codes);
    let release = file.release(system, kind, "", name, effective_from, codes.len());
    load_release(db, release, ReleaseRows::Codes(&codes)).await
}
