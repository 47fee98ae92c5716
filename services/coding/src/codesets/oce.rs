//! The I/OCE tables of the `pyoce` package (dumped to TSV by the fetch
//! step): HCPCS Level II codes with 28-character descriptions, OPPS status
//! indicator, APC and age range; modifiers with NCCI-bypass and telehealth
//! flags; the hospital outpatient NCCI PTP pairs. Rows carry I/OCE version
//! ranges, turned into dates with `oce_versions.tsv`; the newest version's
//! end is read as open.
//!
//! CPT numbers appear here too: they get validity periods but never a
//! descriptor (AMA copyright), and CDT D-codes lose theirs (ADA).
//!
//! A pure reader: text in, rows out ([`super::import`] loads them).

use std::collections::HashMap;

use medbill_kernel::CalendarDate;

use super::domain::{CodeRow, HcpcsAttributes, ModifierAttributes, PtpRow, ValidityRow};
use super::error::CodeSetError;
use super::mce::yyyymmdd;

/// The dumped I/OCE tables: (file name, text) of each.
#[derive(Debug, Clone, Copy)]
pub struct OceTables<'a> {
    /// `oce_versions.tsv`: version, first day, last day, version id.
    pub versions: (&'a str, &'a str),
    /// `oce_hcpcs.tsv`: code, version range, status indicator, APC, ages,
    /// description.
    pub hcpcs: (&'a str, &'a str),
    /// `oce_modifiers.tsv`: modifier, version range, NCCI bypass, telehealth.
    pub modifiers: (&'a str, &'a str),
    /// `oce_ncci.tsv`: column 1, column 2, modifier indicator, version range.
    pub ncci: (&'a str, &'a str),
}

/// What the I/OCE tables hold, as rows for the store.
#[derive(Debug, Clone)]
pub struct OceRelease {
    /// First day of the newest I/OCE version: the releases' effective date.
    pub effective_from: CalendarDate,
    /// The newest version's id, for the release names.
    pub newest_version: String,
    /// HCPCS Level II codes (CDT descriptors withheld).
    pub hcpcs_codes: Vec<CodeRow>,
    /// Their validity periods.
    pub hcpcs_periods: Vec<ValidityRow>,
    /// Their attributes per period (every row of the table, CPT included).
    pub hcpcs_attributes: Vec<HcpcsAttributes>,
    /// Validity periods of CPT numbers (no descriptors).
    pub cpt_periods: Vec<ValidityRow>,
    /// Modifiers (no descriptions).
    pub modifier_codes: Vec<CodeRow>,
    /// Their validity periods.
    pub modifier_periods: Vec<ValidityRow>,
    /// Their attributes per period.
    pub modifier_attributes: Vec<ModifierAttributes>,
    /// The hospital outpatient NCCI PTP pairs.
    pub ncci_pairs: Vec<PtpRow>,
}

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

fn read_tsv<'a>(
    (name, text): (&str, &'a str),
    columns: usize,
) -> Result<Vec<Vec<&'a str>>, CodeSetError> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
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

