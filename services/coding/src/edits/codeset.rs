//! Edits against the loaded code sets, for the date of service: validity and
//! billability, header codes and the 7th character, Excludes1 pairs,
//! code-first and use-additional instructions, manifestation codes listed
//! first, MCE age conflicts and unacceptable principal diagnoses, NCCI PTP
//! pairs (with NCCI-associated modifiers), and MUE units.
//!
//! ICD-10-CM must be loaded: without it nothing can be checked, which is an
//! error, not a pass; so is an import of the public code sets that has not
//! finished (the tables loaded so far are partial). CPT is checked only
//! when the customer loaded a licensed CPT file (medbill ships none); HCPCS
//! Level II and ICD-10-PCS when loaded.
//!
//! The store reads every fact the edits need in one round of queries
//! ([`facts::load`]; what the codes themselves are comes from the service's
//! in-memory code-set index when it is given one); [`check_facts`] then
//! runs the edits on them without the database, one module per use case.

pub mod instructions;
pub mod mce;
pub mod mue;
pub mod ncci;
pub mod validity;

#[cfg(test)]
mod fixtures;

use sqlx::AnyConnection;

use crate::codesets::facts::{CodeSetFacts, FactsRequest};
use crate::codesets::store::facts::{self, CodeSource};
use crate::edits::finding::{Finding, Severity};
pub use crate::edits::input::CodeSetInput;
pub use instructions::referenced_codes;

/// Reads the code-set facts of `input` (what the codes are from `codes`)
/// and runs the code-set edits.
pub async fn check(
    conn: &mut AnyConnection,
    input: &CodeSetInput<'_>,
    codes: CodeSource<'_>,
) -> Result<Vec<Finding>, sqlx::Error> {
    let facts = facts::load(conn, &request(input), codes).await?;
    Ok(check_facts(input, &facts))
}

/// The codes and dates whose facts the edits of `input` need.
pub fn request(input: &CodeSetInput<'_>) -> FactsRequest {
    FactsRequest {
        date_of_service: input.date_of_service,
        diagnoses: input
            .coding
            .diagnoses
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        lines: input
            .coding
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.clone(), input.line_date(i)))
            .collect(),
    }
}

/// Runs every code-set edit on `facts`, in the order a coder reads them:
/// diagnoses (validity, instructions, MCE), then procedure lines (validity,
/// NCCI, MUE).
pub fn check_facts(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    if let Some(started) = &facts.unfinished_import {
        return vec![Finding::new(
            "CODE_SETS_LOADING",
            Severity::Error,
            vec![],
            format!(
                "the code sets are still loading (import started {started}), so the coding cannot be fully checked yet"
            ),
            "wait for the code-set import to finish; if it stopped, run it again (medbill codes import)",
            -1,
        )];
    }
    if !facts.icd10cm_loaded {
        return vec![Finding::new(
            "CODE_SETS_NOT_LOADED",
            Severity::Error,
            vec![],
            "ICD-10-CM is not loaded, so no code can be checked".into(),
            "load the code sets (medbill codes fetch && medbill codes import)",
            -1,
        )];
    }
    let mut findings = validity::diagnoses(input, facts);
    findings.extend(instructions::check(input, facts));
    findings.extend(mce::check(input, facts));
    findings.extend(validity::procedures(input, facts));
    findings.extend(ncci::check(input, facts));
    findings.extend(mue::check(input, facts));
    findings
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::encounters::domain::EncounterType::Professional;

    #[test]
    fn nothing_passes_without_icd10cm() {
        let c = coding(&["J029"], vec![]);
        let found = check_facts(&input(&c, Professional, 30), &CodeSetFacts::default());
        assert_eq!(ids(&found), [("CODE_SETS_NOT_LOADED", Severity::Error, -1)]);
    }

    #[test]
    fn nothing_passes_while_a_code_set_import_is_unfinished() {
        let c = coding(&["J029"], vec![]);
        let mut f = facts(vec![billable("J029")]);
        f.unfinished_import = Some("2026-06-01T08:00:00Z".into());
        let found = check_facts(&input(&c, Professional, 30), &f);
        assert_eq!(ids(&found), [("CODE_SETS_LOADING", Severity::Error, -1)]);
        f.unfinished_import = None;
        assert!(check_facts(&input(&c, Professional, 30), &f).is_empty());
    }

    #[test]
    fn the_request_asks_for_each_line_on_its_own_date() {
        let mut later = line("J1100", &[], 1);
        later.date_of_service = "2026-06-03".parse().unwrap();
        let c = coding(&["J029"], vec![line("99213", &[], 1), later]);
        let r = request(&input(&c, Professional, 30));
        assert_eq!(r.diagnoses, ["J029"]);
        assert_eq!(
            r.lines,
            [
                ("99213".to_string(), dos()),
                ("J1100".to_string(), day("2026-06-03"))
            ]
        );
    }
}
