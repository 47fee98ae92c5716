//! Persistence of encounters, their coding, physician queries and change
//! history. Functions take a connection or transaction; the service layer
//! begins and commits. Updates carry the version the caller read, so a
//! concurrent change is detected instead of overwritten.

use medbill_kernel::{CalendarDate, Npi};
use medbill_platform::db::Backend;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    Coding, Diagnosis, Encounter, EncounterStatus, EncounterType, NewEncounter, PhysicianQuery,
    Priority, ProcedureLine, Rework, Sex,
};

const COLUMNS: &str = "encounter_id, source_system, source_encounter_id, patient_mrn, \
    patient_age_years, patient_sex, rendering_provider_npi, dos_start, dos_end, place_of_service, \
    encounter_type, documentation, payer_id, status, priority, assigned_coder, received_at, \
    released_at, version, release_count, findings, rework_claim_id, rework_carc, rework_rarc, \
    rework_note, rework_requested_at";

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

/// Inserts a new encounter unless its source key exists; returns whether it
/// was inserted.
pub async fn insert(
    conn: &mut AnyConnection,
    encounter_id: &str,
    new: &NewEncounter,
    received_at: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO encounters (encounter_id, source_system, source_encounter_id, patient_mrn, \
         patient_age_years, patient_sex, rendering_provider_npi, dos_start, dos_end, \
         place_of_service, encounter_type, documentation, payer_id, status, priority, \
         received_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'ready', $14, $15, 1) \
         ON CONFLICT (source_system, source_encounter_id) DO NOTHING",
    )
    .bind(encounter_id)
    .bind(&new.source_system)
    .bind(&new.source_encounter_id)
    .bind(&new.patient_mrn)
    .bind(i64::from(new.patient_age_years))
    .bind(new.patient_sex.as_str())
    .bind(new.rendering_provider_npi.as_str())
    .bind(new.dos_start.to_string())
    .bind(new.dos_end.to_string())
    .bind(&new.place_of_service)
    .bind(new.encounter_type.as_str())
    .bind(&new.documentation)
    .bind(&new.payer_id)
    .bind(new.priority as i64)
    .bind(received_at)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        write_coding(conn, encounter_id, CodingKind::Proposed, &new.proposed).await?;
    }
    Ok(inserted)
}

/// The id of the encounter with this source key.
pub async fn id_by_source(
    conn: &mut AnyConnection,
    source_system: &str,
    source_encounter_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query(
        "SELECT encounter_id FROM encounters WHERE source_system = $1 AND source_encounter_id = $2",
    )
    .bind(source_system)
    .bind(source_encounter_id)
    .fetch_optional(conn)
    .await?
    .map(|r| r.try_get(0))
    .transpose()
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
        .bind(&line.date_of_service)
        .bind(&line.revenue_code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn read_coding(
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
            units: u32::try_from(r.try_get::<i64, _>(2)?).unwrap_or(1),
            diagnosis_pointers: split_list(&pointers)
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            date_of_service: r.try_get(4)?,
            revenue_code: r.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Coding { diagnoses, lines })
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Loads an encounter with its coding and queries.
pub async fn load(
    conn: &mut AnyConnection,
    encounter_id: &str,
) -> Result<Option<Encounter>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM encounters WHERE encounter_id = $1"
    ))
    .bind(encounter_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut encounter = decode(&row)?;
    encounter.intake.proposed = read_coding(conn, encounter_id, CodingKind::Proposed).await?;
    encounter.coding = read_coding(conn, encounter_id, CodingKind::Coded).await?;
    encounter.queries = queries(conn, encounter_id).await?;
    Ok(Some(encounter))
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored encounter has an invalid {what}").into())
}

