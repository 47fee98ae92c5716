//! The I/OCE tables of the `pyoce` package (dumped to TSV by the fetch
//! step): HCPCS Level II codes with 28-character descriptions, OPPS status
//! indicator, APC and age range; modifiers with NCCI-bypass and telehealth
//! flags; the hospital outpatient NCCI PTP pairs. Rows carry I/OCE version
//! ranges, turned into dates with `oce_versions.tsv`; the newest version's
//! end is read as open.
//!
//! CPT numbers appear here too: they get validity periods but never a
//! descriptor (AMA copyright), and CDT D-codes lose theirs (ADA).

use std::collections::HashMap;
use std::path::Path;

use medbill_kernel::CalendarDate;

use super::domain::{CodeRow, CodeSystem, ValidityRow};
use super::error::CodeSetError;
use super::fetch::PYOCE_WHEEL;
use super::import::{LoadedRelease, load_release};
use super::mce::yyyymmdd;
use super::store::write::{self, NewRelease, ReleaseKind, Value, date_value, opt_date_value};

/// I/OCE versions: number → (first day, last day or open).
struct Versions {
    by_number: HashMap<u32, (CalendarDate, Option<CalendarDate>)>,
    newest: u32,
    newest_id: String,
}

impl Versions {
    fn start(&self, file: &str, v: u32) -> Result<CalendarDate, CodeSetError> {
        self.by_number
            .get(&v)
            .map(|r| r.0)
            .ok_or_else(|| CodeSetError::format(file, format!("unknown I/OCE version {v}")))
    }

    fn end(&self, file: &str, v: u32) -> Result<Option<CalendarDate>, CodeSetError> {
        self.by_number
            .get(&v)
            .map(|r| r.1)
            .ok_or_else(|| CodeSetError::format(file, format!("unknown I/OCE version {v}")))
    }
}

fn read_tsv(dir: &Path, name: &str, columns: usize) -> Result<Vec<Vec<String>>, CodeSetError> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| CodeSetError::io(&path, e))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<String> = line.split('\t').map(str::to_string).collect();
            if fields.len() == columns {
                Ok(fields)
            } else {
                Err(CodeSetError::format(
                    name,
                    format!(
                        "line {}: {} fields, expected {columns}",
                        i + 1,
                        fields.len()
                    ),
                ))
            }
        })
        .collect()
}

fn number(file: &str, text: &str) -> Result<u32, CodeSetError> {
    text.parse()
        .map_err(|_| CodeSetError::format(file, format!("{text:?} is not a number")))
}

fn versions(dir: &Path) -> Result<Versions, CodeSetError> {
    let file = "oce_versions.tsv";
    let mut raw = Vec::new();
    for f in read_tsv(dir, file, 4)? {
        raw.push((
            number(file, &f[0])?,
            number(file, &f[1])?,
            number(file, &f[2])?,
            f[3].clone(),
        ));
    }
    let newest = raw
        .iter()
        .max_by_key(|r| r.0)
        .ok_or_else(|| CodeSetError::format(file, "no versions"))?;
    let (newest, newest_id) = (newest.0, newest.3.clone());
    let mut by_number = HashMap::new();
    for (v, from, to, _) in raw {
        let end = if v == newest {
            None
        } else {
            Some(yyyymmdd(file, to)?)
        };
        by_number.insert(v, (yyyymmdd(file, from)?, end));
    }
    Ok(Versions {
        by_number,
        newest,
        newest_id,
    })
}

/// Merges one code's (lo, hi) version ranges into validity periods.
fn periods(
    file: &str,
    versions: &Versions,
    code: &str,
    mut ranges: Vec<(u32, u32)>,
) -> Result<Vec<ValidityRow>, CodeSetError> {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
        .into_iter()
        .map(|(lo, hi)| {
            Ok(ValidityRow {
                code: code.to_string(),
                valid_from: versions.start(file, lo)?,
                valid_to: versions.end(file, hi)?,
                edits: Vec::new(),
            })
        })
        .collect()
}

