//! Persistence of claims, their lines, findings and history, the releases
//! they are built from, and the counters that number them.

use medbill_kernel::{
    CalendarDate, ClaimId, DateRange, EncounterId, Money, PatientId, PayerId, Timestamp,
};
use medbill_platform::ServiceError;
use medbill_platform::db::{Backend, placeholders, value_rows};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    Adjudication, BalanceOwner, Claim, ClaimLine, ClaimState, ClaimType, Dimension, Frequency,
    Lifecycle, Submission, Transition,
};
use crate::charges::domain::{
    ChargeId, Diagnosis, EncounterType, InpatientStay, Procedure, diagnoses_text, parse_diagnoses,
};
use crate::charges::store::{STAY_COLUMNS, stay_of, stay_values};
use crate::registry::coverage::CoverageId;
use crate::scrubber::{Finding, Severity};
use medbill_platform::writes::{Value, Writes};

fn corrupt(what: &str, id: &str) -> ServiceError {
    ServiceError::Internal(format!("stored {what} {id} does not parse"))
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn joined<T: ToString>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

/// Takes the next value of counter `name` in the caller's transaction.
pub async fn next_number(conn: &mut AnyConnection, name: &str) -> Result<i64, ServiceError> {
    let value: i64 = sqlx::query_scalar(
        "UPDATE control_numbers SET last_value = last_value + 1 WHERE name = $1 RETURNING last_value",
    )
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok(value)
}

/// The next patient control number's counter value: a sequence on
/// PostgreSQL (no transaction waits for another), the counter row on SQLite
/// (which runs one writer at a time anyway).
pub async fn next_patient_control(conn: &mut AnyConnection) -> Result<i64, ServiceError> {
    if Backend::of_connection(conn) == Backend::Postgres {
        Ok(
            sqlx::query_scalar("SELECT nextval('patient_control_numbers')")
                .fetch_one(conn)
                .await?,
        )
    } else {
        next_number(conn, "patient_control").await
    }
}

/// A stored release, as claims need it.
#[derive(Debug, Clone)]
pub struct StoredRelease {
    /// The encounter.
    pub encounter_id: EncounterId,
    /// Its number.
    pub release_number: u32,
    /// The registered patient, if one had the MRN.
    pub patient_id: Option<PatientId>,
    /// Rendering provider NPI as coding sent it.
    pub rendering_provider_npi: String,
    /// Dates of service, if sent.
    pub dates: Option<DateRange>,
    /// Place of service.
    pub place_of_service: String,
    /// Encounter type.
    pub encounter_type: EncounterType,
    /// Its diagnoses, with coding's present-on-admission indicators.
    pub diagnoses: Vec<Diagnosis>,
    /// The claim coding said this release replaces; empty if none.
    pub replaces_claim_id: String,
    /// NPI of the service facility coding named; empty when none.
    pub facility_npi: String,
    /// The stay of an inpatient release.
    pub inpatient: Option<InpatientStay>,
    /// Its ICD-10-PCS procedures.
    pub procedures: Vec<Procedure>,
}

/// The release `release_number` of an encounter, or its latest when `None`.
pub async fn release(
    conn: &mut AnyConnection,
    encounter_id: &EncounterId,
    release_number: Option<u32>,
) -> Result<Option<StoredRelease>, ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT encounter_id, release_number, patient_id, rendering_provider_npi, \
         first_date_of_service, last_date_of_service, place_of_service, encounter_type, \
         diagnoses, present_on_admission, replaces_claim_id, facility_npi, {STAY_COLUMNS} \
         FROM released_encounters \
         WHERE encounter_id = $1 AND ($2 = 0 OR release_number = $2) \
         ORDER BY release_number DESC LIMIT 1"
    ))
    .bind(encounter_id.as_str())
    .bind(i64::from(release_number.unwrap_or(0)))
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let bad = || corrupt("release", encounter_id.as_str());
    let date = |col: &str| -> Result<Option<CalendarDate>, ServiceError> {
        let text: String = row.try_get(col)?;
        if text.is_empty() {
            Ok(None)
        } else {
            text.parse().map(Some).map_err(|_| bad())
        }
    };
    let dates = match date("first_date_of_service")? {
        Some(start) => {
            Some(DateRange::new(start, date("last_date_of_service")?).map_err(|_| bad())?)
        }
        None => None,
    };
    let patient_id: String = row.try_get("patient_id")?;
    let (inpatient, procedures) = stay_of(&row, bad)?;
    Ok(Some(StoredRelease {
        encounter_id: encounter_id.clone(),
        release_number: u32::try_from(row.try_get::<i64, _>("release_number")?)
            .map_err(|_| bad())?,
        patient_id: if patient_id.is_empty() {
            None
        } else {
            Some(PatientId::parse(&patient_id).map_err(|_| bad())?)
        },
        rendering_provider_npi: row.try_get("rendering_provider_npi")?,
        dates,
        place_of_service: row.try_get("place_of_service")?,
        encounter_type: EncounterType::parse(&row.try_get::<String, _>("encounter_type")?)
            .ok_or_else(bad)?,
        diagnoses: parse_diagnoses(
            &row.try_get::<String, _>("diagnoses")?,
            &row.try_get::<String, _>("present_on_admission")?,
        )
        .ok_or_else(bad)?,
        replaces_claim_id: row.try_get("replaces_claim_id")?,
        facility_npi: row.try_get("facility_npi")?,
        inpatient,
        procedures,
    }))
}