fn versions(table: (&str, &str)) -> Result<Versions, CodeSetError> {
    let file = table.0;
    let mut raw = Vec::new();
    for f in read_tsv(table, 4)? {
        raw.push((
            number(file, f[0])?,
            number(file, f[1])?,
            number(file, f[2])?,
            f[3].to_string(),
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

/// A code of a list without description, parent or notes.
fn bare_code(code: &str, description: String) -> CodeRow {
    CodeRow {
        code: code.to_string(),
        is_header: false,
        description,
        parent: String::new(),
        notes: Vec::new(),
    }
}

/// An age bound of `oce_hcpcs.tsv`. The table leaves a bound empty when the
/// code has none; `open` (0 or 124) stands for it then.
fn age(text: &str, open: i64) -> i64 {
    text.parse().unwrap_or(open)
}

/// Reads the I/OCE tables.
pub fn parse_oce(tables: &OceTables<'_>) -> Result<OceRelease, CodeSetError> {
    let versions = versions(tables.versions)?;
    let effective_from = versions.start(tables.versions.0, versions.newest)?;

    // HCPCS Level II (letter first) and CPT numbers (digit first).
    let file = tables.hcpcs.0;
    let rows = read_tsv(tables.hcpcs, 8)?;
    let mut ranges: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    let mut newest: HashMap<&str, (u32, &str)> = HashMap::new();
    let mut hcpcs_attributes = Vec::with_capacity(rows.len());
    for f in &rows {
        let (lo, hi) = (number(file, f[1])?, number(file, f[2])?);
        ranges.entry(f[0]).or_default().push((lo, hi));
        let entry = newest.entry(f[0]).or_insert((0, ""));
        if hi >= entry.0 {
            *entry = (hi, f[7]);
        }
        hcpcs_attributes.push(HcpcsAttributes {
            code: f[0].to_string(),
            valid_from: versions.start(file, lo)?,
            valid_to: versions.end(file, hi)?,
            status_indicator: f[3].to_string(),
            apc: f[4].to_string(),
            low_age: age(f[5], 0),
            high_age: age(f[6], 124),
        });
    }
    let mut hcpcs_codes = Vec::new();
    let (mut hcpcs_periods, mut cpt_periods) = (Vec::new(), Vec::new());
    let mut codes: Vec<&str> = ranges.keys().copied().collect();
    codes.sort_unstable();
    for code in codes {
        let p = periods(file, &versions, code, ranges[code].clone())?;
        if code.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // CDT (D-codes) descriptors are the ADA's: never stored.
            let description = if code.starts_with('D') {
                String::new()
            } else {
                newest[code].1.to_string()
            };
            hcpcs_codes.push(bare_code(code, description));
            hcpcs_periods.extend(p);
        } else {
            cpt_periods.extend(p);
        }
    }

    // Modifiers.
    let file = tables.modifiers.0;
    let rows = read_tsv(tables.modifiers, 7)?;
    let mut ranges: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    let mut modifier_attributes = Vec::with_capacity(rows.len());
    for f in &rows {
        let (lo, hi) = (number(file, f[1])?, number(file, f[2])?);
        ranges.entry(f[0]).or_default().push((lo, hi));
        modifier_attributes.push(ModifierAttributes {
            modifier: f[0].to_string(),
            valid_from: versions.start(file, lo)?,
            valid_to: versions.end(file, hi)?,
            ncci_bypass: f[3] == "1",
            telehealth: f[4] == "1",
        });
    }
    let mut modifiers: Vec<&str> = ranges.keys().copied().collect();
    modifiers.sort_unstable();
    let mut modifier_codes = Vec::new();
    let mut modifier_periods = Vec::new();
    for m in modifiers {
        modifier_codes.push(bare_code(m, String::new()));
        modifier_periods.extend(periods(file, &versions, m, ranges[m].clone())?);
    }

    Ok(OceRelease {
        effective_from,
        newest_version: versions.newest_id.clone(),
        hcpcs_codes,
        hcpcs_periods,
        hcpcs_attributes,
        cpt_periods,
        modifier_codes,
        modifier_periods,
        modifier_attributes,
        ncci_pairs: ncci_pairs(tables.ncci, &versions)?,
    })
}

/// The hospital outpatient NCCI PTP pairs (no rationale in the I/OCE).
fn ncci_pairs(table: (&str, &str), versions: &Versions) -> Result<Vec<PtpRow>, CodeSetError> {
    let file = table.0;
    let rows = read_tsv(table, 5)?;
    let mut pairs = Vec::with_capacity(rows.len());
    for f in rows {
        let (lo, hi) = (number(file, f[3])?, number(file, f[4])?);
        let modifier_indicator = match f[2] {
            "1" => 1,
            "0" => 0,
            other => {
                return Err(CodeSetError::format(
                    file,
                    format!("modifier indicator {other:?}"),
                ));
            }
        };
        pairs.push(PtpRow {
            column1: f[0].to_string(),
            column2: f[1].to_string(),
            effective_from: versions.start(file, lo)?,
            effective_to: versions.end(file, hi)?,
            modifier_indicator,
            rationale: String::new(),
        });
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ranges_become_dates_and_the_newest_version_is_open() {
        let versions = "1\t20250101\t20250331\t26.0\n2\t20250401\t20250630\t26.1\n";
        let hcpcs = "J1100\t1\t2\tK\t9999\t\t\tDexamethasone sodium phos\n\
                     D0120\t1\t2\t\t\t0\t124\tPeriodic oral evaluation\n\
                     99213\t1\t1\tV\t5012\t\t\t\n";
        let modifiers = "XU\t1\t2\t1\t0\t\t\n";
        let ncci = "10021\t10004\t1\t1\t2\n";
        let tables = OceTables {
            versions: ("v", versions),
            hcpcs: ("h", hcpcs),
            modifiers: ("m", modifiers),
            ncci: ("n", ncci),
        };
        let oce = parse_oce(&tables).unwrap();
        assert_eq!(oce.newest_version, "26.1");
        assert_eq!(oce.effective_from.to_string(), "2025-04-01");
        let codes: Vec<(&str, &str)> = oce
            .hcpcs_codes
            .iter()
            .map(|c| (c.code.as_str(), c.description.as_str()))
            .collect();
        assert_eq!(
            codes,
            [("D0120", ""), ("J1100", "Dexamethasone sodium phos")],
            "CDT descriptors are withheld, CPT numbers are no HCPCS codes"
        );
        assert_eq!(oce.cpt_periods.len(), 1);
        assert_eq!(
            oce.cpt_periods[0]
                .valid_to
                .map(|d| d.to_string())
                .as_deref(),
            Some("2025-03-31")
        );
        assert_eq!(
            oce.hcpcs_periods[1].valid_to, None,
            "the newest version is open"
        );
        assert_eq!(
            (
                oce.hcpcs_attributes[0].low_age,
                oce.hcpcs_attributes[0].high_age
            ),
            (0, 124)
        );
        assert!(oce.modifier_attributes[0].ncci_bypass);
        assert_eq!(oce.ncci_pairs[0].modifier_indicator, 1);
        let bad = parse_oce(&OceTables {
            ncci: ("n", "10021\t10004\t7\t1\t2\n"),
            ..tables
        })
        .unwrap_err();
        assert!(bad.to_string().contains("modifier indicator"), "{bad}");
    }
}
