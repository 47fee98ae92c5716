//! The edit tables as the coding-edit engine reads them: NCCI PTP pairs, MUE
//! values, MCE edits and age ranges, each for a date of service. Each reads
//! the newest release of its table (per care setting for NCCI and MUE).

use medbill_kernel::CalendarDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::decode::{corrupt, date_column, opt_date_column};
use super::releases::newest_release;
use super::write::ReleaseKind;
use crate::codesets::domain::{AgeRange, CodeSystem};
pub use crate::codesets::domain::{MueValue, NcciPair};

/// NCCI tables are kept under the HCPCS system (they pair CPT and HCPCS).
pub const NCCI_SYSTEM: CodeSystem = CodeSystem::Hcpcs;
/// MUE tables likewise.
pub const MUE_SYSTEM: CodeSystem = CodeSystem::Hcpcs;

/// Care settings of NCCI and MUE tables.
pub const SETTINGS: [&str; 3] = ["hospital_outpatient", "practitioner", "dme"];

/// The NCCI PTP edits among `codes` (both columns in the set) in effect on
/// `date`, from the newest release of each care setting.
pub async fn ncci_pairs_for(
    conn: &mut AnyConnection,
    codes: &[String],
    date: CalendarDate,
) -> Result<Vec<NcciPair>, sqlx::Error> {
    let mut out = Vec::new();
    if codes.len() < 2 {
        return Ok(out);
    }
    for setting in SETTINGS {
        let Some(release) =
            newest_release(&mut *conn, NCCI_SYSTEM, ReleaseKind::NcciPtp, setting, None).await?
        else {
            continue;
        };
        let list: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 3)).collect();
        let list = list.join(", ");
        let sql = format!(
            "SELECT column1, column2, effective_from, effective_to, modifier_indicator, rationale \
             FROM ncci_ptp_pairs WHERE release_id = $1 AND column1 IN ({list}) \
             AND column2 IN ({list}) AND effective_from <= $2 \
             AND (effective_to IS NULL OR effective_to >= $2) ORDER BY column1, column2"
        );
        let mut query = sqlx::query(&sql).bind(release).bind(date.to_string());
        for code in codes {
            query = query.bind(code.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            out.push(ncci_pair(&row, setting)?);
        }
    }
    Ok(out)
}

/// An `ncci_ptp_pairs` row of `setting`.
pub(super) fn ncci_pair(row: &AnyRow, setting: &str) -> Result<NcciPair, sqlx::Error> {
    Ok(NcciPair {
        setting: setting.to_string(),
        column1: row.try_get("column1")?,
        column2: row.try_get("column2")?,
        effective_from: date_column(row, "ncci_ptp_pairs.effective_from", "effective_from")?,
        effective_to: opt_date_column(row, "ncci_ptp_pairs.effective_to", "effective_to")?,
        modifier_indicator: row.try_get("modifier_indicator")?,
        rationale: row.try_get("rationale")?,
    })
}

/// A `mue_values` row of `setting` and `code`; a negative value is corrupt
/// (it would let no unit pass, or wrap).
pub(super) fn mue_value(row: &AnyRow, setting: &str, code: &str) -> Result<MueValue, sqlx::Error> {
    let value: i64 = row.try_get("mue_value")?;
    if value < 0 {
        return Err(corrupt(
            "mue_values.mue_value",
            format!("{value} is negative"),
        ));
    }
    Ok(MueValue {
        setting: setting.to_string(),
        code: code.to_string(),
        mue_value: value,
        adjudication_indicator: row.try_get("adjudication_indicator")?,
        rationale: row.try_get("rationale")?,
    })
}

/// The MUE values of `code` on `date`: from the newest MUE release of each
/// care setting that is in effect on the date.
pub async fn mue_for(
    conn: &mut AnyConnection,
    code: &str,
    date: CalendarDate,
) -> Result<Vec<MueValue>, sqlx::Error> {
    let mut out = Vec::new();
    for setting in SETTINGS {
        let Some(release) = newest_release(
            &mut *conn,
            MUE_SYSTEM,
            ReleaseKind::Mue,
            setting,
            Some(date),
        )
        .await?
        else {
            continue;
        };
        let row = sqlx::query(
            "SELECT mue_value, adjudication_indicator, rationale FROM mue_values \
             WHERE release_id = $1 AND setting = $2 AND code = $3",
        )
        .bind(release)
        .bind(setting)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            out.push(mue_value(&row, setting, code)?);
        }
    }
    Ok(out)
}

/// The MCE edits (`newborn`, `maternity`, `manifestation`, …) of an
/// ICD-10-CM or ICD-10-PCS code on `date`; empty when none apply or the
/// code is not valid then.
pub async fn mce_edits(
    conn: &mut AnyConnection,
    system: CodeSystem,
    code: &str,
    date: CalendarDate,
) -> Result<Vec<String>, sqlx::Error> {
    let Some(release) = newest_release(&mut *conn, system, ReleaseKind::Validity, "", None).await?
    else {
        return Ok(Vec::new());
    };
    let edits: Option<(String,)> = sqlx::query_as(
        "SELECT mce_edits FROM code_validity WHERE release_id = $1 AND code = $2 \
         AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3)",
    )
    .bind(release)
    .bind(code)
    .bind(date.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(edits
        .map(|(e,)| e.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default())
}

/// The ages the MCE age edits allow on `date` (newborn 0, pediatric 0–17,
/// maternity 9–64 — 12–55 before 2019-10-01 — adult 15–124).
pub async fn age_ranges(
    conn: &mut AnyConnection,
    date: CalendarDate,
) -> Result<Vec<AgeRange>, sqlx::Error> {
    let Some(release) = newest_release(
        &mut *conn,
        CodeSystem::Icd10Cm,
        ReleaseKind::Validity,
        "",
        None,
    )
    .await?
    else {
        return Ok(Vec::new());
    };
    age_ranges_in(conn, &release, date).await
}

/// The age ranges of MCE release `release_id` that apply on `date`.
pub(super) async fn age_ranges_in(
    conn: &mut AnyConnection,
    release_id: &str,
    date: CalendarDate,
) -> Result<Vec<AgeRange>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT edit, low_age, high_age, valid_from, valid_to FROM mce_age_ranges \
         WHERE release_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) \
         ORDER BY edit",
    )
    .bind(release_id.to_string())
    .bind(date.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(AgeRange {
                edit: row.try_get("edit")?,
                low_age: row.try_get("low_age")?,
                high_age: row.try_get("high_age")?,
                valid_from: date_column(&row, "mce_age_ranges.valid_from", "valid_from")?,
                valid_to: opt_date_column(&row, "mce_age_ranges.valid_to", "valid_to")?,
            })
        })
        .collect()
}
