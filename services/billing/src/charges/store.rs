//! Persistence of releases and their charges.

use medbill_kernel::{EncounterId, Money, PatientId, Timestamp};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    Charge, ChargeId, ChargeOutcome, InpatientStay, Procedure, Release, diagnoses_text,
    parse_procedures, procedures_text,
};
use crate::pricing::domain::HoldReason;
use medbill_platform::writes::{self, Value, Writes};

fn corrupt(id: &str) -> ServiceError {
    ServiceError::Internal(format!("stored charge {id} does not parse"))
}

fn joined<T: ToString>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the release row records besides the release itself.
pub struct ReleaseContext<'a> {
    /// The registered patient, if any.
    pub patient_id: Option<&'a PatientId>,
    /// The payer whose schedule priced it, if any.
    pub payer_id: Option<&'a str>,
    /// The event that brought it.
    pub event_id: &'a str,
    /// When billing received it.
    pub received_at: Timestamp,
}

/// Stores a release unless it is stored already; whether it was stored.
pub async fn insert_release(
    conn: &mut AnyConnection,
    release: &Release,
    context: &ReleaseContext<'_>,
) -> Result<bool, ServiceError> {
    let dates = release.dates_of_service;
    let (codes, indicators) = diagnoses_text(&release.diagnoses);
    let q = sqlx::query(
        "INSERT INTO released_encounters (encounter_id, release_number, patient_mrn, patient_id, \
         payer_id, rendering_provider_npi, first_date_of_service, last_date_of_service, \
         place_of_service, encounter_type, diagnoses, replaces_claim_id, event_id, received_at, \
         facility_npi, present_on_admission, admission_hour, admission_type, admission_source, \
         discharge_hour, discharge_status, procedures) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22) ON CONFLICT (encounter_id, release_number) DO NOTHING",
    )
    .bind(release.encounter_id.as_str())
    .bind(i64::from(release.release_number))
    .bind(release.patient_mrn.expose())
    .bind(
        context
            .patient_id
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    )
    .bind(context.payer_id.unwrap_or_default())
    .bind(&release.rendering_provider_npi)
    .bind(dates.map(|d| d.start().to_string()).unwrap_or_default())
    .bind(
        dates
            .and_then(|d| d.end())
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )
    .bind(&release.place_of_service)
    .bind(release.encounter_type.as_str())
    .bind(codes)
    .bind(&release.replaces_claim_id)
    .bind(context.event_id)
    .bind(context.received_at.to_string())
    .bind(&release.facility_npi)
    .bind(indicators);
    let q = stay_values(release.inpatient.as_ref(), &release.procedures)
        .into_iter()
        .fold(q, writes::bind);
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Stores the charges of a release.
pub async fn insert_charges(
    conn: &mut AnyConnection,
    charges: &[Charge],
) -> Result<(), ServiceError> {
    // One statement per 500 charges (15 values each, well under either
    // database's limit of bound values).
    for chunk in charges.chunks(500) {
        let rows = chunk
            .iter()
            .map(|c| {
                let (status, amount, reason, revenue_code) = match &c.outcome {
                    ChargeOutcome::Priced {
                        amount,
                        revenue_code,
                    } => ("priced", Some(amount.cents()), "", revenue_code.as_str()),
                    ChargeOutcome::Held(reason) => ("held", None, reason.as_str(), ""),
                };
                vec![
                    c.charge_id.as_str().into(),
                    c.encounter_id.as_str().into(),
                    i64::from(c.release_number).into(),
                    i64::from(c.line_number).into(),
                    c.patient_id
                        .as_ref()
                        .map(|p| p.as_str())
                        .unwrap_or_default()
                        .into(),
                    c.code.as_str().into(),
                    c.modifiers.join(",").into(),
                    i64::from(c.units).into(),
                    joined(&c.diagnosis_pointers).into(),
                    c.date_of_service
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                        .into(),
                    status.into(),
                    amount.into(),
                    reason.into(),
                    revenue_code.into(),
                    c.claim_id.clone().into(),
                ]
            })
            .collect();
        let mut writes = Writes::new();
        writes.insert_rows(
            "charges",
            "charge_id, encounter_id, release_number, line_number, patient_id, code, \
             modifiers, units, diagnosis_pointers, date_of_service, status, amount, \
             hold_reason, revenue_code, claim_id",
            rows,
        );
        writes.run(&mut *conn).await?;
    }
    Ok(())
}

fn charge_of(row: &AnyRow) -> Result<Charge, ServiceError> {
    let id: String = row.try_get("charge_id")?;
    let bad = || corrupt(&id);
    let status: String = row.try_get("status")?;
    let outcome = match status.as_str() {
        "priced" => ChargeOutcome::Priced {
            amount: Money::from_cents(row.try_get::<Option<i64>, _>("amount")?.ok_or_else(bad)?),
            revenue_code: row.try_get("revenue_code")?,
        },
        "held" => ChargeOutcome::Held(
            HoldReason::parse(&row.try_get::<String, _>("hold_reason")?).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    let patient_id: String = row.try_get("patient_id")?;
    let date: String = row.try_get("date_of_service")?;
    let pointers: String = row.try_get("diagnosis_pointers")?;
    Ok(Charge {
        charge_id: ChargeId::parse(&id).map_err(|_| bad())?,
        encounter_id: EncounterId::parse(&row.try_get::<String, _>("encounter_id")?)
            .map_err(|_| bad())?,
        release_number: u32::try_from(row.try_get::<i64, _>("release_number")?)
            .map_err(|_| bad())?,
        line_number: u32::try_from(row.try_get::<i64, _>("line_number")?).map_err(|_| bad())?,
        patient_id: if patient_id.is_empty() {
            None
        } else {
            Some(PatientId::parse(&patient_id).map_err(|_| bad())?)
        },
        code: row.try_get("code")?,
        modifiers: split(&row.try_get::<String, _>("modifiers")?),
        units: u32::try_from(row.try_get::<i64, _>("units")?).map_err(|_| bad())?,
        diagnosis_pointers: split(&pointers)
            .iter()
            .map(|p| p.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?,
        date_of_service: if date.is_empty() {
            None
        } else {
            Some(date.parse().map_err(|_| bad())?)
        },
        outcome,
        claim_id: row.try_get("claim_id")?,
    })
}

/// Which charges a list asks for.
#[derive(Debug, Default)]
pub struct ChargeFilter {
    /// Only this encounter's.
    pub encounter_id: Option<EncounterId>,
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Only those no claim bills yet.
    pub unbilled_only: bool,
    /// Only held ones.
    pub held_only: bool,
}

/// Charges matching `filter` in the order they were made, after the id of
/// the last one sent.
///
/// Only the filter's own conditions go into the statement: a catch-all
/// `($1 = '' OR encounter_id = $1)` keeps PostgreSQL's generic plan of a
/// prepared statement off the encounter index, and every claim built read
/// the whole table.
pub async fn charges(
    conn: &mut AnyConnection,
    filter: &ChargeFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Charge>, ServiceError> {
    let mut sql = String::from(
        "SELECT charge_id, encounter_id, release_number, line_number, patient_id, code, \
         modifiers, units, diagnosis_pointers, date_of_service, status, amount, hold_reason, \
         revenue_code, claim_id FROM charges WHERE charge_id > $1",
    );
    let mut texts: Vec<&str> = vec![after.unwrap_or("")];
    if let Some(encounter) = &filter.encounter_id {
        texts.push(encounter.as_str());
        sql.push_str(&format!(" AND encounter_id = ${}", texts.len()));
    }
    if let Some(patient) = &filter.patient_id {
        texts.push(patient.as_str());
        sql.push_str(&format!(" AND patient_id = ${}", texts.len()));
    }
    if filter.unbilled_only {
        sql.push_str(" AND claim_id IS NULL");
    }
    if filter.held_only {
        sql.push_str(" AND status = 'held'");
    }
    sql.push_str(&format!(" ORDER BY charge_id LIMIT ${}", texts.len() + 1));
    let mut query = sqlx::query(&sql);
    for text in texts {
        query = query.bind(text);
    }
    let rows = query.bind(limit).fetch_all(conn).await?;
    rows.iter().map(charge_of).collect()
}

/// The columns a release and a claim keep an inpatient stay and its
/// procedures in.
pub const STAY_COLUMNS: &str = "admission_hour, admission_type, admission_source, discharge_hour, discharge_status, procedures";

/// The values of [`STAY_COLUMNS`]: NULLs for no stay.
pub fn stay_values(stay: Option<&InpatientStay>, procedures: &[Procedure]) -> Vec<Value> {
    vec![
        stay.map(|s| i64::from(s.admission_hour)).into(),
        stay.map(|s| s.admission_type.clone()).into(),
        stay.map(|s| s.admission_source.clone()).into(),
        stay.map(|s| i64::from(s.discharge_hour)).into(),
        stay.map(|s| s.discharge_status.clone()).into(),
        procedures_text(procedures).into(),
    ]
}

/// The stay and procedures read from [`STAY_COLUMNS`] of `row`; `bad`
/// makes the error of a row whose stay columns are not all NULL or all set.
pub fn stay_of(
    row: &AnyRow,
    bad: impl Fn() -> ServiceError,
) -> Result<(Option<InpatientStay>, Vec<Procedure>), ServiceError> {
    let procedures = parse_procedures(&row.try_get::<String, _>("procedures")?).ok_or_else(&bad)?;
    let Some(admission_hour) = row.try_get::<Option<i64>, _>("admission_hour")? else {
        return Ok((None, procedures));
    };
    let hour = |h: Option<i64>| h.and_then(|h| u8::try_from(h).ok()).ok_or_else(&bad);
    let text = |col: &str| -> Result<String, ServiceError> {
        row.try_get::<Option<String>, _>(col)?.ok_or_else(&bad)
    };
    let stay = InpatientStay {
        admission_hour: hour(Some(admission_hour))?,
        admission_type: text("admission_type")?,
        admission_source: text("admission_source")?,
        discharge_hour: hour(row.try_get("discharge_hour")?)?,
        discharge_status: text("discharge_status")?,
    };
    Ok((Some(stay), procedures))
}
