//! The index built from rows in memory: what `GetCode` and `SearchCodes`
//! answer from it, by date, with notes and with corrupt stored values.

use std::sync::Arc;

use medbill_kernel::CalendarDate;

use super::tables::{CodeListRow, NoteRow, PeriodRow, ReleaseRow};
use super::{CodeSetIndex, Tables};
use crate::codesets::domain::{CodeStatus, CodeSystem, NoteKind};
use crate::codesets::search::Query;

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn release(id: &str, system: CodeSystem, kind: &str, from: &str) -> ReleaseRow {
    ReleaseRow {
        release_id: id.into(),
        system: system.as_str().into(),
        kind: kind.into(),
        scope: String::new(),
        effective_from: from.into(),
    }
}

fn listed(release: &str, code: &str, header: bool, description: &str, parent: &str) -> CodeListRow {
    CodeListRow {
        release_id: release.into(),
        system: CodeSystem::Icd10Cm.as_str().into(),
        code: code.into(),
        is_header: header,
        description: description.into(),
        parent: parent.into(),
    }
}

fn period(code: &str, from: &str, to: Option<&str>, edits: &str) -> PeriodRow {
    PeriodRow {
        code: code.into(),
        from: from.into(),
        to: to.map(String::from),
        edits: edits.into(),
    }
}

fn note(release: &str, code: &str, kind: &str, text: &str) -> NoteRow {
    NoteRow {
        release_id: release.into(),
        code: code.into(),
        kind: kind.into(),
        text: text.into(),
    }
}

/// Two ICD-10-CM code lists (FY2025, FY2026; Z38.00 only in the older,
/// A00.9 only in the newer), an MCE validity release, and notes.
fn two_fiscal_years() -> Tables {
    use CodeSystem::Icd10Cm;
    Tables {
        releases: vec![
            release("fy26", Icd10Cm, "codes", "2025-10-01"),
            release("fy25", Icd10Cm, "codes", "2024-10-01"),
            release("mce", Icd10Cm, "validity", "2015-10-01"),
        ],
        codes: vec![
            listed(
                "fy25",
                "Z3800",
                false,
                "Single liveborn infant, delivered vaginally",
                "Z380",
            ),
            listed("fy25", "A00", true, "Cholera", ""),
            listed(
                "fy25",
                "O80",
                false,
                "Encounter for full-term uncomplicated delivery",
                "",
            ),
            listed("fy26", "A00", true, "Cholera", ""),
            listed("fy26", "A009", false, "Cholera, unspecified", "A00"),
            listed(
                "fy26",
                "O80",
                false,
                "Encounter for full-term uncomplicated delivery",
                "",
            ),
        ],
        periods: vec![(
            Icd10Cm,
            vec![
                period("O80", "2015-10-01", Some("2019-09-30"), "maternity adult"),
                period("O80", "2019-10-01", None, "maternity"),
                period("S061X7D", "2015-10-01", Some("2017-09-30"), ""),
            ],
        )],
        notes: vec![
            note("fy26", "A00", "excludes1", "cholera in fy26"),
            note("fy26", "A009", "notes", "own note"),
            note("fy25", "A00", "excludes1", "cholera in fy25"),
        ],
        ..Tables::default()
    }
}

fn get(index: &CodeSetIndex, code: &str, date: &str) -> crate::codesets::CodeAnswer {
    index
        .get_code(CodeSystem::Icd10Cm, code, day(date))
        .unwrap()
        .unwrap_or_else(|| panic!("{code} unknown"))
}

#[test]
fn a_code_only_in_an_older_code_list_is_billable_then_and_not_effective_after() {
    let index = two_fiscal_years().index();
    let before = get(&index, "Z3800", "2025-01-01");
    assert_eq!(before.status, CodeStatus::Billable);
    assert_eq!(
        before.description,
        "Single liveborn infant, delivered vaginally"
    );
    assert_eq!(before.parent, "Z380");
    assert_eq!(before.effective_from, Some(day("2024-10-01")));
    assert_eq!(before.effective_to, Some(day("2025-09-30")));
    let after = get(&index, "Z3800", "2025-11-01");
    assert_eq!(after.status, CodeStatus::NotEffective);
    assert_eq!(
        after.description,
        "Single liveborn infant, delivered vaginally"
    );
    let new_code = get(&index, "A009", "2025-01-01");
    assert_eq!(new_code.status, CodeStatus::NotEffective);
    assert_eq!(
        get(&index, "A009", "2026-01-01").status,
        CodeStatus::Billable
    );
    assert_eq!(get(&index, "A00", "2026-01-01").status, CodeStatus::Header);
}

#[test]
fn validity_periods_decide_the_status_and_carry_the_edits_of_the_date() {
    let index = two_fiscal_years().index();
    let old = get(&index, "O80", "2018-06-01");
    assert_eq!(old.status, CodeStatus::Billable);
    assert_eq!(old.mce_edits, vec!["maternity", "adult"]);
    assert_eq!(old.effective_to, Some(day("2019-09-30")));
    let now = get(&index, "O80", "2026-06-01");
    assert_eq!(now.mce_edits, vec!["maternity"]);
    assert_eq!(now.effective_from, Some(day("2019-10-01")));
    assert_eq!(now.effective_to, None);
    // Known only from the validity release: no description, not in effect.
    let deleted = get(&index, "S061X7D", "2026-06-01");
    assert_eq!(deleted.status, CodeStatus::NotEffective);
    assert_eq!(deleted.description, "");
    assert_eq!(deleted.effective_to, Some(day("2017-09-30")));
}

