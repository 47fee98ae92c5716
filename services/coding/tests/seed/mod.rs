//! Shared by the coding tests: a small but real slice of the code sets,
//! seeded through the store's write API (ICD-10-CM codes with their tabular
//! notes, MCE validity periods, edits and age ranges) and the official-layout
//! NCCI PTP and MUE fixtures in `tests/fixtures/`. The values are those of the
//! public CMS releases; only the number of codes is small.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use medbill_coding::codesets::domain::{AgeRange, CodeRow, ValidityRow};
use medbill_coding::codesets::store::write::{
    insert_age_ranges, insert_codes, insert_release, insert_validity,
};
use medbill_coding::codesets::store::{NewRelease, ReleaseKind};
use medbill_coding::codesets::{self, CodeSystem, NoteKind};
use medbill_kernel::CalendarDate;
use medbill_platform::db::Database;
use medbill_platform::testing::{RunningService, start_on};

/// The coding service on 127.0.0.1:0 over `db` (opened and seeded by the
/// test), with no peers.
pub async fn start(db: Database) -> RunningService {
    start_on(db, |listener, db, settings, shutdown| {
        medbill_coding::serve(
            listener,
            db,
            settings,
            medbill_coding::Peers::default(),
            shutdown,
        )
    })
    .await
}

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn code(
    code: &str,
    header: bool,
    description: &str,
    parent: &str,
    notes: &[(NoteKind, &str)],
) -> CodeRow {
    CodeRow {
        code: code.into(),
        is_header: header,
        description: description.into(),
        parent: parent.into(),
        notes: notes.iter().map(|(k, t)| (*k, t.to_string())).collect(),
    }
}

fn valid(code: &str, from: &str, to: Option<&str>, edits: &[&str]) -> ValidityRow {
    ValidityRow {
        code: code.into(),
        valid_from: day(from),
        valid_to: to.map(day),
        edits: edits.iter().map(|e| e.to_string()).collect(),
    }
}

fn release(system: CodeSystem, kind: ReleaseKind, name: &str, rows: usize) -> NewRelease {
    NewRelease {
        system,
        kind,
        scope: String::new(),
        name: name.into(),
        effective_from: day("2015-10-01"),
        source: "seeded by the coding tests".into(),
        sha256: name.into(),
        code_count: rows as u64,
    }
}

