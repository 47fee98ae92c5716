//! The tabular instructions between diagnoses: Excludes1 pairs that may not
//! be coded together, code-first notes whose etiology must come before the
//! code, and use-additional-code notes.

use medbill_kernel::display_icd;

use crate::codesets::domain::{CodeAnswer, CodeStatus, NoteKind};
use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;

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

/// The billable answer of each diagnosis on the date of service, in coding
/// order (`None` where the code is not billable then).
pub fn billable_answers<'a>(
    input: &CodeSetInput<'_>,
    facts: &'a CodeSetFacts,
) -> Vec<Option<&'a CodeAnswer>> {
    input
        .coding
        .diagnoses
        .iter()
        .map(|dx| {
            facts
                .diagnosis(&dx.code)
                .filter(|a| a.status == CodeStatus::Billable)
        })
        .collect()
}

/// Excludes1, code-first and use-additional instructions.
pub fn check(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    let codes: Vec<&str> = input
        .coding
        .diagnoses
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    for (i, answer) in billable_answers(input, facts).into_iter().enumerate() {
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
                            findings.push(Finding::new(
                                "EXCLUDES1",
                                Severity::Error,
                                vec![codes[i].to_string(), other.to_string()],
                                format!(
                                    "{} and {} may not be coded together ({}'s Excludes1: {})",
                                    display_icd(codes[i]),
                                    display_icd(other),
                                    display_icd(&note.from_code),
                                    note.text
                                ),
                                "keep the code the documentation supports and remove the other",
                                -1,
                            ));
                        }
                    }
                }
                NoteKind::CodeFirst if !codes[..i].iter().any(|c| matches_any(c, &refs)) => {
                    findings.push(Finding::new(
                        "CODE_FIRST",
                        Severity::Warning,
                        vec![codes[i].to_string()],
                        format!("{}: code first {}", display_icd(codes[i]), note.text),
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
                    findings.push(Finding::new(
                        "USE_ADDITIONAL_CODE",
                        Severity::Info,
                        vec![codes[i].to_string()],
                        format!(
                            "{}: use additional code {}",
                            display_icd(codes[i]),
                            note.text
                        ),
                        "add the additional code when the documentation supports it",
                        -1,
                    ));
                }
                _ => {}
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edits::codeset::fixtures::*;
    use crate::encounters::domain::EncounterType::Professional;

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

    /// E11.9 with its category's Excludes1 and use-additional notes, and
    /// G63 with a code-first note, as the tabular list writes them.
    fn diabetes_facts() -> CodeSetFacts {
        let mut e119 = billable("E119");
        e119.notes = vec![
            note(
                NoteKind::Excludes1,
                "type 1 diabetes mellitus (E10.-)",
                "E11",
            ),
            note(
                NoteKind::UseAdditionalCode,
                "to identify control using: insulin (Z79.4)",
                "E11",
            ),
        ];
        let mut g63 = billable("G63");
        g63.notes = vec![note(
            NoteKind::CodeFirst,
            "underlying disease, such as: amyloidosis (E85.-)",
            "G63",
        )];
        facts(vec![
            e119,
            g63,
            billable("E109"),
            billable("Z794"),
            billable("E854"),
        ])
    }

    fn found(diagnoses: &[&str]) -> Vec<(String, Severity, Vec<String>)> {
        let c = coding(diagnoses, vec![]);
        check(&input(&c, Professional, 50), &diabetes_facts())
            .into_iter()
            .map(|f| (f.edit_id, f.severity, f.codes))
            .collect()
    }

    #[test]
    fn an_excludes1_pair_may_not_be_coded_together() {
        let found = found(&["E119", "Z794", "E109"]);
        assert_eq!(
            found,
            [(
                "EXCLUDES1".to_string(),
                Severity::Error,
                vec!["E119".to_string(), "E109".to_string()]
            )]
        );
        assert!(self::found(&["E119", "Z794"]).is_empty());
    }

    #[test]
    fn a_code_first_note_warns_when_the_etiology_is_not_listed_before() {
        assert_eq!(
            found(&["G63"]),
            [(
                "CODE_FIRST".to_string(),
                Severity::Warning,
                vec!["G63".to_string()]
            )]
        );
        assert!(found(&["E854", "G63"]).is_empty());
        assert_eq!(
            found(&["G63", "E854"]).len(),
            1,
            "listed after is not first"
        );
    }

    #[test]
    fn a_use_additional_code_note_informs_when_the_additional_code_is_missing() {
        assert_eq!(
            found(&["E119"]),
            [(
                "USE_ADDITIONAL_CODE".to_string(),
                Severity::Info,
                vec!["E119".to_string()]
            )]
        );
        assert!(found(&["E119", "Z794"]).is_empty());
    }
}