fn decode(row: &AnyRow) -> Result<Encounter, sqlx::Error> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let date = |name: &str| -> Result<CalendarDate, sqlx::Error> {
        text(name)?.parse().map_err(|_| corrupt(name))
    };
    let findings: String = text("findings")?;
    let rework = match row.try_get::<Option<String>, _>("rework_claim_id")? {
        Some(claim_id) => Some(Rework {
            claim_id,
            carc_codes: split_list(
                &row.try_get::<Option<String>, _>("rework_carc")?
                    .unwrap_or_default(),
            ),
            rarc_codes: split_list(
                &row.try_get::<Option<String>, _>("rework_rarc")?
                    .unwrap_or_default(),
            ),
            note: row
                .try_get::<Option<String>, _>("rework_note")?
                .unwrap_or_default(),
            requested_at: row
                .try_get::<Option<String>, _>("rework_requested_at")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Encounter {
        encounter_id: text("encounter_id")?,
        intake: NewEncounter {
            source_system: text("source_system")?,
            source_encounter_id: text("source_encounter_id")?,
            patient_mrn: text("patient_mrn")?,
            patient_age_years: u32::try_from(row.try_get::<i64, _>("patient_age_years")?)
                .map_err(|_| corrupt("age"))?,
            patient_sex: Sex::parse(&text("patient_sex")?).ok_or_else(|| corrupt("sex"))?,
            rendering_provider_npi: Npi::parse(&text("rendering_provider_npi")?)
                .map_err(|_| corrupt("NPI"))?,
            dos_start: date("dos_start")?,
            dos_end: date("dos_end")?,
            place_of_service: text("place_of_service")?,
            encounter_type: EncounterType::parse(&text("encounter_type")?)
                .ok_or_else(|| corrupt("encounter type"))?,
            documentation: text("documentation")?,
            proposed: Coding::default(),
            priority: Priority::Routine,
            payer_id: text("payer_id")?,
        },
        coding: Coding::default(),
        status: EncounterStatus::parse(&text("status")?).ok_or_else(|| corrupt("status"))?,
        priority: Priority::from_i64(row.try_get("priority")?)
            .ok_or_else(|| corrupt("priority"))?,
        assigned_coder: row.try_get("assigned_coder")?,
        findings: serde_json::from_str(&findings).map_err(|_| corrupt("findings"))?,
        queries: Vec::new(),
        rework,
        received_at: text("received_at")?,
        released_at: row.try_get("released_at")?,
        version: row.try_get::<i64, _>("version")? as u64,
        release_count: u32::try_from(row.try_get::<i64, _>("release_count")?).unwrap_or(0),
    })
}

/// Writes the mutable state of `encounter` if its stored version is still
/// `expected_version`, and bumps the version; returns false when another
/// change came first.
pub async fn update_state(
    conn: &mut AnyConnection,
    encounter: &Encounter,
    expected_version: u64,
    first_check_had_error: Option<bool>,
) -> Result<bool, sqlx::Error> {
    let findings =
        serde_json::to_string(&encounter.findings).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let rework = encounter.rework.as_ref();
    let updated = sqlx::query(
        "UPDATE encounters SET status = $1, priority = $2, assigned_coder = $3, released_at = $4, \
         version = version + 1, release_count = $5, findings = $6, \
         first_check_had_error = COALESCE(first_check_had_error, $7), \
         rework_claim_id = $8, rework_carc = $9, rework_rarc = $10, rework_note = $11, \
         rework_requested_at = $12 \
         WHERE encounter_id = $13 AND version = $14",
    )
    .bind(encounter.status.as_str())
    .bind(encounter.priority as i64)
    .bind(encounter.assigned_coder.as_deref())
    .bind(encounter.released_at.as_deref())
    .bind(i64::from(encounter.release_count))
    .bind(findings)
    .bind(first_check_had_error.map(i64::from))
    .bind(rework.map(|r| r.claim_id.as_str()))
    .bind(rework.map(|r| r.carc_codes.join(",")))
    .bind(rework.map(|r| r.rarc_codes.join(",")))
    .bind(rework.map(|r| r.note.as_str()))
    .bind(rework.map(|r| r.requested_at.as_str()))
    .bind(&encounter.encounter_id)
    .bind(expected_version as i64)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Assigns the highest-priority, oldest ready encounter to `coder` and
/// returns its id. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent
/// coders pass each other's candidates; on SQLite the single writer
/// serialises claims. The status test in the UPDATE makes a lost race
/// visible (no row) rather than a double assignment.
pub async fn claim_next(
    conn: &mut AnyConnection,
    backend: Backend,
    coder: &str,
    encounter_type: Option<EncounterType>,
    claimed_at: &str,
) -> Result<Option<String>, sqlx::Error> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE encounters SET status = 'in_progress', assigned_coder = $1, claimed_at = $2, \
         version = version + 1 \
         WHERE status = 'ready' AND encounter_id = (\
           SELECT encounter_id FROM encounters WHERE status = 'ready' \
           AND ($3 = '' OR encounter_type = $3) \
           ORDER BY priority DESC, received_at, encounter_id LIMIT 1{lock}) \
         RETURNING encounter_id"
    );
    sqlx::query(&sql)
        .bind(coder)
        .bind(claimed_at)
        .bind(encounter_type.map_or("", EncounterType::as_str))
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()
}