/// The encounter type of each of `releases` (encounter, release number)
/// that is stored, with one query per `FILL_CHUNK` encounters.
pub async fn encounter_types(
    conn: &mut AnyConnection,
    releases: &[(EncounterId, u32)],
) -> Result<std::collections::HashMap<(EncounterId, u32), EncounterType>, ServiceError> {
    let mut out = std::collections::HashMap::with_capacity(releases.len());
    let encounters: Vec<&EncounterId> = {
        let mut e: Vec<&EncounterId> = releases.iter().map(|(e, _)| e).collect();
        e.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        e.dedup();
        e
    };
    for chunk in encounters.chunks(FILL_CHUNK) {
        let sql = format!(
            "SELECT encounter_id, release_number, encounter_type FROM released_encounters \
             WHERE encounter_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query.bind(e.as_str().to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("encounter_id")?;
            let bad = || corrupt("release", &id);
            let encounter_id = EncounterId::parse(&id).map_err(|_| bad())?;
            let number =
                u32::try_from(row.try_get::<i64, _>("release_number")?).map_err(|_| bad())?;
            let kind = EncounterType::parse(&row.try_get::<String, _>("encounter_type")?)
                .ok_or_else(bad)?;
            out.insert((encounter_id, number), kind);
        }
    }
    out.retain(|key, _| releases.contains(key));
    Ok(out)
}

/// Stores a new claim, its lines, findings and the transitions that
/// created it, and, when `billed` names a release, marks that release's
/// charges as billed by it: one statement on PostgreSQL.
pub async fn insert_claim(
    conn: &mut AnyConnection,
    claim: &Claim,
    actor: &str,
    reason: &str,
    billed: Option<(&EncounterId, u32)>,
) -> Result<(), ServiceError> {
    let s = claim.state;
    let (codes, indicators) = diagnoses_text(&claim.diagnoses);
    let mut w = Writes::new();
    w.insert_rows(
        "claims",
        "claim_id, encounter_id, release_number, patient_id, coverage_id, payer_id, payer_rank, \
         claim_type, patient_control_number, frequency_code, replaces_claim_id, \
         payer_claim_number, billing_provider_npi, rendering_provider_npi, place_of_service, \
         type_of_bill, diagnoses, prior_authorization, total_charge, first_date_of_service, \
         last_date_of_service, submission, adjudication, balance_owner, lifecycle, batch_id, \
         created_at, submitted_at, paid, patient_responsibility, service_facility_npi, \
         admission_hour, admission_type, admission_source, discharge_hour, discharge_status, \
         procedures, present_on_admission",
        vec![
            [
                claim.claim_id.as_str().into(),
                claim.encounter_id.as_str().into(),
                i64::from(claim.release_number).into(),
                claim.patient_id.as_str().into(),
                claim.coverage_id.as_str().into(),
                claim.payer_id.as_str().into(),
                i64::from(claim.payer_rank).into(),
                claim.claim_type.as_str().into(),
                (&claim.patient_control_number).into(),
                claim.frequency.as_str().into(),
                claim
                    .replaces_claim_id
                    .as_ref()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default()
                    .into(),
                (&claim.payer_claim_number).into(),
                (&claim.billing_provider_npi).into(),
                (&claim.rendering_provider_npi).into(),
                (&claim.place_of_service).into(),
                (&claim.type_of_bill).into(),
                codes.into(),
                (&claim.prior_authorization).into(),
                claim.total_charge.cents().into(),
                claim.dates.start().to_string().into(),
                claim
                    .dates
                    .end()
                    .map(|d| d.to_string())
                    .unwrap_or_default()
                    .into(),
                s.submission.as_str().into(),
                s.adjudication.as_str().into(),
                s.balance_owner.as_str().into(),
                s.lifecycle.as_str().into(),
                (&claim.batch_id).into(),
                claim.created_at.to_string().into(),
                claim
                    .submitted_at
                    .map(|t| t.to_string())
                    .unwrap_or_default()
                    .into(),
                claim.paid.cents().into(),
                claim.patient_responsibility.cents().into(),
                (&claim.service_facility_npi).into(),
            ]
            .into_iter()
            .chain(stay_values(claim.inpatient.as_ref(), &claim.procedures))
            .chain([indicators.into()])
            .collect(),
        ],
    );
    w.insert_rows(
        "claim_lines",
        "claim_id, line_number, line_control_number, charge_id, code, modifiers, units, \
         charge, diagnosis_pointers, date_of_service, revenue_code, paid",
        claim
            .lines
            .iter()
            .map(|l| {
                vec![
                    claim.claim_id.as_str().into(),
                    i64::from(l.line_number).into(),
                    (&l.line_control_number).into(),
                    l.charge_id.as_str().into(),
                    (&l.code).into(),
                    l.modifiers.join(",").into(),
                    i64::from(l.units).into(),
                    l.charge.cents().into(),
                    joined(&l.diagnosis_pointers).into(),
                    l.date_of_service.to_string().into(),
                    (&l.revenue_code).into(),
                    l.paid.cents().into(),
                ]
            })
            .collect(),
    );
    finding_rows(&mut w, &claim.claim_id, &claim.findings);
    let at = claim.created_at.to_string();
    w.insert_rows(
        "claim_history",
        "claim_id, seq, at, actor, dimension, from_state, to_state, reason",
        creation_history(claim, actor, reason)
            .iter()
            .enumerate()
            .map(|(seq, t)| {
                vec![
                    claim.claim_id.as_str().into(),
                    (seq as i64 + 1).into(),
                    (&at).into(),
                    actor.into(),
                    t.dimension.as_str().into(),
                    "".into(),
                    (&t.to).into(),
                    reason.into(),
                ]
            })
            .collect(),
    );
    if let Some((encounter_id, release_number)) = billed {
        w.push(
            "UPDATE charges SET claim_id = ? WHERE encounter_id = ? AND release_number = ?",
            vec![
                claim.claim_id.as_str().into(),
                encounter_id.as_str().into(),
                i64::from(release_number).into(),
            ],
        );
    }
    w.run(conn).await.map(drop)
}