/// Loads HCPCS Level II, CPT validity, modifiers and NCCI PTP from pyoce.
pub async fn import_oce(
    db: &Database,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<Vec<LoadedRelease>, CodeSetError> {
    let versions = versions(dir)?;
    let effective = versions.start("oce_versions.tsv", versions.newest)?;
    let name = format!("I/OCE v{}", versions.newest_id);
    let source = |table: &str| {
        format!(
            "{}=={}:pyoce/data/pyoce.mdb.xz:{table}",
            PYOCE_WHEEL.package, PYOCE_WHEEL.version
        )
    };
    let release = |system, kind, scope: &str, table: &str, count: usize| NewRelease {
        system,
        kind,
        scope: scope.to_string(),
        name: name.clone(),
        effective_from: effective,
        source: source(table),
        sha256: PYOCE_WHEEL.sha256.to_string(),
        code_count: count as u64,
    };
    let mut out = Vec::new();

    // HCPCS Level II (letter first) and CPT numbers (digit first).
    let file = "oce_hcpcs.tsv";
    let rows = read_tsv(dir, file, 8)?;
    let mut ranges: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
    let mut newest: HashMap<String, (u32, String)> = HashMap::new();
    let mut attributes = Vec::with_capacity(rows.len());
    for f in &rows {
        let (lo, hi) = (number(file, &f[1])?, number(file, &f[2])?);
        ranges.entry(f[0].clone()).or_default().push((lo, hi));
        let entry = newest.entry(f[0].clone()).or_insert((0, String::new()));
        if hi >= entry.0 {
            *entry = (hi, f[7].clone());
        }
        attributes.push((
            f.clone(),
            versions.start(file, lo)?,
            versions.end(file, hi)?,
        ));
    }
    let mut hcpcs_codes = Vec::new();
    let (mut hcpcs_periods, mut cpt_periods) = (Vec::new(), Vec::new());
    let mut codes: Vec<&String> = ranges.keys().collect();
    codes.sort();
    for code in codes {
        let p = periods(file, &versions, code, ranges[code].clone())?;
        if code.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // CDT (D-codes) descriptors are the ADA's: never stored.
            let description = if code.starts_with('D') {
                String::new()
            } else {
                newest[code].1.clone()
            };
            hcpcs_codes.push(CodeRow {
                code: code.clone(),
                is_header: false,
                description,
                parent: String::new(),
                notes: Vec::new(),
            });
            hcpcs_periods.extend(p);
        } else {
            cpt_periods.extend(p);
        }
    }
    progress(&format!(
        "loading {} HCPCS Level II codes and {} CPT validity periods",
        hcpcs_codes.len(),
        cpt_periods.len()
    ));
    out.push(
        load_release(
            db,
            release(
                CodeSystem::Hcpcs,
                ReleaseKind::Codes,
                "",
                "data_hcpcs",
                hcpcs_codes.len(),
            ),
            async |conn, id| {
                let n = write::insert_codes(conn, id, CodeSystem::Hcpcs, &hcpcs_codes).await?;
                write::bulk_insert(
                    conn,
                    "hcpcs_attributes",
                    &[
                        "release_id",
                        "code",
                        "valid_from",
                        "valid_to",
                        "status_indicator",
                        "apc",
                        "low_age",
                        "high_age",
                    ],
                    attributes.iter().map(|(f, from, to)| {
                        vec![
                            Value::Text(id.to_string()),
                            Value::Text(f[0].clone()),
                            date_value(*from),
                            opt_date_value(*to),
                            Value::Text(f[3].clone()),
                            Value::Text(f[4].clone()),
                            Value::Int(f[5].parse().unwrap_or(0)),
                            Value::Int(f[6].parse().unwrap_or(124)),
                        ]
                    }),
                )
                .await?;
                Ok(n)
            },
        )
        .await?,
    );
    out.push(
        load_release(
            db,
            release(
                CodeSystem::Hcpcs,
                ReleaseKind::Validity,
                "",
                "data_hcpcs",
                hcpcs_periods.len(),
            ),
            async |conn, id| {
                Ok(write::insert_validity(conn, id, CodeSystem::Hcpcs, &hcpcs_periods).await?)
            },
        )
        .await?,
    );
    out.push(
        load_release(
            db,
            release(
                CodeSystem::Cpt,
                ReleaseKind::Validity,
                "",
                "data_hcpcs",
                cpt_periods.len(),
            ),
            async |conn, id| {
                Ok(write::insert_validity(conn, id, CodeSystem::Cpt, &cpt_periods).await?)
            },
        )
        .await?,
    );

    // Modifiers.
    let file = "oce_modifiers.tsv";
    let rows = read_tsv(dir, file, 7)?;
    let mut ranges: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
    let mut attributes = Vec::new();
    for f in &rows {
        let (lo, hi) = (number(file, &f[1])?, number(file, &f[2])?);
        ranges.entry(f[0].clone()).or_default().push((lo, hi));
        attributes.push((
            f.clone(),
            versions.start(file, lo)?,
            versions.end(file, hi)?,
        ));
    }
    let mut modifiers: Vec<&String> = ranges.keys().collect();
    modifiers.sort();
    let mut modifier_codes = Vec::new();
    let mut modifier_periods = Vec::new();
    for m in modifiers {
        modifier_codes.push(CodeRow {
            code: m.clone(),
            is_header: false,
            description: String::new(),
            parent: String::new(),
            notes: Vec::new(),
        });
        modifier_periods.extend(periods(file, &versions, m, ranges[m].clone())?);
    }
    progress(&format!("loading {} modifiers", modifier_codes.len()));
    out.push(
        load_release(
            db,
            release(
                CodeSystem::Modifier,
                ReleaseKind::Codes,
                "",
                "data_modifier",
                modifier_codes.len(),
            ),
            async |conn, id| {
                let n =
                    write::insert_codes(conn, id, CodeSystem::Modifier, &modifier_codes).await?;
                write::insert_validity(conn, id, CodeSystem::Modifier, &modifier_periods).await?;
                write::bulk_insert(
                    conn,
                    "modifier_attributes",
                    &[
                        "release_id",
                        "modifier",
                        "valid_from",
                        "valid_to",
                        "ncci_bypass",
                        "telehealth",
                    ],
                    attributes.iter().map(|(f, from, to)| {
                        vec![
                            Value::Text(id.to_string()),
                            Value::Text(f[0].clone()),
                            date_value(*from),
                            opt_date_value(*to),
                            Value::Int(i64::from(f[3] == "1")),
                            Value::Int(i64::from(f[4] == "1")),
                        ]
                    }),
                )
                .await?;
                Ok(n)
            },
        )
        .await?,
    );
    out.push(
        import_oce_ncci(
            db,
            dir,
            &versions,
            release(
                CodeSystem::Hcpcs,
                ReleaseKind::NcciPtp,
                "hospital_outpatient",
                "map_ncci",
                0,
            ),
            progress,
        )
        .await?,
    );
    Ok(out)
}

