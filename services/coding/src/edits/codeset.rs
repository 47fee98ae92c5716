//! Edits against the loaded code sets, for the date of service: validity and
//! billability, header codes and the 7th character, Excludes1 pairs,
//! code-first and use-additional instructions, manifestation codes listed
//! first, MCE age conflicts and unacceptable principal diagnoses, NCCI PTP
//! pairs (with NCCI-associated modifiers), and MUE units.
//!
//! ICD-10-CM must be loaded: without it nothing can be checked, which is an
//! error, not a pass. CPT is checked only when the customer loaded a licensed
//! CPT file (medbill ships none); HCPCS Level II and ICD-10-PCS when loaded.

use std::collections::BTreeMap;

use medbill_kernel::CalendarDate;
use sqlx::AnyConnection;

use super::{Finding, Severity};
use crate::codesets::store::lookup::get_code;
use crate::codesets::store::newest_release;
use crate::codesets::store::read::{NCCI_SYSTEM, age_ranges, mue_for, ncci_pairs_for};
use crate::codesets::store::write::ReleaseKind;
use crate::codesets::{CodeAnswer, CodeStatus, CodeSystem, NoteKind};
use crate::encounters::domain::{Coding, EncounterType};

/// NCCI-associated modifiers (NCCI Policy Manual, ch. I): with one on either
/// line, a pair whose modifier indicator is 1 may be billed together.
const NCCI_MODIFIERS: [&str; 36] = [
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD",
    "LM", "LT", "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "59",
    "XE", "XS", "XP", "XU",
];

/// What the code-set edits look at.
pub struct CodeSetInput<'a> {
    /// The coding.
    pub coding: &'a Coding,
    /// The setting.
    pub encounter_type: EncounterType,
    /// Age in years on the first date of service.
    pub age_years: u32,
    /// First date of service (diagnoses are checked on it).
    pub date_of_service: CalendarDate,
}

fn finding(
    edit: &str,
    severity: Severity,
    codes: Vec<String>,
    message: String,
    fix: &str,
    line: i32,
) -> Finding {
    Finding {
        edit_id: edit.to_string(),
        severity,
        codes,
        message,
        suggested_fix: fix.to_string(),
        line_index: line,
    }
}

/// Runs the code-set edits.
pub async fn check(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
) -> Result<Vec<Finding>, sqlx::Error> {
    let mut findings = Vec::new();
    let dos = input.date_of_service;
    if newest_release(conn, CodeSystem::Icd10Cm, ReleaseKind::Codes, "", None)
        .await?
        .is_none()
    {
        findings.push(finding(
            "CODE_SETS_NOT_LOADED",
            Severity::Error,
            vec![],
            "ICD-10-CM is not loaded, so no code can be checked".into(),
            "load the code sets (medbill codes fetch && medbill codes import)",
            -1,
        ));
        return Ok(findings);
    }
    let mut answers: Vec<Option<CodeAnswer>> = Vec::new();
    for dx in &input.coding.diagnoses {
        let answer = get_code(conn, CodeSystem::Icd10Cm, &dx.code, dos).await?;
        diagnosis_validity(conn, &dx.code, answer.as_ref(), dos, &mut findings).await?;
        answers.push(answer.filter(|a| a.status == CodeStatus::Billable));
    }
    instructions(input.coding, &answers, &mut findings);
    mce(conn, input, &answers, &mut findings).await?;
    procedures(conn, input, &mut findings).await?;
    ncci(conn, input, &mut findings).await?;
    mue(conn, input, &mut findings).await?;
    Ok(findings)
}

