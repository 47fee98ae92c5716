//! Validity on the date of service: a diagnosis must be a billable
//! ICD-10-CM code in effect then (not a category header, with its 7th
//! character where the category requires one), and a procedure code of a
//! loaded code set must be valid on its line's date.

use medbill_kernel::display_icd;

use crate::codesets::domain::{CodeAnswer, CodeStatus, NoteKind, procedure_system};
use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;

fn has_seventh(answer: &CodeAnswer) -> bool {
    answer
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::SeventhCharacter)
}

/// Each diagnosis on the date of service, in coding order.
pub fn diagnoses(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let dos = input.date_of_service;
    let mut findings = Vec::new();
    for dx in &input.coding.diagnoses {
        let code = dx.code.as_str();
        let codes = vec![code.to_string()];
        // Messages are read by coders: ICD-10-CM with its dot.
        let shown = display_icd(code);
        match facts.diagnosis(code) {
            Some(a) if a.status == CodeStatus::Billable => {}
            Some(a) if a.status == CodeStatus::Header && has_seventh(a) => {
                findings.push(Finding::new(
                    "SEVENTH_CHARACTER_MISSING",
                    Severity::Error,
                    codes,
                    format!(
                        "{shown} needs a 7th character (e.g. A initial encounter, D subsequent, S sequela)"
                    ),
                    "add the 7th character the documentation supports, with X placeholders to 6 characters",
                    -1,
                ))
            }
            Some(a) if a.status == CodeStatus::Header => findings.push(Finding::new(
                "HEADER_CODE",
                Severity::Error,
                codes,
                format!("{shown} is a category header, not billable on {dos}"),
                "code to the highest specificity: choose a billable code under it",
                -1,
            )),
            Some(a) => findings.push(Finding::new(
                "CODE_NOT_EFFECTIVE",
                Severity::Error,
                codes,
                format!(
                    "{shown} is not valid on {dos} (valid {} to {})",
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
                // characters has an invalid 7th character, rather than
                // being unknown altogether.
                let split = (code.len() == 7)
                    .then(|| code.get(..6).zip(code.get(6..)))
                    .flatten();
                match split {
                    Some((parent, seventh))
                        if facts.diagnosis(parent).is_some_and(has_seventh) =>
                    {
                        findings.push(Finding::new(
                            "SEVENTH_CHARACTER_INVALID",
                            Severity::Error,
                            codes,
                            format!(
                                "{seventh} is not a valid 7th character for {}",
                                display_icd(parent)
                            ),
                            "use a 7th character the category allows (see its 7th-character note)",
                            -1,
                        ))
                    }
                    _ => findings.push(Finding::new(
                        "CODE_UNKNOWN",
                        Severity::Error,
                        codes,
                        format!("{shown} is not an ICD-10-CM code in any loaded release"),
                        "check the code",
                        -1,
                    )),
                }
            }
        }
    }
    findings
}

/// Each procedure line whose code set is loaded, on the line's date.
pub fn procedures(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, line) in input.coding.lines.iter().enumerate() {
        let system = procedure_system(&line.code);
        if !facts.procedure_systems.contains(&system) {
            continue;
        }
        let dos = input.line_date(index);
        let valid = facts
            .procedure(&line.code, dos)
            .is_some_and(|a| a.status == CodeStatus::Billable);
        if !valid {
            findings.push(Finding::new(
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
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::domain::{CodeSystem, NoteKind};
    use crate::edits::codeset::fixtures::*;
    use crate::encounters::domain::EncounterType::Professional;

    fn seventh_character_category(code: &str) -> CodeAnswer {
        let mut a = answer(CodeSystem::Icd10Cm, code, CodeStatus::Header);
        a.notes = vec![note(
            NoteKind::SeventhCharacter,
            "A initial encounter for closed fracture",
            "S52",
        )];
        a
    }

    #[test]
    fn a_billable_code_in_effect_passes() {
        let c = coding(&["J029"], vec![]);
        assert!(diagnoses(&input(&c, Professional, 30), &facts(vec![billable("J029")])).is_empty());
    }

    #[test]
    fn a_category_header_is_not_billable() {
        let c = coding(&["M545"], vec![]);
        let f = facts(vec![answer(
            CodeSystem::Icd10Cm,
            "M545",
            CodeStatus::Header,
        )]);
        let found = diagnoses(&input(&c, Professional, 30), &f);
        assert_eq!(ids(&found), [("HEADER_CODE", Severity::Error, -1)]);
        assert!(
            found[0].message.contains("2026-06-01"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_header_that_takes_a_7th_character_reports_it_missing() {
        let c = coding(&["S52521"], vec![]);
        let f = facts(vec![seventh_character_category("S52521")]);
        assert_eq!(
            ids(&diagnoses(&input(&c, Professional, 30), &f)),
            [("SEVENTH_CHARACTER_MISSING", Severity::Error, -1)]
        );
    }

    #[test]
    fn an_unknown_7th_character_of_a_category_that_takes_one_is_invalid() {
        let c = coding(&["S52521Z"], vec![]);
        let f = facts(vec![seventh_character_category("S52521")]);
        let found = diagnoses(&input(&c, Professional, 30), &f);
        assert_eq!(
            ids(&found),
            [("SEVENTH_CHARACTER_INVALID", Severity::Error, -1)]
        );
        assert_eq!(
            found[0].message,
            "Z is not a valid 7th character for S52.521"
        );
    }

    #[test]
    fn a_code_no_release_has_is_unknown() {
        let c = coding(&["Q99999Z"], vec![]);
        let f = facts(vec![answer(
            CodeSystem::Icd10Cm,
            "Q99999",
            CodeStatus::Header,
        )]);
        assert_eq!(
            ids(&diagnoses(&input(&c, Professional, 30), &f)),
            [("CODE_UNKNOWN", Severity::Error, -1)],
            "a parent without a 7th-character note does not make it a 7th character"
        );
        let c = coding(&["X999"], vec![]);
        assert_eq!(
            ids(&diagnoses(&input(&c, Professional, 30), &facts(vec![]))),
            [("CODE_UNKNOWN", Severity::Error, -1)]
        );
    }

    #[test]
    fn a_code_outside_its_validity_period_is_not_effective_on_the_date() {
        let c = coding(&["U071"], vec![]);
        let mut a = answer(CodeSystem::Icd10Cm, "U071", CodeStatus::NotEffective);
        a.effective_from = Some(day("2020-04-01"));
        a.effective_to = Some(day("2025-09-30"));
        let found = diagnoses(&input(&c, Professional, 30), &facts(vec![a]));
        assert_eq!(ids(&found), [("CODE_NOT_EFFECTIVE", Severity::Error, -1)]);
        assert_eq!(
            found[0].message,
            "U07.1 is not valid on 2026-06-01 (valid 2020-04-01 to 2025-09-30)"
        );
    }

    #[test]
    fn a_procedure_of_a_loaded_code_set_must_be_valid_on_its_date() {
        let c = coding(
            &["J029"],
            vec![line("J1100", &[], 1), line("99213", &[], 1)],
        );
        let mut f = facts(vec![billable("J029")]);
        f.procedure_systems.insert(CodeSystem::Hcpcs);
        let found = procedures(&input(&c, Professional, 30), &f);
        assert_eq!(
            ids(&found),
            [("PROCEDURE_NOT_VALID", Severity::Error, 0)],
            "CPT is not loaded, so 99213 is not checked"
        );
        f.procedures.insert(
            ("J1100".into(), dos()),
            answer(CodeSystem::Hcpcs, "J1100", CodeStatus::Billable),
        );
        assert!(procedures(&input(&c, Professional, 30), &f).is_empty());
    }
}
