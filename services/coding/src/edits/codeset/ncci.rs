//! NCCI procedure-to-procedure edits: two codes of a pair on the same date
//! are not paid together, unless the pair's modifier indicator is 1 and an
//! NCCI-associated modifier marks a distinct service.

use std::collections::{BTreeMap, BTreeSet};

use medbill_kernel::CalendarDate;

use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;
use crate::encounters::domain::EncounterType;

/// NCCI-associated modifiers (NCCI Policy Manual, ch. I): with one on either
/// line, a pair whose modifier indicator is 1 may be billed together.
const NCCI_MODIFIERS: [&str; 36] = [
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD",
    "LM", "LT", "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "59",
    "XE", "XS", "XP", "XU",
];

/// The NCCI/MUE table setting for the encounter: practitioner tables for
/// professional claims when loaded (`loaded` names the settings that are),
/// else the hospital outpatient tables.
pub fn setting(encounter_type: EncounterType, loaded: &BTreeSet<String>) -> &'static str {
    if encounter_type == EncounterType::Professional && loaded.contains("practitioner") {
        "practitioner"
    } else {
        "hospital_outpatient"
    }
}

/// NCCI procedure-to-procedure pairs on the same date.
pub fn check(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    let setting = setting(input.encounter_type, &facts.ncci_settings);
    let lines = &input.coding.lines;
    let mut by_date: BTreeMap<CalendarDate, Vec<usize>> = BTreeMap::new();
    for i in 0..lines.len() {
        by_date.entry(input.line_date(i)).or_default().push(i);
    }
    for (date, on_date) in by_date {
        if on_date.len() < 2 {
            continue;
        }
        let codes: Vec<&str> = on_date.iter().map(|&i| lines[i].code.as_str()).collect();
        for pair in facts.ncci_pairs_on(setting, date, &codes) {
            if pair.modifier_indicator == 9 {
                continue;
            }
            let Some(&c1) = on_date.iter().find(|&&i| lines[i].code == pair.column1) else {
                continue;
            };
            let Some(&c2) = on_date.iter().find(|&&i| lines[i].code == pair.column2) else {
                continue;
            };
            let bypass = [c1, c2].iter().any(|&i| {
                lines[i]
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
            findings.push(Finding::new(edit, severity, codes, message, fix, c2 as i32));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::domain::NcciPair;
    use crate::edits::codeset::fixtures::*;
    use crate::encounters::domain::EncounterType::{Outpatient, Professional};
    use crate::encounters::domain::ProcedureLine;

    fn pair(setting: &str, column1: &str, column2: &str, indicator: i64) -> NcciPair {
        NcciPair {
            setting: setting.into(),
            column1: column1.into(),
            column2: column2.into(),
            effective_from: day("2019-01-01"),
            effective_to: None,
            modifier_indicator: indicator,
            rationale: String::new(),
        }
    }

    /// The practitioner pairs of the fixture NCCI file: 10021/10004 allows
    /// a modifier, 10021/36000 never does; and a pair ended in 2023.
    fn ncci_facts() -> CodeSetFacts {
        let mut f = facts(vec![billable("J029")]);
        f.ncci_settings.insert("practitioner".into());
        let mut ended = pair("practitioner", "0001A", "0591T", 1);
        ended.effective_to = Some(day("2023-12-31"));
        f.ncci_pairs = vec![
            ended,
            pair("practitioner", "10021", "10004", 1),
            pair("practitioner", "10021", "36000", 0),
            pair("practitioner", "20000", "20001", 9),
        ];
        f
    }

    fn found(encounter_type: EncounterType, lines: Vec<ProcedureLine>) -> Vec<Finding> {
        let c = coding(&["J029"], lines);
        check(&input(&c, encounter_type, 40), &ncci_facts())
    }

    #[test]
    fn release_fails_when_ncci_pair_has_no_bypass_modifier() {
        let f = found(
            Professional,
            vec![line("10021", &[], 1), line("10004", &[], 1)],
        );
        assert_eq!(ids(&f), [("NCCI_PTP", Severity::Error, 1)]);
        assert_eq!(f[0].codes, ["10021", "10004"]);
    }

    #[test]
    fn an_ncci_modifier_on_either_line_bypasses_an_indicator_1_pair_with_a_warning() {
        for lines in [
            vec![line("10021", &[], 1), line("10004", &["XU"], 1)],
            vec![line("10021", &["XU"], 1), line("10004", &[], 1)],
        ] {
            assert_eq!(
                ids(&found(Professional, lines)),
                [("NCCI_PTP_BYPASSED", Severity::Warning, 1)]
            );
        }
        assert_eq!(
            ids(&found(
                Professional,
                vec![line("10021", &[], 1), line("10004", &["25"], 1)]
            )),
            [("NCCI_PTP", Severity::Error, 1)],
            "25 is not an NCCI-associated modifier"
        );
    }

    #[test]
    fn an_indicator_0_pair_is_an_error_even_with_a_modifier() {
        let f = found(
            Professional,
            vec![line("36000", &["XU"], 1), line("10021", &["XU"], 1)],
        );
        assert_eq!(ids(&f), [("NCCI_PTP", Severity::Error, 0)]);
        assert!(
            f[0].message.contains("modifier indicator 0"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn pairs_apply_only_on_the_same_date_in_effect_and_in_the_encounter_setting() {
        let mut other_day = line("10004", &[], 1);
        other_day.date_of_service = "2026-06-02".parse().unwrap();
        assert!(found(Professional, vec![line("10021", &[], 1), other_day]).is_empty());
        assert!(
            found(
                Professional,
                vec![line("0001A", &[], 1), line("0591T", &[], 1)]
            )
            .is_empty(),
            "ended 2023-12-31"
        );
        assert!(
            found(
                Professional,
                vec![line("20000", &[], 1), line("20001", &[], 1)]
            )
            .is_empty(),
            "indicator 9 is not applicable"
        );
        assert!(
            found(
                Outpatient,
                vec![line("10021", &[], 1), line("10004", &[], 1)]
            )
            .is_empty(),
            "outpatient claims use the hospital outpatient table, not loaded here"
        );
    }
}