async fn diagnosis_validity(
    conn: &mut AnyConnection,
    code: &str,
    answer: Option<&CodeAnswer>,
    dos: CalendarDate,
    findings: &mut Vec<Finding>,
) -> Result<(), sqlx::Error> {
    let has_seventh = |a: &CodeAnswer| a.notes.iter().any(|n| n.kind == NoteKind::SeventhCharacter);
    let codes = vec![code.to_string()];
    match answer {
        Some(a) if a.status == CodeStatus::Billable => {}
        Some(a) if a.status == CodeStatus::Header && has_seventh(a) => findings.push(finding(
            "SEVENTH_CHARACTER_MISSING",
            Severity::Error,
            codes,
            format!(
                "{code} needs a 7th character (e.g. A initial encounter, D subsequent, S sequela)"
            ),
            "add the 7th character the documentation supports, with X placeholders to 6 characters",
            -1,
        )),
        Some(a) if a.status == CodeStatus::Header => findings.push(finding(
            "HEADER_CODE",
            Severity::Error,
            codes,
            format!("{code} is a category header, not billable on {dos}"),
            "code to the highest specificity: choose a billable code under it",
            -1,
        )),
        Some(a) => findings.push(finding(
            "CODE_NOT_EFFECTIVE",
            Severity::Error,
            codes,
            format!(
                "{code} is not valid on {dos} (valid {} to {})",
                a.effective_from.map(|d| d.to_string()).unwrap_or_default(),
                a.effective_to
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "now".into())
            ),
            "use the code in effect on the date of service",
            -1,
        )),
        None => {
            // A 7-character code whose 6-character parent takes 7th
            // characters has an invalid 7th character, rather than being
            // unknown altogether.
            let parent = if code.len() == 7 {
                get_code(conn, CodeSystem::Icd10Cm, &code[..6], dos).await?
            } else {
                None
            };
            if parent.as_ref().is_some_and(has_seventh) {
                findings.push(finding(
                    "SEVENTH_CHARACTER_INVALID",
                    Severity::Error,
                    codes,
                    format!(
                        "{} is not a valid 7th character for {}",
                        &code[6..],
                        &code[..6]
                    ),
                    "use a 7th character the category allows (see its 7th-character note)",
                    -1,
                ));
            } else {
                findings.push(finding(
                    "CODE_UNKNOWN",
                    Severity::Error,
                    codes,
                    format!("{code} is not an ICD-10-CM code in any loaded release"),
                    "check the code",
                    -1,
                ));
            }
        }
    }
    Ok(())
}

/// The code references in an instructional note, read from its parenthesised
/// groups as the tabular list writes them (`(E10.-)`, `(E08.-, E09.-)`,
/// `(R73.9)`), as normalised prefixes (`E10`, `E08`, `R739`).
pub fn referenced_codes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else { break };
        for token in after[..close].split([',', ' ', ';']) {
            let token = token.trim().trim_end_matches('-').trim_end_matches('.');
            let code: String = token.chars().filter(|c| *c != '.').collect();
            let b = code.as_bytes();
            let shaped = (3..=7).contains(&b.len())
                && b[0].is_ascii_uppercase()
                && b[1].is_ascii_digit()
                && b.iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
            if shaped {
                out.push(code);
            }
        }
        rest = &after[close + 1..];
    }
    out
}

fn matches_any(code: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| code.starts_with(p.as_str()))
}

/// Excludes1, code-first and use-additional instructions.
fn instructions(coding: &Coding, answers: &[Option<CodeAnswer>], findings: &mut Vec<Finding>) {
    let codes: Vec<&str> = coding.diagnoses.iter().map(|d| d.code.as_str()).collect();
    for (i, answer) in answers.iter().enumerate() {
        let Some(answer) = answer else { continue };
        for note in &answer.notes {
            let refs = referenced_codes(&note.text);
            if refs.is_empty() {
                continue;
            }
            match note.kind {
                NoteKind::Excludes1 => {
                    for (j, other) in codes.iter().enumerate() {
                        if j != i && matches_any(other, &refs) && !matches_any(codes[i], &refs) {
                            findings.push(finding(
                                "EXCLUDES1",
                                Severity::Error,
                                vec![codes[i].to_string(), other.to_string()],
                                format!(
                                    "{} and {other} may not be coded together ({}'s Excludes1: {})",
                                    codes[i], note.from_code, note.text
                                ),
                                "keep the code the documentation supports and remove the other",
                                -1,
                            ));
                        }
                    }
                }
                NoteKind::CodeFirst if !codes[..i].iter().any(|c| matches_any(c, &refs)) => {
                    findings.push(finding(
                        "CODE_FIRST",
                        Severity::Warning,
                        vec![codes[i].to_string()],
                        format!("{}: code first {}", codes[i], note.text),
                        "list the underlying condition before this code, or confirm why not",
                        -1,
                    ));
                }
                NoteKind::UseAdditionalCode
                    if !codes
                        .iter()
                        .enumerate()
                        .any(|(j, c)| j != i && matches_any(c, &refs)) =>
                {
                    findings.push(finding(
                        "USE_ADDITIONAL_CODE",
                        Severity::Info,
                        vec![codes[i].to_string()],
                        format!("{}: use additional code {}", codes[i], note.text),
                        "add the additional code when the documentation supports it",
                        -1,
                    ));
                }
                _ => {}
            }
        }
    }
}

