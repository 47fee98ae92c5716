//! Persistence of encounters, their coding, physician queries and change
//! history. Writes are added to the caller's `Writes` (one statement on
//! PostgreSQL) or take a connection or transaction; the service layer
//! begins and commits, except for [`claim_next`], which commits its one
//! statement itself. Updates carry the version the caller read, so a
//! concurrent change is detected instead of overwritten.

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{CalendarDate, Npi, Redacted};
use medbill_platform::ServiceError;
use medbill_platform::db::{Backend, Database};
use medbill_platform::writes::Writes;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    Coding, Encounter, EncounterStatus, EncounterType, InpatientStay, NewEncounter, Priority,
    ReviewRequest, Rework, Sex,
};

mod coding;
mod queries;

pub use coding::{CodingKind, delete_coding, push_coding};
use coding::{corrupt, read_parts, split_list};
pub use queries::{answer_query, insert_query};

const COLUMNS: &str = "encounter_id, source_system, source_encounter_id, patient_mrn, \
    patient_age_years, patient_sex, rendering_provider_npi, dos_start, dos_end, place_of_service, \
    encounter_type, documentation, payer_id, facility_npi, status, priority, intake_priority, \
    assigned_coder, admission_hour, admission_type, admission_source, discharge_hour, \
    discharge_status, \
    received_at, released_at, version, release_count, findings, rework_claim_id, rework_carc, \
    rework_rarc, rework_note, rework_requested_at";

/// Adds to `w` the INSERT of a new encounter and its proposed coding. An
/// encounter whose source key exists already fails it with a unique
/// violation (`ALREADY_EXISTS`): the caller looks the existing one up.
pub fn push_insert(w: &mut Writes, encounter_id: &str, new: &NewEncounter, received_at: &str) {
    let stay = new.inpatient_stay.as_ref();
    w.push(
        "INSERT INTO encounters (encounter_id, source_system, source_encounter_id, patient_mrn, \
         patient_age_years, patient_sex, rendering_provider_npi, dos_start, dos_end, \
         place_of_service, encounter_type, documentation, payer_id, status, priority, \
         intake_priority, received_at, version, facility_npi, admission_hour, admission_type, \
         admission_source, discharge_hour, discharge_status) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
        vec![
            encounter_id.into(),
            (&new.source_system).into(),
            (&new.source_encounter_id).into(),
            new.patient_mrn.expose().into(),
            i64::from(new.patient_age_years).into(),
            new.patient_sex.as_str().into(),
            new.rendering_provider_npi.as_str().into(),
            new.dos_start.to_string().into(),
            new.dos_end.to_string().into(),
            (&new.place_of_service).into(),
            new.encounter_type.as_str().into(),
            new.documentation.expose().into(),
            (&new.payer_id).into(),
            (new.priority as i64).into(),
            (new.priority as i64).into(),
            received_at.into(),
            (&new.facility_npi).into(),
            stay.map(|s| i64::from(s.admission_hour)).into(),
            stay.map(|s| s.admission_type.as_str().to_string()).into(),
            stay.map(|s| s.admission_source.as_str().to_string()).into(),
            stay.map(|s| i64::from(s.discharge_hour)).into(),
            stay.map(|s| s.discharge_status.as_str().to_string()).into(),
        ],
    );
    push_coding(w, encounter_id, CodingKind::Proposed, &new.proposed);
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
    let parts = read_parts(conn, encounter_id).await?;
    encounter.intake.proposed = parts.proposed;
    encounter.coding = parts.coded;
    encounter.queries = parts.queries;
    Ok(Some(encounter))
}

/// The stay columns, written together: all NULL, or all set.
fn stay_of(row: &AnyRow) -> Result<Option<InpatientStay>, sqlx::Error> {
    let Some(admission_hour) = row.try_get::<Option<i64>, _>("admission_hour")? else {
        return Ok(None);
    };
    let hour = |name: &str, value: Option<i64>| {
        value
            .and_then(|h| u8::try_from(h).ok())
            .ok_or_else(|| corrupt(&format!("encounters.{name}")))
    };
    let text = |name: &str| -> Result<String, sqlx::Error> {
        row.try_get::<Option<String>, _>(name)?
            .ok_or_else(|| corrupt(&format!("encounters.{name}")))
    };
    Ok(Some(InpatientStay {
        admission_hour: hour("admission_hour", Some(admission_hour))?,
        admission_type: text("admission_type")?,
        admission_source: text("admission_source")?,
        discharge_hour: hour("discharge_hour", row.try_get("discharge_hour")?)?,
        discharge_status: text("discharge_status")?,
    }))
}