async fn import_oce_ncci(
    db: &Database,
    dir: &Path,
    versions: &Versions,
    mut release: NewRelease,
    progress: &dyn Fn(&str),
) -> Result<LoadedRelease, CodeSetError> {
    let file = "oce_ncci.tsv";
    let rows = read_tsv(dir, file, 5)?;
    release.code_count = rows.len() as u64;
    progress(&format!(
        "loading {} hospital outpatient NCCI PTP pairs",
        rows.len()
    ));
    let mut values = Vec::with_capacity(rows.len());
    for f in rows {
        let (lo, hi) = (number(file, &f[3])?, number(file, &f[4])?);
        let indicator = match f[2].as_str() {
            "1" => 1,
            "0" => 0,
            other => {
                return Err(CodeSetError::format(
                    file,
                    format!("modifier indicator {other:?}"),
                ));
            }
        };
        values.push((
            f[0].clone(),
            f[1].clone(),
            versions.start(file, lo)?,
            versions.end(file, hi)?,
            indicator,
        ));
    }
    load_release(db, release, async |conn, id| {
        let rows = values.iter().map(|(c1, c2, from, to, ind)| {
            vec![
                Value::Text(id.to_string()),
                Value::Text("hospital_outpatient".into()),
                Value::Text(c1.clone()),
                Value::Text(c2.clone()),
                date_value(*from),
                opt_date_value(*to),
                Value::Int(*ind),
                Value::Text(String::new()),
            ]
        });
        Ok(write::bulk_insert(conn, "ncci_ptp_pairs", &write::NCCI_COLUMNS, rows).await?)
    })
    .await
}

use medbill_platform::db::Database;