/// The transitions that created `claim`, as [`insert_claim`] records them.
pub fn creation_history(claim: &Claim, actor: &str, reason: &str) -> Vec<Transition> {
    let s = claim.state;
    [
        (Dimension::Submission, s.submission.as_str()),
        (Dimension::Adjudication, s.adjudication.as_str()),
        (Dimension::BalanceOwner, s.balance_owner.as_str()),
        (Dimension::Lifecycle, s.lifecycle.as_str()),
    ]
    .into_iter()
    .map(|(dimension, to)| Transition {
        dimension,
        from: String::new(),
        to: to.to_string(),
        actor: actor.to_string(),
        reason: reason.to_string(),
        at: claim.created_at,
    })
    .collect()
}

/// Replaces a claim's findings with those of its latest scrub.
pub async fn replace_findings(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    findings: &[Finding],
) -> Result<(), ServiceError> {
    sqlx::query("DELETE FROM claim_findings WHERE claim_id = $1")
        .bind(claim_id.as_str())
        .execute(&mut *conn)
        .await?;
    insert_findings(conn, claim_id, findings).await
}

/// Adds the INSERT of `findings` (none: nothing) to `w`.
fn finding_rows(w: &mut Writes, claim_id: &ClaimId, findings: &[Finding]) {
    w.insert_rows(
        "claim_findings",
        "claim_id, position, rule_id, severity, field, message, suggested_fix",
        findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    claim_id.as_str().into(),
                    Value::Int(i as i64),
                    (&f.rule_id).into(),
                    f.severity.as_str().into(),
                    (&f.field).into(),
                    (&f.message).into(),
                    (&f.suggested_fix).into(),
                ]
            })
            .collect(),
    );
}

async fn insert_findings(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    findings: &[Finding],
) -> Result<(), ServiceError> {
    let mut w = Writes::new();
    finding_rows(&mut w, claim_id, findings);
    w.run(conn).await.map(drop)
}