fn decode(row: &AnyRow) -> Result<Encounter, sqlx::Error> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let date = |name: &str| -> Result<CalendarDate, sqlx::Error> {
        text(name)?
            .parse()
            .map_err(|_| corrupt(&format!("encounters.{name}")))
    };
    let count = |name: &str| -> Result<u64, sqlx::Error> {
        u64::try_from(row.try_get::<i64, _>(name)?)
            .map_err(|_| corrupt(&format!("encounters.{name}")))
    };
    // The rework columns are written together (`push_update_state`): with a
    // claim id, each must be there.
    let rework_part = |name: &str| -> Result<String, sqlx::Error> {
        row.try_get::<Option<String>, _>(name)?
            .ok_or_else(|| corrupt(&format!("encounters.{name}")))
    };
    let findings: String = text("findings")?;
    let rework = match row.try_get::<Option<String>, _>("rework_claim_id")? {
        Some(claim_id) => Some(Rework {
            claim_id,
            carc_codes: split_list(&rework_part("rework_carc")?),
            rarc_codes: split_list(&rework_part("rework_rarc")?),
            note: rework_part("rework_note")?,
            requested_at: rework_part("rework_requested_at")?,
        }),
        None => None,
    };
    let priority = |name: &str| -> Result<Priority, sqlx::Error> {
        Priority::from_i64(row.try_get(name)?).ok_or_else(|| corrupt(&format!("encounters.{name}")))
    };
    Ok(Encounter {
        encounter_id: text("encounter_id")?,
        intake: NewEncounter {
            source_system: text("source_system")?,
            source_encounter_id: text("source_encounter_id")?,
            patient_mrn: Redacted::new(text("patient_mrn")?),
            patient_age_years: u32::try_from(row.try_get::<i64, _>("patient_age_years")?)
                .map_err(|_| corrupt("encounters.patient_age_years"))?,
            patient_sex: Sex::parse(&text("patient_sex")?)
                .ok_or_else(|| corrupt("encounters.patient_sex"))?,
            rendering_provider_npi: Npi::parse(&text("rendering_provider_npi")?)
                .map_err(|_| corrupt("encounters.rendering_provider_npi"))?,
            dos_start: date("dos_start")?,
            dos_end: date("dos_end")?,
            place_of_service: text("place_of_service")?,
            encounter_type: EncounterType::parse(&text("encounter_type")?)
                .ok_or_else(|| corrupt("encounters.encounter_type"))?,
            documentation: Redacted::new(text("documentation")?),
            proposed: Coding::default(),
            priority: priority("intake_priority")?,
            payer_id: text("payer_id")?,
            facility_npi: text("facility_npi")?,
            inpatient_stay: stay_of(row)?,
        },
        coding: Coding::default(),
        status: EncounterStatus::parse(&text("status")?)
            .ok_or_else(|| corrupt("encounters.status"))?,
        priority: priority("priority")?,
        assigned_coder: row.try_get("assigned_coder")?,
        findings: serde_json::from_str(&findings).map_err(|_| corrupt("encounters.findings"))?,
        queries: Vec::new(),
        rework,
        received_at: text("received_at")?,
        released_at: row.try_get("released_at")?,
        version: count("version")?,
        release_count: u32::try_from(count("release_count")?)
            .map_err(|_| corrupt("encounters.release_count"))?,
    })
}

