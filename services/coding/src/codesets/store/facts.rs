//! Reading the code-set facts of one encounter in one round of queries: the
//! release catalogue, the import record, then one query per table (codes,
//! validity periods, notes, NCCI pairs, MUE values, age ranges) for all the
//! encounter's codes at once, however many codes and edits there are. With
//! [`CodeSource::Index`] what the codes are (code lists, validity, notes)
//! comes from the in-memory index instead, and only the edit tables and
//! the import record are queried.

use std::collections::{BTreeSet, HashMap};

use medbill_kernel::CalendarDate;
use medbill_platform::db::placeholders;
use sqlx::{AnyConnection, Row};

use super::imports;
use super::lookup::answers;
use super::read::{MUE_SYSTEM, NCCI_SYSTEM, SETTINGS, age_ranges_in, mue_value, ncci_pair};
use super::releases::Releases;
use super::write::ReleaseKind;
use crate::codesets::domain::{CodeAnswer, CodeSystem, MueValue, NcciPair, procedure_system};
use crate::codesets::facts::{CodeSetFacts, FactsRequest};
use crate::codesets::index::CodeSetIndex;

/// Where the facts are read from.
#[derive(Debug, Clone, Copy)]
pub enum CodeSource<'a> {
    /// Queries on the connection.
    Store,
    /// The in-memory index of the loaded releases ([`CodeSetIndex`]): the
    /// catalogue, the code lists, validity and notes, and the MCE age
    /// ranges come from it; the NCCI pairs and MUE values of the codes and
    /// the import record are read from the connection.
    Index(&'a CodeSetIndex),
}

impl CodeSource<'_> {
    /// What each `(code, date)` of `system` is.
    async fn answers(
        &self,
        conn: &mut AnyConnection,
        releases: &Releases,
        system: CodeSystem,
        wanted: &[(String, CalendarDate)],
    ) -> Result<HashMap<(String, CalendarDate), CodeAnswer>, sqlx::Error> {
        match self {
            CodeSource::Store => answers(conn, releases, system, wanted).await,
            CodeSource::Index(index) => index.answers(system, wanted),
        }
    }
}

/// Reads what the loaded code sets say about `request`'s codes, from the
/// connection or, as far as it holds them, from the index (`codes`).
pub async fn load(
    conn: &mut AnyConnection,
    request: &FactsRequest,
    codes: CodeSource<'_>,
) -> Result<CodeSetFacts, sqlx::Error> {
    let read;
    let releases: &Releases = match codes {
        CodeSource::Store => {
            read = Releases::load(conn).await?;
            &read
        }
        CodeSource::Index(index) => index.releases()?,
    };
    let mut facts = CodeSetFacts {
        icd10cm_loaded: releases
            .newest(CodeSystem::Icd10Cm, ReleaseKind::Codes, "", None)
            .is_some(),
        unfinished_import: imports::unfinished(conn).await?,
        ..CodeSetFacts::default()
    };
    if !facts.icd10cm_loaded || facts.unfinished_import.is_some() {
        return Ok(facts);
    }
    let dos = request.date_of_service;

    // Diagnoses, and the 6-character parent of each 7-character code (it
    // tells an invalid 7th character from an unknown code).
    let mut wanted: Vec<(String, CalendarDate)> = Vec::new();
    for code in &request.diagnoses {
        wanted.push((code.clone(), dos));
        if code.len() == 7
            && let Some(parent) = code.get(..6)
        {
            wanted.push((parent.to_string(), dos));
        }
    }
    facts.diagnoses = codes
        .answers(conn, releases, CodeSystem::Icd10Cm, &wanted)
        .await?
        .into_iter()
        .map(|((code, _), answer)| (code, answer))
        .collect();

    for system in [CodeSystem::Icd10Pcs, CodeSystem::Hcpcs, CodeSystem::Cpt] {
        let loaded = releases
            .newest(system, ReleaseKind::Codes, "", None)
            .is_some()
            || releases
                .newest(system, ReleaseKind::Validity, "", None)
                .is_some();
        if !loaded {
            continue;
        }
        facts.procedure_systems.insert(system);
        let wanted: Vec<(String, CalendarDate)> = request
            .lines
            .iter()
            .filter(|(code, _)| procedure_system(code) == system)
            .cloned()
            .collect();
        facts
            .procedures
            .extend(codes.answers(conn, releases, system, &wanted).await?);
    }

    let line_codes: BTreeSet<&str> = request.lines.iter().map(|(c, _)| c.as_str()).collect();
    let line_codes: Vec<&str> = line_codes.into_iter().collect();
    for setting in SETTINGS {
        let kinds = [
            (ReleaseKind::NcciPtp, &mut facts.ncci_settings),
            (ReleaseKind::Mue, &mut facts.mue_settings),
        ];
        for (kind, settings) in kinds {
            if releases.newest(NCCI_SYSTEM, kind, setting, None).is_some() {
                settings.insert(setting.to_string());
            }
        }
    }
    facts.ncci_pairs = ncci_pairs(conn, releases, &line_codes).await?;
    let dates: BTreeSet<CalendarDate> = request.lines.iter().map(|(_, d)| *d).collect();
    facts.mue_values = mue_values(conn, releases, &line_codes, &dates).await?;
    if let Some(mce) = releases.newest(CodeSystem::Icd10Cm, ReleaseKind::Validity, "", None) {
        facts.age_ranges = match codes {
            CodeSource::Store => age_ranges_in(conn, &mce.release_id, dos).await?,
            CodeSource::Index(index) => index.age_ranges_on(dos)?,
        };
    }
    Ok(facts)
}

