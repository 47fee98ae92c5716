//! Medically unlikely edits: the most units of a code per line
//! (adjudication indicator 1) or per date of service, summed over the lines
//! (indicators 2 and 3).

use std::collections::BTreeMap;

use medbill_kernel::CalendarDate;

use super::ncci::setting;
use crate::codesets::facts::CodeSetFacts;
use crate::edits::finding::{Finding, Severity};
use crate::edits::input::CodeSetInput;

/// MUE units per line (adjudication indicator 1) or per date (2 and 3).
pub fn check(input: &CodeSetInput<'_>, facts: &CodeSetFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    let setting = setting(input.encounter_type, &facts.mue_settings);
    let lines = &input.coding.lines;
    // (code, date) → (units over the lines, first line).
    let mut per_date: BTreeMap<(&str, CalendarDate), (i64, usize)> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let entry = per_date
            .entry((line.code.as_str(), input.line_date(i)))
            .or_insert((0, i));
        entry.0 += i64::from(line.units);
    }
    for ((code, date), (units, first_line)) in per_date {
        let Some(value) = facts.mue(setting, code, date) else {
            continue;
        };
        let limit = value.mue_value;
        let per_line = value.adjudication_indicator == 1;
        let over: Vec<(usize, i64)> = if per_line {
            lines
                .iter()
                .enumerate()
                .filter(|(i, l)| {
                    l.code == code && input.line_date(*i) == date && i64::from(l.units) > limit
                })
                .map(|(i, l)| (i, i64::from(l.units)))
                .collect()
        } else if units > limit {
            vec![(first_line, units)]
        } else {
            Vec::new()
        };
        for (line, units) in over {
            findings.push(Finding::new(
                "MUE_UNITS",
                Severity::Error,
                vec![code.to_string()],
                format!(
                    "{code}: {units} units on {date} exceed the MUE of {limit} ({setting}, adjudication indicator {})",
                    value.adjudication_indicator
                ),
                "report the units the documentation supports; split only where the policy allows",
                line as i32,
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codesets::domain::MueValue;
    use crate::edits::codeset::fixtures::*;
    use crate::encounters::domain::EncounterType::Professional;
    use crate::encounters::domain::ProcedureLine;

    fn value(code: &str, mue: i64, indicator: i64) -> MueValue {
        MueValue {
            setting: "practitioner".into(),
            code: code.into(),
            mue_value: mue,
            adjudication_indicator: indicator,
            rationale: String::new(),
        }
    }

    fn found(lines: Vec<ProcedureLine>) -> Vec<Finding> {
        let mut f = facts(vec![billable("J029")]);
        f.mue_settings.insert("practitioner".into());
        for v in [value("J1100", 120, 3), value("10021", 1, 1)] {
            f.mue_values
                .insert(("practitioner".into(), v.code.clone(), dos()), v);
        }
        let c = coding(&["J029"], lines);
        check(&input(&c, Professional, 40), &f)
    }

    #[test]
    fn units_of_a_date_of_service_edit_are_summed_across_lines() {
        let f = found(vec![line("J1100", &[], 60), line("J1100", &[], 70)]);
        assert_eq!(ids(&f), [("MUE_UNITS", Severity::Error, 0)]);
        assert_eq!(
            f[0].message,
            "J1100: 130 units on 2026-06-01 exceed the MUE of 120 (practitioner, adjudication indicator 3)"
        );
        assert!(found(vec![line("J1100", &[], 60), line("J1100", &[], 60)]).is_empty());
    }

    #[test]
    fn a_line_edit_counts_each_line_alone() {
        assert!(found(vec![line("10021", &[], 1), line("10021", &[], 1)]).is_empty());
        let f = found(vec![line("10021", &[], 1), line("10021", &[], 2)]);
        assert_eq!(ids(&f), [("MUE_UNITS", Severity::Error, 1)]);
        assert!(
            f[0].message.starts_with("10021: 2 units"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_code_without_an_mue_value_is_not_limited() {
        assert!(found(vec![line("99213", &[], 9)]).is_empty());
    }
}