/// Moves several dimensions of one claim at once, each `(dimension, from,
/// to)`, and records each move, in one UPDATE and one INSERT when the
/// claim is in every `from`; otherwise dimension by dimension as
/// [`transition`] does (a dimension no longer in its `from` stays). A move
/// whose `from` is its `to` is no move.
pub async fn transition_all(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    moves: &[(Dimension, &str, &str)],
    cause: Cause<'_>,
) -> Result<(), ServiceError> {
    let moves: Vec<&(Dimension, &str, &str)> =
        moves.iter().filter(|(_, from, to)| from != to).collect();
    if moves.len() > 1 {
        let mut sets = Vec::new();
        let mut conditions = vec!["claim_id = $1".to_string()];
        for (i, (dimension, _, _)) in moves.iter().enumerate() {
            let column = dimension.as_str();
            sets.push(format!("{column} = ${}", 2 + 2 * i));
            conditions.push(format!("{column} = ${}", 3 + 2 * i));
        }
        let sql = format!(
            "UPDATE claims SET {} WHERE {}",
            sets.join(", "),
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&sql).bind(claim_id.as_str());
        for (_, from, to) in &moves {
            query = query.bind(*to).bind(*from);
        }
        if query.execute(&mut *conn).await?.rows_affected() == 1 {
            // Ordinals as literals: each row's seq is the claim's last + n.
            let rows: Vec<String> = (0..moves.len())
                .map(|i| {
                    format!(
                        "({}, ${}, ${}, ${})",
                        i + 1,
                        5 + 3 * i,
                        6 + 3 * i,
                        7 + 3 * i
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO claim_history (claim_id, seq, at, actor, dimension, from_state, \
                 to_state, reason) SELECT $1, (SELECT COALESCE(MAX(seq), 0) FROM claim_history \
                 WHERE claim_id = $1) + v.column1, $2, $3, v.column2, v.column3, v.column4, $4 \
                 FROM (VALUES {}) AS v",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql)
                .bind(claim_id.as_str())
                .bind(cause.at.to_string())
                .bind(cause.actor)
                .bind(cause.reason);
            for (dimension, from, to) in &moves {
                query = query.bind(dimension.as_str()).bind(*from).bind(*to);
            }
            query.execute(&mut *conn).await?;
            return Ok(());
        }
    }
    for (dimension, from, to) in moves {
        transition(conn, claim_id, *dimension, from, to, cause).await?;
    }
    Ok(())
}

/// Records one move of `dimension` from `from` to `to` for each of
/// `moves` (a claim and its reason), with one INSERT per `FILL_CHUNK`
/// claims. Each claim appears once; its row takes the claim's next `seq`,
/// read after the caller's UPDATE locked the claim row.
async fn record_many(
    conn: &mut AnyConnection,
    dimension: Dimension,
    from: &str,
    to: &str,
    (actor, at): (&str, Timestamp),
    moves: &[(&ClaimId, &str)],
) -> Result<(), ServiceError> {
    let at = at.to_string();
    for chunk in moves.chunks(FILL_CHUNK) {
        let sql = format!(
            "INSERT INTO claim_history (claim_id, seq, at, actor, dimension, from_state, \
             to_state, reason) SELECT v.column1, COALESCE((SELECT MAX(h.seq) FROM claim_history h \
             WHERE h.claim_id = v.column1), 0) + 1, $1, $2, $3, $4, $5, v.column2 \
             FROM (VALUES {}) AS v",
            value_rows(6, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql)
            .bind(&at)
            .bind(actor)
            .bind(dimension.as_str())
            .bind(from)
            .bind(to);
        for (claim_id, reason) in chunk {
            query = query.bind(claim_id.as_str()).bind(*reason);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves `dimension` of each of `moves` (a claim and its reason) from
/// `from` to `to` and records each move, with one UPDATE and one INSERT per
/// `FILL_CHUNK` claims, by `actor` at `at`; returns the claims moved, in
/// the order of `moves`. A claim no longer in `from` is left out, as
/// [`transition`] leaves it; a claim named twice moves once, for its first
/// reason.
pub async fn transition_many(
    conn: &mut AnyConnection,
    dimension: Dimension,
    from: &str,
    to: &str,
    (actor, at): (&str, Timestamp),
    moves: &[(ClaimId, String)],
) -> Result<Vec<ClaimId>, ServiceError> {
    let column = dimension.as_str();
    let mut seen = std::collections::HashSet::with_capacity(moves.len());
    let moves: Vec<&(ClaimId, String)> = moves
        .iter()
        .filter(|(id, _)| seen.insert(id.as_str()))
        .collect();
    let mut moved = std::collections::HashSet::with_capacity(moves.len());
    for chunk in moves.chunks(FILL_CHUNK) {
        let sql = format!(
            "UPDATE claims SET {column} = $1 WHERE {column} = $2 AND claim_id IN ({}) \
             RETURNING claim_id",
            placeholders(3, chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(to).bind(from);
        for (id, _) in chunk {
            query = query.bind(id.as_str());
        }
        moved.extend(query.fetch_all(&mut *conn).await?);
    }
    let recorded: Vec<(&ClaimId, &str)> = moves
        .iter()
        .filter(|(id, _)| moved.contains(id.as_str()))
        .map(|(id, reason)| (id, reason.as_str()))
        .collect();
    record_many(conn, dimension, from, to, (actor, at), &recorded).await?;
    Ok(recorded.into_iter().map(|(id, _)| id.clone()).collect())
}

/// Who changes a claim and why.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    /// The user or service.
    pub actor: &'a str,
    /// Why.
    pub reason: &'a str,
    /// When.
    pub at: Timestamp,
}

/// Moves one dimension of a claim from `from` to `to` and records it;
/// `false` (nothing changed) when the claim was no longer in `from`.
pub async fn transition(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    dimension: Dimension,
    from: &str,
    to: &str,
    cause: Cause<'_>,
) -> Result<bool, ServiceError> {
    if from == to {
        return Ok(true);
    }
    let moves = [(claim_id.clone(), cause.reason.to_string())];
    let moved = transition_many(conn, dimension, from, to, (cause.actor, cause.at), &moves).await?;
    Ok(!moved.is_empty())
}

/// Moves the READY claims among `ids` to SUBMITTED in `batch_id` (sent at
/// `cause.at`) with one UPDATE per `FILL_CHUNK` and records each move;
/// returns the claims taken, in the order of `ids`. A claim a concurrent
/// batch took first is no longer READY and is left out. The batch and the
/// time are set by the same UPDATE as the status: each write of a claim row
/// renews every index entry of it (the status is indexed).
pub async fn take_ready(
    conn: &mut AnyConnection,
    ids: &[ClaimId],
    batch_id: &str,
    cause: Cause<'_>,
) -> Result<Vec<ClaimId>, ServiceError> {
    let (from, to) = (Submission::Ready.as_str(), Submission::Submitted.as_str());
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let ids: Vec<&ClaimId> = ids.iter().filter(|id| seen.insert(id.as_str())).collect();
    let at = cause.at.to_string();
    let mut moved = std::collections::HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(FILL_CHUNK) {
        let sql = format!(
            "UPDATE claims SET submission = $1, batch_id = $3, submitted_at = $4 \
             WHERE submission = $2 AND claim_id IN ({}) RETURNING claim_id",
            placeholders(5, chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql)
            .bind(to)
            .bind(from)
            .bind(batch_id)
            .bind(&at);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        moved.extend(query.fetch_all(&mut *conn).await?);
    }
    let taken: Vec<(&ClaimId, &str)> = ids
        .into_iter()
        .filter(|id| moved.contains(id.as_str()))
        .map(|id| (id, cause.reason))
        .collect();
    record_many(
        conn,
        Dimension::Submission,
        from,
        to,
        (cause.actor, cause.at),
        &taken,
    )
    .await?;
    Ok(taken.into_iter().map(|(id, _)| id.clone()).collect())
}

/// The batch that last carried each of `ids` and when (empty texts for a
/// claim never sent), by claim id.
pub async fn last_batches(
    conn: &mut AnyConnection,
    ids: &[ClaimId],
) -> Result<std::collections::HashMap<String, (String, String)>, ServiceError> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(FILL_CHUNK) {
        let sql = format!(
            "SELECT claim_id, batch_id, submitted_at FROM claims WHERE claim_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(
                row.try_get("claim_id")?,
                (row.try_get("batch_id")?, row.try_get("submitted_at")?),
            );
        }
    }
    Ok(found)
}

/// The claims `ids` with their lines and findings, in the order of `ids`;
/// `NOT_FOUND` names the first missing one.
pub async fn require_claims(
    conn: &mut AnyConnection,
    ids: &[ClaimId],
) -> Result<Vec<Claim>, ServiceError> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(FILL_CHUNK) {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let claim = claim_of(&row)?;
            found.insert(claim.claim_id.as_str().to_string(), claim);
        }
    }
    let mut claims = ids
        .iter()
        .map(|id| {
            found
                .remove(id.as_str())
                .ok_or_else(|| ServiceError::not_found("claim", id.as_str()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    fill_all(conn, &mut claims).await?;
    Ok(claims)
}

/// Records a prior authorization number on a claim.
pub async fn set_prior_authorization(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    number: &str,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE claims SET prior_authorization = $1 WHERE claim_id = $2")
        .bind(number)
        .bind(claim_id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the batch that carried a claim and when (as stored: empty texts
/// for a claim never sent).
pub async fn set_submitted(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    batch_id: &str,
    at: &str,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE claims SET batch_id = $1, submitted_at = $2 WHERE claim_id = $3")
        .bind(batch_id)
        .bind(at)
        .bind(claim_id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

const CLAIM_COLUMNS: &str = "claim_id, encounter_id, release_number, patient_id, coverage_id, \
    payer_id, payer_rank, claim_type, patient_control_number, frequency_code, replaces_claim_id, \
    payer_claim_number, billing_provider_npi, rendering_provider_npi, place_of_service, \
    type_of_bill, diagnoses, prior_authorization, total_charge, first_date_of_service, \
    last_date_of_service, submission, adjudication, balance_owner, lifecycle, batch_id, \
    created_at, submitted_at, paid, patient_responsibility, service_facility_npi, \
    admission_hour, admission_type, admission_source, discharge_hour, discharge_status, procedures, \
    present_on_admission";

fn claim_of(row: &AnyRow) -> Result<Claim, ServiceError> {
    let id: String = row.try_get("claim_id")?;
    let bad = || corrupt("claim", &id);
    let text = |col: &str| -> Result<String, ServiceError> { Ok(row.try_get(col)?) };
    let date = |col: &str| -> Result<Option<CalendarDate>, ServiceError> {
        let t = text(col)?;
        if t.is_empty() {
            Ok(None)
        } else {
            t.parse().map(Some).map_err(|_| bad())
        }
    };
    let start = date("first_date_of_service")?.ok_or_else(bad)?;
    let (inpatient, procedures) = stay_of(row, bad)?;
    let replaces = text("replaces_claim_id")?;
    let submitted_at = text("submitted_at")?;
    Ok(Claim {
        claim_id: ClaimId::parse(&id).map_err(|_| bad())?,
        encounter_id: EncounterId::parse(&text("encounter_id")?).map_err(|_| bad())?,
        release_number: u32::try_from(row.try_get::<i64, _>("release_number")?)
            .map_err(|_| bad())?,
        patient_id: PatientId::parse(&text("patient_id")?).map_err(|_| bad())?,
        coverage_id: CoverageId::parse(&text("coverage_id")?).map_err(|_| bad())?,
        payer_id: PayerId::parse(&text("payer_id")?).map_err(|_| bad())?,
        payer_rank: u8::try_from(row.try_get::<i64, _>("payer_rank")?).map_err(|_| bad())?,
        claim_type: ClaimType::parse(&text("claim_type")?).ok_or_else(bad)?,
        patient_control_number: text("patient_control_number")?,
        frequency: Frequency::parse(&text("frequency_code")?).ok_or_else(bad)?,
        replaces_claim_id: if replaces.is_empty() {
            None
        } else {
            Some(ClaimId::parse(&replaces).map_err(|_| bad())?)
        },
        payer_claim_number: text("payer_claim_number")?,
        billing_provider_npi: text("billing_provider_npi")?,
        rendering_provider_npi: text("rendering_provider_npi")?,
        service_facility_npi: text("service_facility_npi")?,
        inpatient,
        procedures,
        place_of_service: text("place_of_service")?,
        type_of_bill: text("type_of_bill")?,
        diagnoses: parse_diagnoses(&text("diagnoses")?, &text("present_on_admission")?)
            .ok_or_else(bad)?,
        prior_authorization: text("prior_authorization")?,
        total_charge: Money::from_cents(row.try_get("total_charge")?),
        dates: DateRange::new(start, date("last_date_of_service")?).map_err(|_| bad())?,
        state: ClaimState {
            submission: Submission::parse(&text("submission")?).ok_or_else(bad)?,
            adjudication: Adjudication::parse(&text("adjudication")?).ok_or_else(bad)?,
            balance_owner: BalanceOwner::parse(&text("balance_owner")?).ok_or_else(bad)?,
            lifecycle: Lifecycle::parse(&text("lifecycle")?).ok_or_else(bad)?,
        },
        batch_id: text("batch_id")?,
        created_at: Timestamp::parse(&text("created_at")?).ok_or_else(bad)?,
        submitted_at: if submitted_at.is_empty() {
            None
        } else {
            Some(Timestamp::parse(&submitted_at).ok_or_else(bad)?)
        },
        paid: Money::from_cents(row.try_get("paid")?),
        patient_responsibility: Money::from_cents(row.try_get("patient_responsibility")?),
        lines: Vec::new(),
        findings: Vec::new(),
    })
}

async fn fill(conn: &mut AnyConnection, claim: &mut Claim) -> Result<(), ServiceError> {
    fill_all(conn, std::slice::from_mut(claim)).await
}

/// Claims per `IN (…)` list when lines and findings are read for many.
const FILL_CHUNK: usize = 200;

/// Reads the lines and findings of `claims`: one query per table for up
/// to `FILL_CHUNK` claims, not two per claim.
async fn fill_all(conn: &mut AnyConnection, claims: &mut [Claim]) -> Result<(), ServiceError> {
    for chunk in claims.chunks_mut(FILL_CHUNK) {
        let index: std::collections::HashMap<String, usize> = chunk
            .iter()
            .enumerate()
            .map(|(i, c)| (c.claim_id.as_str().to_string(), i))
            .collect();
        let places = placeholders(1, chunk.len());
        let lines_sql = format!(
            "SELECT claim_id, line_number, line_control_number, charge_id, code, modifiers, \
             units, charge, diagnosis_pointers, date_of_service, revenue_code, paid \
             FROM claim_lines WHERE claim_id IN ({places}) ORDER BY claim_id, line_number"
        );
        let findings_sql = format!(
            "SELECT claim_id, rule_id, severity, field, message, suggested_fix \
             FROM claim_findings WHERE claim_id IN ({places}) ORDER BY claim_id, position"
        );
        for claim in chunk.iter_mut() {
            claim.lines.clear();
            claim.findings.clear();
        }
        let mut query = sqlx::query(&lines_sql);
        for claim in chunk.iter() {
            query = query.bind(claim.claim_id.as_str());
        }
        for r in query.fetch_all(&mut *conn).await? {
            let id: String = r.try_get("claim_id")?;
            let claim = index.get(&id).map(|&i| &mut chunk[i]);
            let claim = claim.ok_or_else(|| corrupt("claim line", &id))?;
            claim.lines.push(line_of(&r, &id)?);
        }
        let mut query = sqlx::query(&findings_sql);
        for claim in chunk.iter() {
            query = query.bind(claim.claim_id.as_str());
        }
        for r in query.fetch_all(&mut *conn).await? {
            let id: String = r.try_get("claim_id")?;
            let claim = index.get(&id).map(|&i| &mut chunk[i]);
            let claim = claim.ok_or_else(|| corrupt("claim finding", &id))?;
            claim.findings.push(Finding {
                rule_id: r.try_get("rule_id")?,
                severity: Severity::parse(&r.try_get::<String, _>("severity")?)
                    .ok_or_else(|| corrupt("claim finding", &id))?,
                field: r.try_get("field")?,
                message: r.try_get("message")?,
                suggested_fix: r.try_get("suggested_fix")?,
            });
        }
    }
    Ok(())
}

/// One `claim_lines` row of claim `id`.
fn line_of(r: &AnyRow, id: &str) -> Result<ClaimLine, ServiceError> {
    let bad = || corrupt("claim line", id);
    Ok(ClaimLine {
        line_number: u32::try_from(r.try_get::<i64, _>("line_number")?).map_err(|_| bad())?,
        line_control_number: r.try_get("line_control_number")?,
        charge_id: ChargeId::parse(&r.try_get::<String, _>("charge_id")?).map_err(|_| bad())?,
        code: r.try_get("code")?,
        modifiers: split(&r.try_get::<String, _>("modifiers")?),
        units: u32::try_from(r.try_get::<i64, _>("units")?).map_err(|_| bad())?,
        charge: Money::from_cents(r.try_get("charge")?),
        diagnosis_pointers: split(&r.try_get::<String, _>("diagnosis_pointers")?)
            .iter()
            .map(|p| p.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?,
        date_of_service: r
            .try_get::<String, _>("date_of_service")?
            .parse()
            .map_err(|_| bad())?,
        revenue_code: r.try_get("revenue_code")?,
        paid: Money::from_cents(r.try_get("paid")?),
    })
}

/// The claim `claim_id` with its lines and findings.
pub async fn claim(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<Claim>, ServiceError> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id = $1");
    let row = sqlx::query(&sql)
        .bind(claim_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut claim = claim_of(&row)?;
    fill(conn, &mut claim).await?;
    Ok(Some(claim))
}

/// The claim `claim_id`, or `NOT_FOUND`.
pub async fn require_claim(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Claim, ServiceError> {
    claim(conn, claim_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("claim", claim_id.as_str()))
}

/// The claim with patient control number `pcn`, if any.
pub async fn claim_by_control_number(
    conn: &mut AnyConnection,
    pcn: &str,
) -> Result<Option<ClaimId>, ServiceError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT claim_id FROM claims WHERE patient_control_number = $1")
            .bind(pcn)
            .fetch_optional(conn)
            .await?;
    id.map(|id| ClaimId::parse(&id).map_err(|_| corrupt("claim", &id)))
        .transpose()
}

/// Where a claim stands on its way to the payer, read by its patient
/// control number.
#[derive(Debug, Clone)]
pub struct SentClaim {
    /// The claim.
    pub claim_id: ClaimId,
    /// Its submission status.
    pub submission: Submission,
    /// The last batch that carried it.
    pub batch_id: String,
}

/// The claims of `pcns` (patient control numbers), by control number, with
/// one query per `FILL_CHUNK`; a number of no claim is absent.
pub async fn sent_claims(
    conn: &mut AnyConnection,
    pcns: &[&str],
) -> Result<std::collections::HashMap<String, SentClaim>, ServiceError> {
    let mut found = std::collections::HashMap::with_capacity(pcns.len());
    for chunk in pcns.chunks(FILL_CHUNK) {
        let sql = format!(
            "SELECT patient_control_number, claim_id, submission, batch_id FROM claims \
             WHERE patient_control_number IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for pcn in chunk {
            query = query.bind(*pcn);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("claim_id")?;
            let claim_id = ClaimId::parse(&id).map_err(|_| corrupt("claim", &id))?;
            let submission = Submission::parse(&row.try_get::<String, _>("submission")?)
                .ok_or_else(|| corrupt("claim", &id))?;
            found.insert(
                row.try_get("patient_control_number")?,
                SentClaim {
                    claim_id,
                    submission,
                    batch_id: row.try_get("batch_id")?,
                },
            );
        }
    }
    Ok(found)
}

/// The transitions of a claim, oldest first.
pub async fn history(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Vec<Transition>, ServiceError> {
    let rows = sqlx::query(
        "SELECT at, actor, dimension, from_state, to_state, reason FROM claim_history \
         WHERE claim_id = $1 ORDER BY seq",
    )
    .bind(claim_id.as_str())
    .fetch_all(conn)
    .await?;
    let bad = || corrupt("claim history of", claim_id.as_str());
    rows.iter()
        .map(|r| {
            Ok(Transition {
                dimension: Dimension::parse(&r.try_get::<String, _>("dimension")?)
                    .ok_or_else(bad)?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                actor: r.try_get("actor")?,
                reason: r.try_get("reason")?,
                at: Timestamp::parse(&r.try_get::<String, _>("at")?).ok_or_else(bad)?,
            })
        })
        .collect()
}

/// Which claims a list asks for.
#[derive(Debug, Default)]
pub struct ClaimFilter {
    /// Only claims in one of these submission states (any when empty).
    pub submissions: Vec<Submission>,
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Only this payer's.
    pub payer_id: Option<PayerId>,
    /// Only this encounter's.
    pub encounter_id: Option<EncounterId>,
    /// Only claims of this type.
    pub claim_type: Option<ClaimType>,
    /// Only standing claims (not replaced or voided).
    pub active_only: bool,
}

/// Claims matching `filter`, newest first, before the id `before` (the last
/// one of the previous page). Only the filter's own conditions go into the
/// statement, so each can use its index (a catch-all `$1 = '' OR ...` keeps
/// PostgreSQL's generic plan of a prepared statement off them).
pub async fn claims(
    conn: &mut AnyConnection,
    filter: &ClaimFilter,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Claim>, ServiceError> {
    let mut texts: Vec<&str> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let equals = [
        ("patient_id", filter.patient_id.as_ref().map(|p| p.as_str())),
        ("payer_id", filter.payer_id.as_ref().map(|p| p.as_str())),
        (
            "encounter_id",
            filter.encounter_id.as_ref().map(|e| e.as_str()),
        ),
        ("claim_type", filter.claim_type.map(|t| t.as_str())),
    ];
    for (column, value) in equals {
        if let Some(value) = value {
            texts.push(value);
            conditions.push(format!("{column} = ${}", texts.len()));
        }
    }
    if filter.active_only {
        conditions.push("lifecycle = 'active'".to_string());
    }
    if !filter.submissions.is_empty() {
        let mut places = Vec::new();
        for submission in &filter.submissions {
            texts.push(submission.as_str());
            places.push(format!("${}", texts.len()));
        }
        conditions.push(format!("submission IN ({})", places.join(", ")));
    }
    if let Some(before) = before.filter(|b| !b.is_empty()) {
        texts.push(before);
        conditions.push(format!("claim_id < ${}", texts.len()));
    }
    let filtered = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {CLAIM_COLUMNS} FROM claims{filtered} ORDER BY claim_id DESC LIMIT ${}",
        texts.len() + 1
    );
    let mut query = sqlx::query(&sql);
    for text in texts {
        query = query.bind(text);
    }
    let rows = query.bind(limit).fetch_all(&mut *conn).await?;
    let mut claims = rows.iter().map(claim_of).collect::<Result<Vec<_>, _>>()?;
    fill_all(conn, &mut claims).await?;
    Ok(claims)
}

/// Standing claims of an encounter at a payer rank, newest first.
pub async fn standing_claims(
    conn: &mut AnyConnection,
    encounter_id: &EncounterId,
    payer_rank: u8,
) -> Result<Vec<Claim>, ServiceError> {
    let sql = format!(
        "SELECT {CLAIM_COLUMNS} FROM claims WHERE encounter_id = $1 AND payer_rank = $2 \
         AND lifecycle = 'active' ORDER BY claim_id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(encounter_id.as_str())
        .bind(i64::from(payer_rank))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(claim_of).collect()
}

/// For each of `claims`, the active claims (not voids) of another
/// encounter to the same payer rank for the same patient, rendering
/// provider and dates with the same codes, modifiers and days: duplicates.
/// The candidates of all are read with one query per `FILL_CHUNK` claims.
pub async fn duplicates_of_each(
    conn: &mut AnyConnection,
    claims: &[&Claim],
) -> Result<Vec<Vec<ClaimId>>, ServiceError> {
    let keys: std::collections::BTreeSet<(&str, String)> = claims
        .iter()
        .map(|c| (c.patient_id.as_str(), c.dates.start().to_string()))
        .collect();
    let keys: Vec<(&str, String)> = keys.into_iter().collect();
    let mut candidates = Vec::new();
    for chunk in keys.chunks(FILL_CHUNK) {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE (patient_id, first_date_of_service) \
             IN (VALUES {}) AND lifecycle = 'active' AND frequency_code <> '8'",
            value_rows(1, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (patient, day) in chunk {
            query = query.bind(*patient).bind(day);
        }
        for row in query.fetch_all(&mut *conn).await? {
            candidates.push(claim_of(&row)?);
        }
    }
    let same_visit = |claim: &Claim, other: &Claim| {
        other.patient_id == claim.patient_id
            && other.dates.start() == claim.dates.start()
            && other.rendering_provider_npi == claim.rendering_provider_npi
            && other.encounter_id != claim.encounter_id
            && other.claim_id != claim.claim_id
            && other.payer_rank == claim.payer_rank
    };
    // Only candidates of some claim's visit need their lines.
    candidates.retain(|other| claims.iter().any(|c| same_visit(c, other)));
    fill_all(conn, &mut candidates).await?;
    let key = |c: &Claim| {
        let mut codes: Vec<(String, String, CalendarDate)> = c
            .lines
            .iter()
            .map(|l| (l.code.clone(), l.modifiers.join(","), l.date_of_service))
            .collect();
        codes.sort();
        codes
    };
    Ok(claims
        .iter()
        .map(|claim| {
            let wanted = key(claim);
            candidates
                .iter()
                .filter(|other| {
                    same_visit(claim, other) && other.dates == claim.dates && key(other) == wanted
                })
                .map(|other| other.claim_id.clone())
                .collect()
        })
        .collect())
}

/// Ids of READY standing claims of `claim_type` (to one payer when given),
/// oldest first.
pub async fn ready_claims(
    conn: &mut AnyConnection,
    claim_type: ClaimType,
    payer_id: Option<&PayerId>,
    limit: i64,
) -> Result<Vec<ClaimId>, ServiceError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT claim_id FROM claims WHERE submission = 'ready' AND lifecycle = 'active' \
         AND claim_type = $1 AND ($2 = '' OR payer_id = $2) ORDER BY claim_id LIMIT $3",
    )
    .bind(claim_type.as_str())
    .bind(payer_id.map(|p| p.as_str()).unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    ids.iter()
        .map(|id| ClaimId::parse(id).map_err(|_| corrupt("claim", id)))
        .collect()
}
