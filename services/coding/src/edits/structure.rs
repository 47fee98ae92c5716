//! Edits on the shape of the coding, needing no code set: the claim-form
//! limits (an 837P carries 12 diagnoses and 4 pointers per line; an 837I 25
//! diagnoses), diagnosis pointers that point nowhere, professional lines
//! without a pointer, and repeated diagnoses.

use super::finding::{Finding, Severity};
use super::input::EditInput;
use crate::encounters::domain::EncounterType;

/// Diagnoses an 837P can carry (HI segments, 2300 loop).
const PROFESSIONAL_MAX_DIAGNOSES: usize = 12;
/// Diagnoses an 837I can carry (principal + 24 other).
const INSTITUTIONAL_MAX_DIAGNOSES: usize = 25;
/// Pointers per 837P line (SV107).
const MAX_POINTERS: usize = 4;

/// Runs the structural edits.
pub fn check(input: &EditInput<'_>) -> Vec<Finding> {
    let coding = input.coding;
    let professional = input.encounter_type == EncounterType::Professional;
    let mut findings = Vec::new();

    if coding.diagnoses.is_empty() {
        findings.push(finding(
            "NO_DIAGNOSIS",
            Severity::Error,
            vec![],
            "no diagnosis is coded",
            "code at least the first-listed (principal) diagnosis",
            -1,
        ));
    }
    if coding.lines.is_empty() && input.encounter_type != EncounterType::Inpatient {
        findings.push(finding(
            "NO_PROCEDURE",
            Severity::Error,
            vec![],
            "no procedure or service line is coded",
            "code the services performed",
            -1,
        ));
    }
    let max = if professional {
        PROFESSIONAL_MAX_DIAGNOSES
    } else {
        INSTITUTIONAL_MAX_DIAGNOSES
    };
    if coding.diagnoses.len() > max {
        let form = if professional { "837P" } else { "837I" };
        findings.push(finding(
            "TOO_MANY_DIAGNOSES",
            Severity::Error,
            coding.diagnoses[max..]
                .iter()
                .map(|d| d.code.clone())
                .collect(),
            &format!(
                "{} diagnoses are coded; an {form} carries at most {max}",
                coding.diagnoses.len()
            ),
            "keep the diagnoses that support the services and the most specific ones",
            -1,
        ));
    }
    for (i, dx) in coding.diagnoses.iter().enumerate() {
        if coding.diagnoses[..i].iter().any(|d| d.code == dx.code) {
            findings.push(finding(
                "DUPLICATE_DIAGNOSIS",
                Severity::Warning,
                vec![dx.code.clone()],
                &format!("{} is listed more than once", dx.code),
                "remove the repeated diagnosis",
                -1,
            ));
        }
    }
    for (index, line) in coding.lines.iter().enumerate() {
        let line_index = index as i32;
        if professional && line.diagnosis_pointers.is_empty() {
            findings.push(finding(
                "LINE_WITHOUT_POINTER",
                Severity::Error,
                vec![line.code.clone()],
                &format!("line {} ({}) points to no diagnosis", index + 1, line.code),
                "point the line to the diagnosis that supports it",
                line_index,
            ));
        }
        if line.diagnosis_pointers.len() > MAX_POINTERS {
            findings.push(finding(
                "TOO_MANY_POINTERS",
                Severity::Error,
                vec![line.code.clone()],
                &format!(
                    "line {} has {} diagnosis pointers; at most {MAX_POINTERS} are allowed",
                    index + 1,
                    line.diagnosis_pointers.len()
                ),
                "keep the four most relevant diagnoses, primary first",
                line_index,
            ));
        }
        for pointer in &line.diagnosis_pointers {
            if *pointer == 0 || *pointer as usize > coding.diagnoses.len() {
                findings.push(finding(
                    "DX_POINTER_INVALID",
                    Severity::Error,
                    vec![line.code.clone()],
                    &format!(
                        "line {} points to diagnosis {pointer}, but {} diagnoses are coded",
                        index + 1,
                        coding.diagnoses.len()
                    ),
                    "point to a listed diagnosis (1-based position)",
                    line_index,
                ));
            }
        }
    }
    findings
}

