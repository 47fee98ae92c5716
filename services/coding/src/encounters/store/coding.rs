//! The coding rows of an encounter (`encounter_diagnoses`,
//! `encounter_lines`): the source system's proposed coding and the coder's,
//! one row per diagnosis and per procedure line.

use sqlx::{AnyConnection, Row};

use crate::encounters::domain::{Coding, Diagnosis, ProcedureLine};

/// Which coding a row set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodingKind {
    /// Proposed by the source system.
    Proposed,
    /// Saved by a coder.
    Coded,
}

impl CodingKind {
    fn as_str(self) -> &'static str {
        match self {
            CodingKind::Proposed => "proposed",
            CodingKind::Coded => "coded",
        }
    }
}

/// Replaces one kind of coding of an encounter.
pub async fn write_coding(
    conn: &mut AnyConnection,
    encounter_id: &str,
    kind: CodingKind,
    coding: &Coding,
) -> Result<(), sqlx::Error> {
    for table in ["encounter_diagnoses", "encounter_lines"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE encounter_id = $1 AND kind = $2"
        ))
        .bind(encounter_id)
        .bind(kind.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for (position, dx) in coding.diagnoses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO encounter_diagnoses (encounter_id, kind, position, code, present_on_admission) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(encounter_id)
        .bind(kind.as_str())
        .bind(position as i64)
        .bind(&dx.code)
        .bind(&dx.present_on_admission)
        .execute(&mut *conn)
        .await?;
    }
    for (position, line) in coding.lines.iter().enumerate() {
        let pointers: Vec<String> = line.diagnosis_pointers.iter().map(u32::to_string).collect();
        sqlx::query(
            "INSERT INTO encounter_lines (encounter_id, kind, position, code, modifiers, units, \
             diagnosis_pointers, date_of_service, revenue_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(encounter_id)
        .bind(kind.as_str())
        .bind(position as i64)
        .bind(&line.code)
        .bind(line.modifiers.join(","))
        .bind(i64::from(line.units))
        .bind(pointers.join(","))
        .bind(line.date_of_service.to_string())
        .bind(&line.revenue_code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Reads one kind of coding of an encounter.
pub(super) async fn read_coding(
    conn: &mut AnyConnection,
    encounter_id: &str,
    kind: CodingKind,
) -> Result<Coding, sqlx::Error> {
    let diagnoses = sqlx::query(
        "SELECT code, present_on_admission FROM encounter_diagnoses \
         WHERE encounter_id = $1 AND kind = $2 ORDER BY position",
    )
    .bind(encounter_id)
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(Diagnosis {
            code: r.try_get(0)?,
            present_on_admission: r.try_get(1)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let lines = sqlx::query(
        "SELECT code, modifiers, units, diagnosis_pointers, date_of_service, revenue_code \
         FROM encounter_lines WHERE encounter_id = $1 AND kind = $2 ORDER BY position",
    )
    .bind(encounter_id)
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        let modifiers: String = r.try_get(1)?;
        let pointers: String = r.try_get(3)?;
        Ok(ProcedureLine {
            code: r.try_get(0)?,
            modifiers: split_list(&modifiers),
            units: u32::try_from(r.try_get::<i64, _>(2)?)
                .ok()
                .filter(|u| *u >= 1)
                .ok_or_else(|| corrupt("encounter_lines.units"))?,
            diagnosis_pointers: split_list(&pointers)
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()
                .map_err(|_| corrupt("encounter_lines.diagnosis_pointers"))?,
            date_of_service: r
                .try_get::<String, _>(4)?
                .parse()
                .map_err(|_| corrupt("encounter_lines.date_of_service"))?,
            revenue_code: r.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Coding { diagnoses, lines })
}

/// The items of a comma-separated column.
pub(super) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A stored value that does not decode, named by `table.column`. The value
/// itself stays out of the message: it may be patient data.
pub(super) fn corrupt(column: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored encounter has an invalid {column}").into())
}
