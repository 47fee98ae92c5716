//! The coding rows of an encounter (`encounter_diagnoses`,
//! `encounter_lines`): the source system's proposed coding and the coder's,
//! one row per diagnosis and per procedure line.

use medbill_platform::writes::Writes;
use sqlx::{AnyConnection, Row};

use crate::encounters::domain::{Coding, Diagnosis, PhysicianQuery, ProcedureLine};

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

/// Deletes the rows of one kind of coding of an encounter (before
/// [`push_coding`] writes its replacement).
pub async fn delete_coding(
    conn: &mut AnyConnection,
    encounter_id: &str,
    kind: CodingKind,
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
    Ok(())
}

/// Rows per multi-row INSERT: 9 columns × 100 stays far below either
/// database's limit on bound parameters.
const ROWS_PER_INSERT: usize = 100;

/// Adds to `w` the rows of one kind of coding of an encounter that has
/// none, one multi-row INSERT per table.
pub fn push_coding(w: &mut Writes, encounter_id: &str, kind: CodingKind, coding: &Coding) {
    for (chunk, diagnoses) in coding.diagnoses.chunks(ROWS_PER_INSERT).enumerate() {
        let rows = diagnoses
            .iter()
            .enumerate()
            .map(|(i, dx)| {
                vec![
                    encounter_id.into(),
                    kind.as_str().into(),
                    ((chunk * ROWS_PER_INSERT + i) as i64).into(),
                    (&dx.code).into(),
                    (&dx.present_on_admission).into(),
                ]
            })
            .collect();
        w.insert_rows(
            "encounter_diagnoses",
            "encounter_id, kind, position, code, present_on_admission",
            rows,
        );
    }
    for (chunk, lines) in coding.lines.chunks(ROWS_PER_INSERT).enumerate() {
        let rows = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let pointers: Vec<String> =
                    line.diagnosis_pointers.iter().map(u32::to_string).collect();
                vec![
                    encounter_id.into(),
                    kind.as_str().into(),
                    ((chunk * ROWS_PER_INSERT + i) as i64).into(),
                    (&line.code).into(),
                    line.modifiers.join(",").into(),
                    i64::from(line.units).into(),
                    pointers.join(",").into(),
                    line.date_of_service.to_string().into(),
                    (&line.revenue_code).into(),
                ]
            })
            .collect();
        w.insert_rows(
            "encounter_lines",
            "encounter_id, kind, position, code, modifiers, units, diagnosis_pointers, \
             date_of_service, revenue_code",
            rows,
        );
    }
}

/// What [`read_parts`] reads besides the encounter row: both codings and
/// the physician queries.
#[derive(Debug, Default)]
pub(super) struct Parts {
    pub(super) proposed: Coding,
    pub(super) coded: Coding,
    pub(super) queries: Vec<PhysicianQuery>,
}

/// Reads both codings of an encounter, proposed and coded, and its
/// physician queries (oldest first) in one statement: the three tables'
/// rows in one result, each tagged with its table (`d`, `l`, `q`) and
/// ordered within it as the codings and the queries are ordered.
pub(super) async fn read_parts(
    conn: &mut AnyConnection,
    encounter_id: &str,
) -> Result<Parts, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT 'd' AS part, kind, position AS pos, code AS c1, present_on_admission AS c2, \
                '' AS c3, '' AS c4, '' AS c5, '' AS c6, 0 AS units \
         FROM encounter_diagnoses WHERE encounter_id = $1 \
         UNION ALL \
         SELECT 'l', kind, position, code, modifiers, diagnosis_pointers, date_of_service, \
                revenue_code, '', units \
         FROM encounter_lines WHERE encounter_id = $1 \
         UNION ALL \
         SELECT 'q', '', 0, query_id, question, asked_by, asked_at, answer, answered_at, 0 \
         FROM encounter_queries WHERE encounter_id = $1 \
         ORDER BY part, kind, pos, c4, c1",
    )
    .bind(encounter_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut parts = Parts::default();
    for r in rows {
        let part: String = r.try_get("part")?;
        let kind: String = r.try_get("kind")?;
        match part.as_str() {
            "d" => {
                let into = which(
                    &kind,
                    &mut parts.proposed,
                    &mut parts.coded,
                    "encounter_diagnoses.kind",
                )?;
                into.diagnoses.push(Diagnosis {
                    code: r.try_get("c1")?,
                    present_on_admission: r.try_get("c2")?,
                });
            }
            "l" => {
                let modifiers: String = r.try_get("c2")?;
                let pointers: String = r.try_get("c3")?;
                let line = ProcedureLine {
                    code: r.try_get("c1")?,
                    modifiers: split_list(&modifiers),
                    units: u32::try_from(r.try_get::<i64, _>("units")?)
                        .ok()
                        .filter(|u| *u >= 1)
                        .ok_or_else(|| corrupt("encounter_lines.units"))?,
                    diagnosis_pointers: split_list(&pointers)
                        .iter()
                        .map(|p| p.parse())
                        .collect::<Result<_, _>>()
                        .map_err(|_| corrupt("encounter_lines.diagnosis_pointers"))?,
                    date_of_service: r
                        .try_get::<String, _>("c4")?
                        .parse()
                        .map_err(|_| corrupt("encounter_lines.date_of_service"))?,
                    revenue_code: r.try_get("c5")?,
                };
                which(
                    &kind,
                    &mut parts.proposed,
                    &mut parts.coded,
                    "encounter_lines.kind",
                )?
                .lines
                .push(line);
            }
            _ => parts.queries.push(PhysicianQuery {
                query_id: r.try_get("c1")?,
                question: r.try_get("c2")?,
                asked_by: r.try_get("c3")?,
                asked_at: r.try_get("c4")?,
                answer: r.try_get("c5")?,
                answered_at: r.try_get("c6")?,
            }),
        }
    }
    Ok(parts)
}

/// The coding a stored `kind` names.
fn which<'a>(
    kind: &str,
    proposed: &'a mut Coding,
    coded: &'a mut Coding,
    column: &str,
) -> Result<&'a mut Coding, sqlx::Error> {
    if kind == CodingKind::Proposed.as_str() {
        Ok(proposed)
    } else if kind == CodingKind::Coded.as_str() {
        Ok(coded)
    } else {
        Err(corrupt(column))
    }
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