fn finding(
    edit_id: &str,
    severity: Severity,
    codes: Vec<String>,
    message: &str,
    suggested_fix: &str,
    line_index: i32,
) -> Finding {
    Finding {
        edit_id: edit_id.to_string(),
        severity,
        codes,
        message: message.to_string(),
        suggested_fix: suggested_fix.to_string(),
        line_index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encounters::domain::{Coding, Diagnosis, ProcedureLine};

    fn dx(code: &str) -> Diagnosis {
        Diagnosis {
            code: code.into(),
            present_on_admission: String::new(),
        }
    }

    fn line(code: &str, pointers: &[u32]) -> ProcedureLine {
        ProcedureLine {
            code: code.into(),
            modifiers: vec![],
            units: 1,
            diagnosis_pointers: pointers.to_vec(),
            date_of_service: "2026-06-01".parse().unwrap(),
            revenue_code: String::new(),
        }
    }

    fn ids(coding: &Coding, encounter_type: EncounterType) -> Vec<String> {
        check(&EditInput {
            coding,
            encounter_type,
        })
        .into_iter()
        .map(|f| f.edit_id)
        .collect()
    }

    #[test]
    fn clean_professional_coding_has_no_structural_finding() {
        let coding = Coding {
            diagnoses: vec![dx("J069"), dx("R509")],
            lines: vec![line("99213", &[1, 2])],
        };
        assert!(ids(&coding, EncounterType::Professional).is_empty());
    }

    #[test]
    fn a_pointer_past_the_last_diagnosis_points_nowhere() {
        let coding = Coding {
            diagnoses: vec![dx("J069")],
            lines: vec![line("99213", &[2])],
        };
        assert_eq!(
            ids(&coding, EncounterType::Professional),
            ["DX_POINTER_INVALID"]
        );
    }

    #[test]
    fn a_professional_line_needs_a_pointer_but_an_institutional_one_does_not() {
        let coding = Coding {
            diagnoses: vec![dx("J069")],
            lines: vec![line("99213", &[])],
        };
        assert_eq!(
            ids(&coding, EncounterType::Professional),
            ["LINE_WITHOUT_POINTER"]
        );
        assert!(ids(&coding, EncounterType::Outpatient).is_empty());
    }

    #[test]
    fn thirteen_diagnoses_are_too_many_for_an_837p_but_not_an_837i() {
        let diagnoses: Vec<_> = (0..13).map(|i| dx(&format!("R{:02}", 50 + i))).collect();
        let coding = Coding {
            diagnoses,
            lines: vec![line("99213", &[1])],
        };
        assert_eq!(
            ids(&coding, EncounterType::Professional),
            ["TOO_MANY_DIAGNOSES"]
        );
        assert!(ids(&coding, EncounterType::Outpatient).is_empty());
    }

    #[test]
    fn five_pointers_on_a_line_are_too_many() {
        let coding = Coding {
            diagnoses: (0..5).map(|i| dx(&format!("R{:02}", 50 + i))).collect(),
            lines: vec![line("99213", &[1, 2, 3, 4, 5])],
        };
        assert_eq!(
            ids(&coding, EncounterType::Professional),
            ["TOO_MANY_POINTERS"]
        );
    }

    #[test]
    fn a_repeated_diagnosis_is_a_warning() {
        let coding = Coding {
            diagnoses: vec![dx("J069"), dx("J069")],
            lines: vec![line("99213", &[1])],
        };
        let findings = check(&EditInput {
            coding: &coding,
            encounter_type: EncounterType::Professional,
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].key(), "DUPLICATE_DIAGNOSIS:J069:-1");
    }
}
