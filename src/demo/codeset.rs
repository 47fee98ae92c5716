//! The slice of the public ICD-10-CM release the demo's encounters use,
//! loaded into the demo's fresh coding database through the code-set
//! store (what `medbill codes import` does for whole releases): real codes
//! with their official descriptions and the tabular notes the coding
//! edits read (Excludes1, 7th characters). A whole release would take
//! minutes to import; the edits behave the same on this slice. CPT is
//! licensed, so, as in a site without a CPT file, procedure codes are not
//! checked against a code list.

use anyhow::Context;
use medbill_coding::codesets::domain::{AgeRange, CodeRow, ValidityRow};
use medbill_coding::codesets::store::write::{
    insert_age_ranges, insert_codes, insert_release, insert_validity,
};
use medbill_coding::codesets::store::{NewRelease, ReleaseKind};
use medbill_coding::codesets::{CodeSystem, NoteKind};
use medbill_kernel::CalendarDate;
use medbill_platform::db::Database;

fn code(code: &str, header: bool, description: &str, parent: &str) -> CodeRow {
    CodeRow {
        code: code.into(),
        is_header: header,
        description: description.into(),
        parent: parent.into(),
        notes: Vec::new(),
    }
}

fn with_note(mut row: CodeRow, kind: NoteKind, text: &str) -> CodeRow {
    row.notes.push((kind, text.into()));
    row
}

/// The ICD-10-CM codes of the slice (headers included, so that a header
/// code proposed by mistake is found and named).
fn icd10cm() -> Vec<CodeRow> {
    use NoteKind::*;
    vec![
        code("I10", false, "Essential (primary) hypertension", ""),
        code("E10", true, "Type 1 diabetes mellitus", ""),
        code(
            "E109",
            false,
            "Type 1 diabetes mellitus without complications",
            "E10",
        ),
        with_note(
            with_note(
                code("E11", true, "Type 2 diabetes mellitus", ""),
                Excludes1,
                "type 1 diabetes mellitus (E10.-)",
            ),
            UseAdditionalCode,
            "to identify control using: insulin (Z79.4)",
        ),
        code(
            "E119",
            false,
            "Type 2 diabetes mellitus without complications",
            "E11",
        ),
        code("Z794", false, "Long term (current) use of insulin", ""),
        code("J02", true, "Acute pharyngitis", ""),
        code("J029", false, "Acute pharyngitis, unspecified", "J02"),
        code("R50", true, "Fever of other and unknown origin", ""),
        code("R509", false, "Fever, unspecified", "R50"),
        code("M54", true, "Dorsalgia", ""),
        code("M545", true, "Low back pain", "M54"),
        code("M5450", false, "Low back pain, unspecified", "M545"),
        with_note(
            with_note(
                code("S52", true, "Fracture of forearm", ""),
                SeventhCharacter,
                "A initial encounter for closed fracture",
            ),
            SeventhCharacter,
            "D subsequent encounter for closed fracture with routine healing",
        ),
        code("S525", true, "Fracture of lower end of radius", "S52"),
        code(
            "S5252",
            true,
            "Torus fracture of lower end of radius",
            "S525",
        ),
        code(
            "S52521",
            true,
            "Torus fracture of lower end of right radius",
            "S5252",
        ),
        code(
            "S52521A",
            false,
            "Torus fracture of lower end of right radius, initial encounter for closed fracture",
            "S52521",
        ),
        code("R07", true, "Pain in throat and chest", ""),
        code("R079", false, "Chest pain, unspecified", "R07"),
        code("R06", true, "Abnormalities of breathing", ""),
        code("R060", true, "Dyspnea", "R06"),
        code("R0602", false, "Shortness of breath", "R060"),
        code("R05", true, "Cough", ""),
        code("R059", false, "Cough, unspecified", "R05"),
        code("J45", true, "Asthma", ""),
        code("J459", true, "Other and unspecified asthma", "J45"),
        code("J4590", true, "Unspecified asthma", "J459"),
        code(
            "J45909",
            false,
            "Unspecified asthma, uncomplicated",
            "J4590",
        ),
    ]
}

fn day(s: &str) -> anyhow::Result<CalendarDate> {
    s.parse().map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

fn release(kind: ReleaseKind, name: &str, rows: usize) -> anyhow::Result<NewRelease> {
    Ok(NewRelease {
        system: CodeSystem::Icd10Cm,
        kind,
        scope: String::new(),
        name: name.into(),
        effective_from: day("2015-10-01")?,
        source: "medbill demo: a slice of the FY2026 ICD-10-CM tabular and MCE".into(),
        sha256: name.into(),
        code_count: rows as u64,
    })
}

/// Loads the slice into `db` (a no-op when it is there already).
pub async fn seed(db: &Database) -> anyhow::Result<()> {
    let codes = icd10cm();
    let since = day("2015-10-01")?;
    let validity: Vec<ValidityRow> = codes
        .iter()
        .filter(|c| !c.is_header)
        .map(|c| ValidityRow {
            code: c.code.clone(),
            valid_from: since,
            valid_to: None,
            edits: Vec::new(),
        })
        .collect();
    let ages = vec![
        AgeRange {
            edit: "pediatric".into(),
            low_age: 0,
            high_age: 17,
            valid_from: since,
            valid_to: None,
        },
        AgeRange {
            edit: "adult".into(),
            low_age: 15,
            high_age: 124,
            valid_from: since,
            valid_to: None,
        },
    ];
    let mut tx = db.begin().await?;
    let cm = release(ReleaseKind::Codes, "demo ICD-10-CM slice", codes.len())?;
    if let Some(id) = insert_release(&mut tx, &cm).await? {
        insert_codes(&mut tx, &id, CodeSystem::Icd10Cm, &codes).await?;
    }
    let mce = release(ReleaseKind::Validity, "demo MCE slice", validity.len())?;
    if let Some(id) = insert_release(&mut tx, &mce).await? {
        insert_validity(&mut tx, &id, CodeSystem::Icd10Cm, &validity).await?;
        insert_age_ranges(&mut tx, &id, &ages).await?;
    }
    tx.commit()
        .await
        .context("cannot load the demo code sets")?;
    Ok(())
}