/// A page of the queue.
pub struct QueueFilter<'a> {
    /// Statuses to include; all when empty.
    pub statuses: &'a [EncounterStatus],
    /// Only this coder's; all when empty.
    pub assigned_coder: &'a str,
    /// Minimum priority.
    pub min_priority: Priority,
}

/// Ids in queue order (priority, then age), `limit` from `offset`.
pub async fn list_ids(
    conn: &mut AnyConnection,
    filter: &QueueFilter<'_>,
    offset: u64,
    limit: u32,
) -> Result<Vec<String>, sqlx::Error> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    // Statuses are a closed set of literals, never client text.
    let status_clause = if statuses.is_empty() {
        String::new()
    } else {
        format!(" AND status IN ('{}')", statuses.join("','"))
    };
    let sql = format!(
        "SELECT encounter_id FROM encounters WHERE priority >= $1 AND ($2 = '' OR assigned_coder = $2)\
         {status_clause} ORDER BY priority DESC, received_at, encounter_id LIMIT $3 OFFSET $4"
    );
    sqlx::query(&sql)
        .bind(filter.min_priority as i64)
        .bind(filter.assigned_coder)
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| r.try_get(0))
        .collect()
}

/// Records that `request`'s claim is sent back for re-coding; false when
/// that claim was reworked before.
pub async fn record_rework(
    conn: &mut AnyConnection,
    request: &super::service::ReviewRequest,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO encounter_reworks (encounter_id, claim_id, denial_id, requested_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (encounter_id, claim_id) DO NOTHING",
    )
    .bind(&request.encounter_id)
    .bind(&request.rework.claim_id)
    .bind(&request.denial_id)
    .bind(&request.rework.requested_at)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Adds a physician query.
pub async fn insert_query(
    conn: &mut AnyConnection,
    encounter_id: &str,
    query: &PhysicianQuery,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO encounter_queries (query_id, encounter_id, question, asked_by, asked_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&query.query_id)
    .bind(encounter_id)
    .bind(&query.question)
    .bind(&query.asked_by)
    .bind(&query.asked_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the answer to an open query; false when there is no such open
/// query on the encounter.
pub async fn answer_query(
    conn: &mut AnyConnection,
    encounter_id: &str,
    query_id: &str,
    answer: &str,
    answered_at: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE encounter_queries SET answer = $1, answered_at = $2 \
         WHERE query_id = $3 AND encounter_id = $4 AND answer IS NULL",
    )
    .bind(answer)
    .bind(answered_at)
    .bind(query_id)
    .bind(encounter_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

async fn queries(
    conn: &mut AnyConnection,
    encounter_id: &str,
) -> Result<Vec<PhysicianQuery>, sqlx::Error> {
    sqlx::query(
        "SELECT query_id, question, asked_by, asked_at, answer, answered_at \
         FROM encounter_queries WHERE encounter_id = $1 ORDER BY asked_at, query_id",
    )
    .bind(encounter_id)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(PhysicianQuery {
            query_id: r.try_get(0)?,
            question: r.try_get(1)?,
            asked_by: r.try_get(2)?,
            asked_at: r.try_get(3)?,
            answer: r.try_get(4)?,
            answered_at: r.try_get(5)?,
        })
    })
    .collect()
}