/// Loads the test slice of the code sets into `db`.
pub async fn seed_code_sets(db: &Database) {
    use NoteKind::*;
    let codes = vec![
        code("J02", true, "Acute pharyngitis", "", &[]),
        code("J029", false, "Acute pharyngitis, unspecified", "J02", &[]),
        code("R50", true, "Fever of other and unknown origin", "", &[]),
        code("R509", false, "Fever, unspecified", "R50", &[]),
        code("M54", true, "Dorsalgia", "", &[]),
        code("M545", true, "Low back pain", "M54", &[]),
        code("M5450", false, "Low back pain, unspecified", "M545", &[]),
        code("I10", false, "Essential (primary) hypertension", "", &[]),
        code("E10", true, "Type 1 diabetes mellitus", "", &[]),
        code(
            "E109",
            false,
            "Type 1 diabetes mellitus without complications",
            "E10",
            &[],
        ),
        code(
            "E11",
            true,
            "Type 2 diabetes mellitus",
            "",
            &[
                (Excludes1, "type 1 diabetes mellitus (E10.-)"),
                (
                    UseAdditionalCode,
                    "to identify control using: insulin (Z79.4)",
                ),
            ],
        ),
        code(
            "E119",
            false,
            "Type 2 diabetes mellitus without complications",
            "E11",
            &[],
        ),
        code("Z794", false, "Long term (current) use of insulin", "", &[]),
        code("E85", true, "Amyloidosis", "", &[]),
        code("E854", false, "Organ-limited amyloidosis", "E85", &[]),
        code(
            "G63",
            false,
            "Polyneuropathy in diseases classified elsewhere",
            "",
            &[(
                CodeFirst,
                "underlying disease, such as: amyloidosis (E85.-)",
            )],
        ),
        code(
            "S52",
            true,
            "Fracture of forearm",
            "",
            &[
                (SeventhCharacter, "A initial encounter for closed fracture"),
                (
                    SeventhCharacter,
                    "D subsequent encounter for closed fracture with routine healing",
                ),
            ],
        ),
        code("S525", true, "Fracture of lower end of radius", "S52", &[]),
        code(
            "S5252",
            true,
            "Torus fracture of lower end of radius",
            "S525",
            &[],
        ),
        code(
            "S52521",
            true,
            "Torus fracture of lower end of right radius",
            "S5252",
            &[],
        ),
        code(
            "S52521A",
            false,
            "Torus fracture of lower end of right radius, initial encounter for closed fracture",
            "S52521",
            &[],
        ),
        code(
            "O80",
            false,
            "Encounter for full-term uncomplicated delivery",
            "",
            &[],
        ),
        code("Z370", false, "Single live birth", "", &[]),
        code("U071", false, "COVID-19", "", &[]),
        code("R07", true, "Pain in throat and chest", "", &[]),
        code("R079", false, "Chest pain, unspecified", "R07", &[]),
        code("R06", true, "Abnormalities of breathing", "", &[]),
        code("R060", true, "Dyspnea", "R06", &[]),
        code("R0602", false, "Shortness of breath", "R060", &[]),
        code("R05", true, "Cough", "", &[]),
        code("R059", false, "Cough, unspecified", "R05", &[]),
    ];
    let validity = vec![
        valid("O80", "2015-10-01", None, &["maternity"]),
        valid("G63", "2015-10-01", None, &["manifestation"]),
        valid("Z370", "2015-10-01", None, &["unacceptable"]),
        valid("U071", "2020-04-01", None, &[]),
    ];
    let ages = vec![
        AgeRange {
            edit: "newborn".into(),
            low_age: 0,
            high_age: 0,
            valid_from: day("2015-10-01"),
            valid_to: None,
        },
        AgeRange {
            edit: "pediatric".into(),
            low_age: 0,
            high_age: 17,
            valid_from: day("2015-10-01"),
            valid_to: None,
        },
        AgeRange {
            edit: "maternity".into(),
            low_age: 9,
            high_age: 64,
            valid_from: day("2019-10-01"),
            valid_to: None,
        },
        AgeRange {
            edit: "adult".into(),
            low_age: 15,
            high_age: 124,
            valid_from: day("2015-10-01"),
            valid_to: None,
        },
    ];
    let mut tx = db.begin().await.unwrap();
    let cm = release(
        CodeSystem::Icd10Cm,
        ReleaseKind::Codes,
        "test ICD-10-CM slice",
        codes.len(),
    );
    let id = insert_release(&mut tx, &cm).await.unwrap().unwrap();
    insert_codes(&mut tx, &id, CodeSystem::Icd10Cm, &codes)
        .await
        .unwrap();
    let mce = release(
        CodeSystem::Icd10Cm,
        ReleaseKind::Validity,
        "test MCE slice",
        validity.len(),
    );
    let id = insert_release(&mut tx, &mce).await.unwrap().unwrap();
    insert_validity(&mut tx, &id, CodeSystem::Icd10Cm, &validity)
        .await
        .unwrap();
    insert_age_ranges(&mut tx, &id, &ages).await.unwrap();
    tx.commit().await.unwrap();

    codesets::import_ncci_ptp(
        db,
        &fixture("ncci_ptp_practitioner.txt"),
        "test practitioner PTP",
        day("2019-01-01"),
        "practitioner",
    )
    .await
    .unwrap();
    codesets::import_mue(
        db,
        &fixture("mue_practitioner.csv"),
        "test practitioner MUE",
        day("2019-01-01"),
        "practitioner",
    )
    .await
    .unwrap();
}

/// The wire value of a code system.
pub fn wire_system(system: CodeSystem) -> medbill_contracts::medbill::coding::v1::CodeSystem {
    use medbill_contracts::medbill::coding::v1::CodeSystem as Wire;
    match system {
        CodeSystem::Icd10Cm => Wire::Icd10cm,
        CodeSystem::Icd10Pcs => Wire::Icd10pcs,
        CodeSystem::Cpt => Wire::Cpt,
        CodeSystem::Hcpcs => Wire::Hcpcs,
        CodeSystem::Modifier => Wire::Modifier,
    }
}

