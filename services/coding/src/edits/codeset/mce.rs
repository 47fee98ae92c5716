//! The Medicare Code Editor edits on diagnoses: a manifestation code may
//! not be listed first, an unacceptable principal diagnosis may not be
//! first, and an age-specific diagnosis (newborn, pediatric, maternity,
//! adult) must fit the patient's age.

use medbill_kernel::display_icd;

use super::instructions::billable_answers;
use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;
use crate::encounters::domain::EncounterType;

/// Manifestation codes first, MCE age edits, unacceptable principal.
pub fn check(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    let age = i64::from(input.age_years);
    for (i, answer) in billable_answers(input, facts).into_iter().enumerate() {
        let Some(answer) = answer else { continue };
        let code = answer.code.clone();
        // Messages are read by coders: ICD-10-CM with its dot.
        let shown = display_icd(&code);
        for edit in &answer.mce_edits {
            if i == 0 && edit == "manifestation" {
                findings.push(Finding::new(
                    "MANIFESTATION_FIRST",
                    Severity::Error,
                    vec![code.clone()],
                    format!("{shown} is a manifestation code and may not be listed first"),
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
                findings.push(Finding::new(
                    "UNACCEPTABLE_PRINCIPAL",
                    severity,
                    vec![code.clone()],
                    format!("{shown} is not acceptable as the principal diagnosis (MCE)"),
                    "sequence the condition chiefly responsible for the encounter first",
                    -1,
                ));
            }
            if let Some(range) = facts.age_ranges.iter().find(|r| &r.edit == edit)
                && !(range.low_age..=range.high_age).contains(&age)
            {
                findings.push(Finding::new(
                    "MCE_AGE",
                    Severity::Error,
                    vec![code.clone()],
                    format!(
                        "{shown} is a {edit} diagnosis (ages {}-{}); the patient is {age}",
                        range.low_age, range.high_age
                    ),
                    "check the code and the patient's age",
                    -1,
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::domain::AgeRange;
    use crate::codesets::domain::CodeAnswer;
    use crate::edits::codeset::fixtures::*;
    use crate::encounters::domain::EncounterType::{Outpatient, Professional};

    fn with_edit(code: &str, edit: &str) -> CodeAnswer {
        let mut a = billable(code);
        a.mce_edits = vec![edit.to_string()];
        a
    }

    fn mce_facts() -> CodeSetFacts {
        let mut f = facts(vec![
            with_edit("O80", "maternity"),
            with_edit("G63", "manifestation"),
            with_edit("Z370", "unacceptable"),
            billable("E854"),
        ]);
        f.age_ranges = vec![AgeRange {
            edit: "maternity".into(),
            low_age: 9,
            high_age: 64,
            valid_from: day("2019-10-01"),
            valid_to: None,
        }];
        f
    }

    fn found(diagnoses: &[&str], encounter_type: EncounterType, age: u32) -> Vec<Finding> {
        let c = coding(diagnoses, vec![]);
        check(&input(&c, encounter_type, age), &mce_facts())
    }

    #[test]
    fn a_maternity_diagnosis_outside_the_age_range_is_an_error() {
        let over = found(&["O80"], Outpatient, 70);
        assert_eq!(ids(&over), [("MCE_AGE", Severity::Error, -1)]);
        assert_eq!(
            over[0].message,
            "O80 is a maternity diagnosis (ages 9-64); the patient is 70"
        );
        assert!(found(&["O80"], Outpatient, 30).is_empty());
        assert!(
            found(&["O80"], Outpatient, 64).is_empty(),
            "bounds are inclusive"
        );
    }

    #[test]
    fn a_manifestation_code_may_not_be_listed_first() {
        assert_eq!(
            ids(&found(&["G63", "E854"], Professional, 50)),
            [("MANIFESTATION_FIRST", Severity::Error, -1)]
        );
        assert!(found(&["E854", "G63"], Professional, 50).is_empty());
    }

    #[test]
    fn an_unacceptable_principal_is_an_error_on_facility_claims_and_a_warning_on_professional() {
        assert_eq!(
            ids(&found(&["Z370"], Outpatient, 0)),
            [("UNACCEPTABLE_PRINCIPAL", Severity::Error, -1)]
        );
        assert_eq!(
            ids(&found(&["Z370"], Professional, 0)),
            [("UNACCEPTABLE_PRINCIPAL", Severity::Warning, -1)]
        );
        assert!(found(&["E854", "Z370"], Outpatient, 0).is_empty());
    }
}