/// Manifestation codes first, MCE age edits, unacceptable principal.
async fn mce(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
    answers: &[Option<CodeAnswer>],
    findings: &mut Vec<Finding>,
) -> Result<(), sqlx::Error> {
    let ranges = age_ranges(conn, input.date_of_service).await?;
    let age = i64::from(input.age_years);
    for (i, answer) in answers.iter().enumerate() {
        let Some(answer) = answer else { continue };
        let code = answer.code.clone();
        for edit in &answer.mce_edits {
            if i == 0 && edit == "manifestation" {
                findings.push(finding(
                    "MANIFESTATION_FIRST",
                    Severity::Error,
                    vec![code.clone()],
                    format!("{code} is a manifestation code and may not be listed first"),
                    "list the underlying condition first (see the code-first note)",
                    -1,
                ));
            }
            if i == 0 && edit == "unacceptable" {
                let severity = if input.encounter_type == EncounterType::Professional {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                findings.push(finding(
                    "UNACCEPTABLE_PRINCIPAL",
                    severity,
                    vec![code.clone()],
                    format!("{code} is not acceptable as the principal diagnosis (MCE)"),
                    "sequence the condition chiefly responsible for the encounter first",
                    -1,
                ));
            }
            if let Some(range) = ranges.iter().find(|r| &r.edit == edit)
                && !(range.low_age..=range.high_age).contains(&age)
            {
                findings.push(finding(
                    "MCE_AGE",
                    Severity::Error,
                    vec![code.clone()],
                    format!(
                        "{code} is a {edit} diagnosis (ages {}-{}); the patient is {age}",
                        range.low_age, range.high_age
                    ),
                    "check the code and the patient's age",
                    -1,
                ));
            }
        }
    }
    Ok(())
}

fn line_date(line_dos: &str, fallback: CalendarDate) -> CalendarDate {
    line_dos.parse().unwrap_or(fallback)
}

/// Validity of procedure codes whose code set is loaded.
async fn procedures(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
    findings: &mut Vec<Finding>,
) -> Result<(), sqlx::Error> {
    for (index, line) in input.coding.lines.iter().enumerate() {
        let system = if line.code.len() == 7 {
            CodeSystem::Icd10Pcs
        } else if line.code.as_bytes()[0].is_ascii_uppercase() {
            CodeSystem::Hcpcs
        } else {
            CodeSystem::Cpt
        };
        if newest_release(conn, system, ReleaseKind::Codes, "", None)
            .await?
            .is_none()
            && newest_release(conn, system, ReleaseKind::Validity, "", None)
                .await?
                .is_none()
        {
            continue;
        }
        let dos = line_date(&line.date_of_service, input.date_of_service);
        let answer = get_code(conn, system, &line.code, dos).await?;
        if answer
            .as_ref()
            .is_none_or(|a| a.status != CodeStatus::Billable)
        {
            findings.push(finding(
                "PROCEDURE_NOT_VALID",
                Severity::Error,
                vec![line.code.clone()],
                format!(
                    "{} is not a valid {} code on {dos}",
                    line.code,
                    system.as_str()
                ),
                "use the code in effect on the date of service",
                index as i32,
            ));
        }
    }
    Ok(())
}

/// The NCCI/MUE table setting for the encounter: practitioner tables for
/// professional claims when loaded, else the hospital outpatient tables.
async fn setting(
    conn: &mut AnyConnection,
    encounter_type: EncounterType,
    kind: ReleaseKind,
) -> Result<&'static str, sqlx::Error> {
    if encounter_type == EncounterType::Professional
        && newest_release(conn, NCCI_SYSTEM, kind, "practitioner", None)
            .await?
            .is_some()
    {
        return Ok("practitioner");
    }
    Ok("hospital_outpatient")
}