#[test]
fn notes_come_from_the_code_and_its_ancestors_in_the_list_of_the_date() {
    let index = two_fiscal_years().index();
    let a009 = get(&index, "A009", "2026-01-01");
    let notes: Vec<(NoteKind, &str, &str)> = a009
        .notes
        .iter()
        .map(|n| (n.kind, n.text.as_str(), n.from_code.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (NoteKind::Note, "own note", "A009"),
            (NoteKind::Excludes1, "cholera in fy26", "A00"),
        ]
    );
    let a00_then = get(&index, "A00", "2025-01-01");
    assert_eq!(a00_then.notes[0].text, "cholera in fy25");
}

#[test]
fn a_code_no_release_ever_had_is_unknown_in_every_system() {
    let index = two_fiscal_years().index();
    assert!(
        index
            .get_code(CodeSystem::Icd10Cm, "B999", day("2026-01-01"))
            .unwrap()
            .is_none()
    );
    assert!(
        index
            .get_code(CodeSystem::Hcpcs, "A009", day("2026-01-01"))
            .unwrap()
            .is_none()
    );
    assert!(
        Tables::default()
            .index()
            .get_code(CodeSystem::Icd10Cm, "A009", day("2026-01-01"))
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_release_date_that_does_not_decode_fails_every_lookup_but_not_search() {
    let mut tables = two_fiscal_years();
    tables.releases[2].effective_from = "2015-13-01".into();
    let index = tables.index();
    let err = index
        .get_code(CodeSystem::Icd10Cm, "A009", day("2026-01-01"))
        .unwrap_err();
    assert!(
        err.to_string().contains("code_set_releases.effective_from"),
        "{err}"
    );
    let hits = index.search(&query("cholera", "2026-01-01"));
    assert_eq!(hits.len(), 1);
}

#[test]
fn a_note_kind_that_does_not_decode_fails_only_the_codes_under_it() {
    let mut tables = two_fiscal_years();
    tables.notes[1].kind = "excludes3".into();
    let index = tables.index();
    let err = index
        .get_code(CodeSystem::Icd10Cm, "A009", day("2026-01-01"))
        .unwrap_err();
    assert!(err.to_string().contains("code_notes.kind"), "{err}");
    assert_eq!(get(&index, "A00", "2026-01-01").notes.len(), 1);
}

#[test]
fn a_period_date_that_does_not_decode_fails_the_lookup_that_reads_it() {
    let mut tables = two_fiscal_years();
    tables.periods[0].1[1].from = "2019-10-0x".into();
    let index = tables.index();
    let err = index
        .get_code(CodeSystem::Icd10Cm, "O80", day("2026-06-01"))
        .unwrap_err();
    assert!(
        err.to_string().contains("code_validity.valid_from"),
        "{err}"
    );
    assert_eq!(
        get(&index, "O80", "2018-06-01").status,
        CodeStatus::Billable
    );
}

fn query(text: &str, date: &str) -> Query {
    Query {
        text: text.into(),
        system: Some(CodeSystem::Icd10Cm),
        date: day(date),
        limit: 20,
        include_headers: false,
    }
}

#[test]
fn search_reads_the_newest_code_list_with_the_validity_of_each_code() {
    let index = two_fiscal_years().index();
    let codes = |text: &str, date: &str| -> Vec<String> {
        index
            .search(&query(text, date))
            .iter()
            .map(|h| h.entry.code.to_string())
            .collect()
    };
    // Z38.00 is only in the older list: search never finds it.
    assert!(codes("liveborn", "2025-01-01").is_empty());
    assert_eq!(codes("cholera", "2026-01-01"), vec!["A009"]);
    // Listed from 2025-10-01, no validity periods: not yet on 2025-01-01.
    assert!(codes("cholera", "2025-01-01").is_empty());
    let hits = index.search(&query("delivery", "2018-06-01"));
    assert_eq!(hits.len(), 1);
    let period = hits[0].period.unwrap();
    assert_eq!(&*period.edits, "maternity adult");
}

#[test]
fn text_repeated_across_releases_is_stored_once() {
    let index = two_fiscal_years().index();
    let (listed, periods) = index.systems[0].find("O80").unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(&*listed[0].release_id, "fy26", "newest list first");
    assert!(Arc::ptr_eq(&listed[0].description, &listed[1].description));
    let entry = index
        .search(&query("delivery", "2026-06-01"))
        .pop()
        .unwrap()
        .entry;
    assert!(Arc::ptr_eq(&entry.description, &listed[0].description));
    assert_eq!(entry.periods.as_ptr(), periods.as_ptr());
    assert_eq!(index.code_count(), 5);
}

#[test]
fn codes_with_the_same_validity_periods_share_one_list() {
    let mut tables = two_fiscal_years();
    tables.periods[0].1.extend([
        period("S061X8D", "2015-10-01", Some("2017-09-30"), ""),
        period("S061X9D", "2015-10-01", None, ""),
    ]);
    let index = tables.index();
    let icd = &index.systems[0];
    let (_, x7) = icd.find("S061X7D").unwrap();
    let (_, x8) = icd.find("S061X8D").unwrap();
    let (_, x9) = icd.find("S061X9D").unwrap();
    assert_eq!(x7.as_ptr(), x8.as_ptr());
    assert_ne!(x7.as_ptr(), x9.as_ptr());
    assert_eq!(
        get(&index, "S061X8D", "2016-06-01").effective_to,
        Some(day("2017-09-30"))
    );
}