/// Adds to `w` the UPDATE writing the mutable state of `encounter` if its
/// stored version is still `expected_version`, bumping the version. Added
/// last, its row count (0 when another change came first) is what
/// [`Writes::run`] answers.
pub fn push_update_state(
    w: &mut Writes,
    encounter: &Encounter,
    expected_version: u64,
    first_check_had_error: Option<bool>,
) -> Result<(), ServiceError> {
    let findings = serde_json::to_string(&encounter.findings)
        .map_err(|e| ServiceError::Internal(format!("findings do not encode: {e}")))?;
    let rework = encounter.rework.as_ref();
    w.push(
        "UPDATE encounters SET status = ?, priority = ?, assigned_coder = ?, released_at = ?, \
         version = version + 1, release_count = ?, findings = ?, \
         first_check_had_error = COALESCE(first_check_had_error, ?), \
         rework_claim_id = ?, rework_carc = ?, rework_rarc = ?, rework_note = ?, \
         rework_requested_at = ? \
         WHERE encounter_id = ? AND version = ?",
        vec![
            encounter.status.as_str().into(),
            (encounter.priority as i64).into(),
            encounter.assigned_coder.clone().into(),
            encounter.released_at.clone().into(),
            i64::from(encounter.release_count).into(),
            findings.into(),
            first_check_had_error.map(i64::from).into(),
            rework.map(|r| r.claim_id.clone()).into(),
            rework.map(|r| r.carc_codes.join(",")).into(),
            rework.map(|r| r.rarc_codes.join(",")).into(),
            rework.map(|r| r.note.clone()).into(),
            rework.map(|r| r.requested_at.clone()).into(),
            (&encounter.encounter_id).into(),
            (expected_version as i64).into(),
        ],
    );
    Ok(())
}

/// Assigns the highest-priority, oldest ready encounter to `coder`, records
/// the change (action `claimed`) and returns the encounter as
/// assigned. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent coders
/// pass each other's candidates, and the assignment and its history row
/// are one statement that commits alone; on SQLite the single writer
/// serialises claims, in a transaction. The status test in the UPDATE
/// makes a lost race visible (no row) rather than a double assignment. The
/// codings and queries are read after the assignment: only the assignee
/// changes them, and it has not been told yet.
pub async fn claim_next(
    db: &Database,
    coder: &str,
    encounter_type: Option<EncounterType>,
    claimed_at: &str,
) -> Result<Option<Encounter>, ServiceError> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claim = format!(
        "UPDATE encounters SET status = 'in_progress', assigned_coder = $1, claimed_at = $2, \
         version = version + 1 \
         WHERE status = 'ready' AND encounter_id = (\
           SELECT encounter_id FROM encounters WHERE status = 'ready' \
           AND ($3 = '' OR encounter_type = $3) \
           ORDER BY priority DESC, received_at, encounter_id LIMIT 1{lock}) \
         RETURNING {COLUMNS}"
    );
    let history = "INSERT INTO encounter_changes (change_id, encounter_id, actor, action, \
         at, detail) SELECT $4, encounter_id, $1, 'claimed', $2, '' FROM claimed";
    let kind = encounter_type.map_or("", EncounterType::as_str);
    let (row, mut conn) = match db.backend() {
        Backend::Postgres => {
            let sql =
                format!("WITH claimed AS ({claim}), recorded AS ({history}) SELECT * FROM claimed");
            let mut conn = db.pool().acquire().await?;
            let row = sqlx::query(&sql)
                .bind(coder)
                .bind(claimed_at)
                .bind(kind)
                .bind(new_uuid_v7())
                .fetch_optional(&mut *conn)
                .await?;
            (row, conn)
        }
        Backend::Sqlite => {
            let mut tx = db.begin().await?;
            let row = sqlx::query(&claim)
                .bind(coder)
                .bind(claimed_at)
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = &row {
                let encounter_id: String = row.try_get("encounter_id")?;
                let mut w = Writes::new();
                super::history::push(
                    &mut w,
                    &encounter_id,
                    coder,
                    "claimed",
                    None,
                    claimed_at,
                    "",
                )?;
                w.run(&mut tx).await?;
            }
            tx.commit().await?;
            (row, db.pool().acquire().await?)
        }
    };
    let Some(row) = row else { return Ok(None) };
    let mut encounter = decode(&row)?;
    let parts = read_parts(&mut conn, &encounter.encounter_id).await?;
    encounter.intake.proposed = parts.proposed;
    encounter.coding = parts.coded;
    encounter.queries = parts.queries;
    Ok(Some(encounter))
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
    request: &ReviewRequest,
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