/// Every NCCI pair among `codes` in the newest release of each setting,
/// ordered by setting (as [`SETTINGS`] lists them), column 1, column 2.
async fn ncci_pairs(
    conn: &mut AnyConnection,
    releases: &Releases,
    codes: &[&str],
) -> Result<Vec<NcciPair>, sqlx::Error> {
    let newest: Vec<(&str, &str)> = SETTINGS
        .iter()
        .filter_map(|s| {
            releases
                .newest(NCCI_SYSTEM, ReleaseKind::NcciPtp, s, None)
                .map(|r| (*s, r.release_id.as_str()))
        })
        .collect();
    if newest.is_empty() || codes.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(newest.len() + 1, codes.len());
    let sql = format!(
        "SELECT release_id, column1, column2, effective_from, effective_to, \
         modifier_indicator, rationale FROM ncci_ptp_pairs \
         WHERE release_id IN ({}) AND column1 IN ({list}) AND column2 IN ({list}) \
         ORDER BY column1, column2",
        placeholders(1, newest.len())
    );
    let mut query = sqlx::query(&sql);
    for (_, release) in &newest {
        query = query.bind(release.to_string());
    }
    for code in codes {
        query = query.bind(code.to_string());
    }
    let rows = query.fetch_all(conn).await?;
    let mut out = Vec::new();
    for (setting, release) in &newest {
        for row in &rows {
            if row.try_get::<String, _>("release_id")? == *release {
                out.push(ncci_pair(row, setting)?);
            }
        }
    }
    Ok(out)
}

/// The MUE values of `codes` per setting and date: from the newest release
/// of the setting in effect on each date.
async fn mue_values(
    conn: &mut AnyConnection,
    releases: &Releases,
    codes: &[&str],
    dates: &BTreeSet<CalendarDate>,
) -> Result<HashMap<(String, String, CalendarDate), MueValue>, sqlx::Error> {
    let mut governing: Vec<(&str, CalendarDate, &str)> = Vec::new();
    for setting in SETTINGS {
        for date in dates {
            if let Some(r) = releases.newest(MUE_SYSTEM, ReleaseKind::Mue, setting, Some(*date)) {
                governing.push((setting, *date, r.release_id.as_str()));
            }
        }
    }
    let ids: BTreeSet<&str> = governing.iter().map(|(_, _, id)| *id).collect();
    let mut out = HashMap::new();
    if ids.is_empty() || codes.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT release_id, setting, code, mue_value, adjudication_indicator, rationale \
         FROM mue_values WHERE release_id IN ({}) AND code IN ({})",
        placeholders(1, ids.len()),
        placeholders(ids.len() + 1, codes.len())
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(id.to_string());
    }
    for code in codes {
        query = query.bind(code.to_string());
    }
    // (release, setting, code) → value; a release holds one row per code
    // and setting (the primary key).
    let mut by_release: HashMap<(String, String, String), MueValue> = HashMap::new();
    for row in query.fetch_all(conn).await? {
        let setting: String = row.try_get("setting")?;
        let code: String = row.try_get("code")?;
        let value = mue_value(&row, &setting, &code)?;
        let key = (
            row.try_get("release_id")?,
            value.setting.clone(),
            value.code.clone(),
        );
        by_release.insert(key, value);
    }
    for (setting, date, release) in governing {
        for code in codes {
            let key = (release.to_string(), setting.to_string(), code.to_string());
            if let Some(value) = by_release.get(&key) {
                out.insert((setting.to_string(), code.to_string(), date), value.clone());
            }
        }
    }
    Ok(out)
}