/// NCCI procedure-to-procedure pairs on the same date.
async fn ncci(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
    findings: &mut Vec<Finding>,
) -> Result<(), sqlx::Error> {
    let setting = setting(conn, input.encounter_type, ReleaseKind::NcciPtp).await?;
    let mut by_date: BTreeMap<CalendarDate, Vec<usize>> = BTreeMap::new();
    for (i, line) in input.coding.lines.iter().enumerate() {
        by_date
            .entry(line_date(&line.date_of_service, input.date_of_service))
            .or_default()
            .push(i);
    }
    for (date, lines) in by_date {
        let codes: Vec<String> = lines
            .iter()
            .map(|&i| input.coding.lines[i].code.clone())
            .collect();
        for pair in ncci_pairs_for(conn, &codes, date).await? {
            if pair.setting != setting || pair.modifier_indicator == 9 {
                continue;
            }
            let Some(&c1) = lines
                .iter()
                .find(|&&i| input.coding.lines[i].code == pair.column1)
            else {
                continue;
            };
            let Some(&c2) = lines
                .iter()
                .find(|&&i| input.coding.lines[i].code == pair.column2)
            else {
                continue;
            };
            let bypass = [c1, c2].iter().any(|&i| {
                input.coding.lines[i]
                    .modifiers
                    .iter()
                    .any(|m| NCCI_MODIFIERS.contains(&m.as_str()))
            });
            let codes = vec![pair.column1.clone(), pair.column2.clone()];
            let (edit, severity, message, fix) = match (pair.modifier_indicator, bypass) {
                (1, true) => (
                    "NCCI_PTP_BYPASSED",
                    Severity::Warning,
                    format!(
                        "{} is bundled into {} on {date} ({setting} NCCI); an NCCI modifier bypasses the edit",
                        pair.column2, pair.column1
                    ),
                    "confirm the documentation supports a distinct, separate service",
                ),
                (1, false) => (
                    "NCCI_PTP",
                    Severity::Error,
                    format!(
                        "{} is bundled into {} on {date} ({setting} NCCI, modifier indicator 1)",
                        pair.column2, pair.column1
                    ),
                    "remove the component, or add an NCCI modifier (59, XE, XS, XP, XU, anatomical) if the service was distinct",
                ),
                _ => (
                    "NCCI_PTP",
                    Severity::Error,
                    format!(
                        "{} may never be billed with {} on the same date ({setting} NCCI, modifier indicator 0)",
                        pair.column2, pair.column1
                    ),
                    "remove the column 2 code",
                ),
            };
            findings.push(finding(edit, severity, codes, message, fix, c2 as i32));
        }
    }
    Ok(())
}

/// MUE units per line (adjudication indicator 1) or per date (2 and 3).
async fn mue(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
    findings: &mut Vec<Finding>,
) -> Result<(), sqlx::Error> {
    let setting = setting(conn, input.encounter_type, ReleaseKind::Mue).await?;
    let mut per_date: BTreeMap<(String, CalendarDate), (u64, usize)> = BTreeMap::new();
    for (i, line) in input.coding.lines.iter().enumerate() {
        let date = line_date(&line.date_of_service, input.date_of_service);
        let entry = per_date.entry((line.code.clone(), date)).or_insert((0, i));
        entry.0 += u64::from(line.units);
    }
    for ((code, date), (units, first_line)) in per_date {
        let Some(value) = mue_for(conn, &code, date)
            .await?
            .into_iter()
            .find(|v| v.setting == setting)
        else {
            continue;
        };
        let limit = u64::try_from(value.mue_value).unwrap_or(0);
        let over: Vec<usize> = if value.adjudication_indicator == 1 {
            input
                .coding
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    l.code == code
                        && line_date(&l.date_of_service, input.date_of_service) == date
                        && u64::from(l.units) > limit
                })
                .map(|(i, _)| i)
                .collect()
        } else if units > limit {
            vec![first_line]
        } else {
            Vec::new()
        };
        for line in over {
            findings.push(finding(
                "MUE_UNITS",
                Severity::Error,
                vec![code.clone()],
                format!(
                    "{code}: {} units on {date} exceed the MUE of {limit} ({setting}, adjudication indicator {})",
                    if value.adjudication_indicator == 1 { u64::from(input.coding.lines[line].units) } else { units },
                    value.adjudication_indicator
                ),
                "report the units the documentation supports; split only where the policy allows",
                line as i32,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::referenced_codes;

    #[test]
    fn note_references_are_read_as_code_prefixes() {
        assert_eq!(
            referenced_codes("type 1 diabetes mellitus (E10.-)"),
            ["E10"]
        );
        assert_eq!(
            referenced_codes("diabetes due to underlying condition (E08.-) drug induced (E09.-)"),
            ["E08", "E09"]
        );
        assert_eq!(
            referenced_codes("elevated glucose (R73.9, R73.01)"),
            ["R739", "R7301"]
        );
        assert!(referenced_codes("H2O intoxication (see also poisoning)").is_empty());
    }
}