#[cfg(test)]
mod tests {
    use medbill_platform::testing::TestDatabase;

    use super::*;
    use crate::encounters::domain::{Diagnosis, ProcedureLine};

    fn submitted(source_id: &str, priority: Priority) -> NewEncounter {
        let day: CalendarDate = "2026-06-01".parse().unwrap();
        NewEncounter {
            source_system: "ehr".into(),
            source_encounter_id: source_id.into(),
            patient_mrn: Redacted::new("MRN0001".into()),
            patient_age_years: 44,
            patient_sex: Sex::Female,
            rendering_provider_npi: Npi::parse("1234567893").unwrap(),
            dos_start: day,
            dos_end: day,
            place_of_service: "11".into(),
            encounter_type: EncounterType::Professional,
            documentation: Redacted::new("See note.".into()),
            proposed: Coding {
                diagnoses: vec![Diagnosis {
                    code: "J029".into(),
                    present_on_admission: String::new(),
                }],
                lines: vec![ProcedureLine {
                    code: "99213".into(),
                    modifiers: vec![],
                    units: 1,
                    diagnosis_pointers: vec![1],
                    date_of_service: day,
                    revenue_code: String::new(),
                }],
            },
            priority,
            payer_id: String::new(),
            facility_npi: String::new(),
            inpatient_stay: None,
        }
    }

    #[tokio::test]
    async fn the_intake_priority_reads_back_as_submitted() {
        let test_db = TestDatabase::sqlite();
        let db = test_db.connect(crate::MIGRATIONS).await;
        let mut conn = db.pool().acquire().await.unwrap();
        let new = submitted("E-1", Priority::High);
        let mut w = Writes::new();
        push_insert(&mut w, "e1", &new, "2026-06-01T08:00:00Z");
        assert_eq!(w.run(&mut conn).await.unwrap(), 1);
        let stored = load(&mut conn, "e1").await.unwrap().unwrap();
        assert_eq!(stored.intake.priority, Priority::High);
        assert_eq!(stored.priority, Priority::High);
    }

    #[tokio::test]
    async fn a_stored_value_that_does_not_decode_is_an_internal_error_naming_its_column() {
        let test_db = TestDatabase::sqlite();
        let db = test_db.connect(crate::MIGRATIONS).await;
        let mut conn = db.pool().acquire().await.unwrap();
        let corruptions = [
            (
                "UPDATE encounter_lines SET diagnosis_pointers = '1,x'",
                "encounter_lines.diagnosis_pointers",
            ),
            (
                "UPDATE encounter_lines SET units = 5000000000",
                "encounter_lines.units",
            ),
            (
                "UPDATE encounters SET dos_start = '2026-02-30'",
                "encounters.dos_start",
            ),
            (
                "UPDATE encounters SET release_count = -1",
                "encounters.release_count",
            ),
            (
                "UPDATE encounters SET rework_claim_id = 'claim-1'",
                "encounters.rework_carc",
            ),
        ];
        for (i, (corruption, column)) in corruptions.into_iter().enumerate() {
            let id = format!("e{i}");
            let new = submitted(&id, Priority::Routine);
            let mut w = Writes::new();
            push_insert(&mut w, &id, &new, "2026-06-01T08:00:00Z");
            w.run(&mut conn).await.unwrap();
            let sql = format!("{corruption} WHERE encounter_id = $1");
            // The CHECK constraints keep some corruptions out; drop them
            // where they would (SQLite checks priority, PostgreSQL too).
            if sqlx::query(&sql)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .is_err()
            {
                assert_eq!(column, "encounters.intake_priority", "{corruption}");
                continue;
            }
            let err = load(&mut conn, &id).await.unwrap_err();
            match ServiceError::from(err) {
                ServiceError::Internal(detail) => {
                    assert!(detail.contains(column), "{column}: {detail}")
                }
                other => panic!("{column}: {other:?}"),
            }
        }
    }
}
