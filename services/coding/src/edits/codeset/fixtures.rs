//! Hand-built code-set facts and codings for the unit tests of the
//! code-set edits (no database).

use medbill_kernel::CalendarDate;

use crate::codesets::domain::{CodeAnswer, CodeStatus, CodeSystem, Note, NoteKind};
use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;
use crate::encounters::domain::{Coding, Diagnosis, EncounterType, ProcedureLine};

/// A date from `YYYY-MM-DD`.
pub fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

/// The date of service of every fixture encounter.
pub fn dos() -> CalendarDate {
    day("2026-06-01")
}

/// A code answer with `status`.
pub fn answer(system: CodeSystem, code: &str, status: CodeStatus) -> CodeAnswer {
    CodeAnswer {
        system,
        code: code.into(),
        status,
        description: String::new(),
        effective_from: Some(day("2015-10-01")),
        effective_to: None,
        notes: Vec::new(),
        mce_edits: Vec::new(),
        parent: String::new(),
    }
}

/// A note of `kind` written under `from_code`.
pub fn note(kind: NoteKind, text: &str, from_code: &str) -> Note {
    Note {
        kind,
        text: text.into(),
        from_code: from_code.into(),
    }
}

/// Facts with ICD-10-CM loaded and `diagnoses` known on the date of service.
pub fn facts(diagnoses: Vec<CodeAnswer>) -> CodeSetFacts {
    CodeSetFacts {
        icd10cm_loaded: true,
        diagnoses: diagnoses.into_iter().map(|a| (a.code.clone(), a)).collect(),
        ..CodeSetFacts::default()
    }
}

/// A billable ICD-10-CM answer.
pub fn billable(code: &str) -> CodeAnswer {
    answer(CodeSystem::Icd10Cm, code, CodeStatus::Billable)
}

/// A procedure line on the date of service.
pub fn line(code: &str, modifiers: &[&str], units: u32) -> ProcedureLine {
    ProcedureLine {
        code: code.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        units,
        diagnosis_pointers: vec![1],
        date_of_service: dos(),
        revenue_code: String::new(),
    }
}

/// A coding of `diagnoses` and `lines`.
pub fn coding(diagnoses: &[&str], lines: Vec<ProcedureLine>) -> Coding {
    Coding {
        diagnoses: diagnoses
            .iter()
            .map(|c| Diagnosis {
                code: c.to_string(),
                present_on_admission: String::new(),
            })
            .collect(),
        lines,
    }
}

/// The input of `coding` for a patient of `age` in `encounter_type`.
pub fn input(coding: &Coding, encounter_type: EncounterType, age: u32) -> CodeSetInput<'_> {
    CodeSetInput {
        coding,
        encounter_type,
        age_years: age,
        date_of_service: dos(),
    }
}

/// The findings as (edit id, severity, line).
pub fn ids(findings: &[Finding]) -> Vec<(&str, Severity, i32)> {
    findings
        .iter()
        .map(|f| (f.edit_id.as_str(), f.severity, f.line_index))
        .collect()
}