/// A store answer (`store::lookup::get_code`) as `GetCode` puts it on the
/// wire, to compare the served answer with.
pub fn on_the_wire(
    answer: medbill_coding::codesets::CodeAnswer,
) -> medbill_contracts::medbill::coding::v1::Code {
    use medbill_coding::codesets::CodeStatus;
    use medbill_contracts::medbill::coding::v1 as pb;
    use medbill_contracts::medbill::common::v1::{Date, DateRange};
    let date = |d: CalendarDate| Date {
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    };
    let status = match answer.status {
        CodeStatus::Billable => pb::CodeStatus::Billable,
        CodeStatus::Header => pb::CodeStatus::Header,
        CodeStatus::NotEffective => pb::CodeStatus::NotEffective,
    };
    let kind = |k: NoteKind| match k {
        NoteKind::InclusionTerm => pb::NoteKind::InclusionTerm,
        NoteKind::Includes => pb::NoteKind::Includes,
        NoteKind::Excludes1 => pb::NoteKind::Excludes1,
        NoteKind::Excludes2 => pb::NoteKind::Excludes2,
        NoteKind::CodeFirst => pb::NoteKind::CodeFirst,
        NoteKind::UseAdditionalCode => pb::NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso => pb::NoteKind::CodeAlso,
        NoteKind::Note => pb::NoteKind::Note,
        NoteKind::SeventhCharacter => pb::NoteKind::SeventhCharacter,
    };
    pb::Code {
        system: wire_system(answer.system) as i32,
        code: answer.code,
        status: status as i32,
        description: answer.description,
        effective: answer.effective_from.map(|from| DateRange {
            start: Some(date(from)),
            end: answer.effective_to.map(date),
        }),
        notes: answer
            .notes
            .into_iter()
            .map(|n| pb::CodeNote {
                kind: kind(n.kind) as i32,
                text: n.text,
                from_code: n.from_code,
            })
            .collect(),
        mce_edits: answer.mce_edits,
        parent: answer.parent,
    }
}

/// A procedure line of `code` with `modifiers` and `units`, pointing to the
/// first diagnosis.
pub fn line(
    code: &str,
    modifiers: &[&str],
    units: u32,
) -> medbill_contracts::medbill::coding::v1::ProcedureLine {
    medbill_contracts::medbill::coding::v1::ProcedureLine {
        code: code.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        units,
        diagnosis_pointers: vec![1],
        date_of_service: None,
        revenue_code: String::new(),
    }
}

/// Submits encounter number `n` (age, date of service, type), has coder
/// "ann" claim it and save `diagnoses` and `lines`, and returns the findings
/// as (edit id, severity).
pub async fn findings_of(
    client: &mut medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient<
        tonic::transport::Channel,
    >,
    n: u32,
    age: u32,
    date: (i32, i32, i32),
    encounter_type: medbill_contracts::medbill::coding::v1::EncounterType,
    diagnoses: &[&str],
    lines: Vec<medbill_contracts::medbill::coding::v1::ProcedureLine>,
) -> Vec<(String, i32)> {
    use medbill_contracts::medbill::coding::v1 as pb;
    use medbill_contracts::medbill::common::v1 as wire;
    use medbill_platform::auth::Role;
    use medbill_platform::testing::authorized;

    let submit = pb::SubmitEncounterRequest {
        source_system: "ehr".into(),
        source_encounter_id: format!("EDIT-{n}"),
        patient_mrn: format!("MRN{n}"),
        patient_age_years: age,
        patient_sex: wire::Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(wire::DateRange {
            start: Some(wire::Date {
                year: date.0,
                month: date.1,
                day: date.2,
            }),
            end: None,
        }),
        place_of_service: "11".into(),
        encounter_type: encounter_type as i32,
        documentation: "See note.".into(),
        proposed: None,
        priority: 0,
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: (encounter_type == pb::EncounterType::Inpatient).then(|| {
            pb::InpatientStay {
                admission_hour: 14,
                admission_type: "3".into(),
                admission_source: "1".into(),
                discharge_hour: 11,
                discharge_status: "01".into(),
            }
        }),
    };
    let id = client
        .submit_encounter(authorized(submit, "ehr-link", &[Role::Service]))
        .await
        .unwrap()
        .into_inner()
        .encounter
        .unwrap()
        .encounter_id;
    let claimed = client
        .claim_next_encounter(authorized(
            pb::ClaimNextEncounterRequest::default(),
            "ann",
            &[Role::Coder],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(claimed.encounter_id, id);
    let coding = pb::Coding {
        diagnoses: diagnoses
            .iter()
            .map(|c| pb::Diagnosis {
                code: c.to_string(),
                present_on_admission: String::new(),
            })
            .collect(),
        lines,
    };
    let saved = client
        .save_coding(authorized(
            pb::SaveCodingRequest {
                encounter_id: id,
                coding: Some(coding),
                expected_version: 0,
            },
            "ann",
            &[Role::Coder],
        ))
        .await
        .unwrap()
        .into_inner();
    saved
        .findings
        .into_iter()
        .map(|f| (f.edit_id, f.severity))
        .collect()
}
