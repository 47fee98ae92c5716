//! Persistence of patients and their coverages (patient data: the handler
//! audits every read and change).

use medbill_kernel::{AccountId, CalendarDate, DateRange, PatientId, PayerId, Timestamp};
use std::collections::{BTreeSet, HashMap};

use medbill_platform::ServiceError;
use medbill_platform::db::placeholders;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::coverage::{Coverage, CoverageId, Relationship, Subscriber};
use super::domain::{Patient, PersonName, Sex};
use super::snapshot::Stamp;
use super::store::address_of;

const PATIENT_COLUMNS: &str = "patient_id, mrn, name_last, name_first, name_middle, \
    name_suffix, birth_date, sex, address_line1, address_line2, city, state, postal_code, \
    guarantor_account_id";

const COVERAGE_COLUMNS: &str = "coverage_id, patient_id, payer_id, payer_rank, member_id, \
    group_number, relationship, subscriber_last, subscriber_first, subscriber_birth_date, \
    subscriber_sex, effective_start, effective_end";

fn corrupt(what: &str, id: &str) -> ServiceError {
    ServiceError::Internal(format!("stored {what} {id} does not parse"))
}

/// Saves a new patient; an MRN already registered is `ALREADY_EXISTS`.
pub async fn insert_patient(conn: &mut AnyConnection, p: &Patient) -> Result<(), ServiceError> {
    let sql = format!(
        "INSERT INTO patients ({PATIENT_COLUMNS}, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    let name = p.name.expose();
    let address = p.address.expose();
    sqlx::query(&sql)
        .bind(p.patient_id.as_str())
        .bind(p.mrn.expose())
        .bind(&name.last)
        .bind(&name.first)
        .bind(&name.middle)
        .bind(&name.suffix)
        .bind(p.birth_date.expose().to_string())
        .bind(p.sex.as_str())
        .bind(&address.line1)
        .bind(&address.line2)
        .bind(&address.city)
        .bind(&address.state)
        .bind(&address.postal_code)
        .bind(p.guarantor_account_id.as_str())
        .bind(Timestamp::now().to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a patient's name and address; false when there is no such
/// patient.
pub async fn update_patient(conn: &mut AnyConnection, p: &Patient) -> Result<bool, ServiceError> {
    let name = p.name.expose();
    let address = p.address.expose();
    let done = sqlx::query(
        "UPDATE patients SET name_last = $2, name_first = $3, name_middle = $4, \
         name_suffix = $5, address_line1 = $6, address_line2 = $7, city = $8, state = $9, \
         postal_code = $10 WHERE patient_id = $1",
    )
    .bind(p.patient_id.as_str())
    .bind(&name.last)
    .bind(&name.first)
    .bind(&name.middle)
    .bind(&name.suffix)
    .bind(&address.line1)
    .bind(&address.line2)
    .bind(&address.city)
    .bind(&address.state)
    .bind(&address.postal_code)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn patient_of(row: &AnyRow) -> Result<Patient, ServiceError> {
    let id: String = row.try_get("patient_id")?;
    let bad = || corrupt("patient", &id);
    Ok(Patient {
        patient_id: PatientId::parse(&id).map_err(|_| bad())?,
        mrn: row.try_get::<String, _>("mrn")?.into(),
        name: PersonName {
            last: row.try_get("name_last")?,
            first: row.try_get("name_first")?,
            middle: row.try_get("name_middle")?,
            suffix: row.try_get("name_suffix")?,
        }
        .into(),
        birth_date: row
            .try_get::<String, _>("birth_date")?
            .parse::<CalendarDate>()
            .map_err(|_| bad())?
            .into(),
        sex: Sex::parse(&row.try_get::<String, _>("sex")?).ok_or_else(bad)?,
        address: address_of(row)?.into(),
        guarantor_account_id: AccountId::parse(&row.try_get::<String, _>("guarantor_account_id")?)
            .map_err(|_| bad())?,
    })
}

/// The patient with id `patient_id` or MRN `mrn` (one of them given).
pub async fn patient(
    conn: &mut AnyConnection,
    patient_id: Option<&PatientId>,
    mrn: Option<&str>,
) -> Result<Option<Patient>, ServiceError> {
    let sql = format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE patient_id = $1 OR mrn = $2");
    let row = sqlx::query(&sql)
        .bind(
            patient_id
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        )
        .bind(mrn.unwrap_or_default())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(patient_of).transpose()
}

/// How a patient is looked up.
#[derive(Debug, Clone, Copy)]
pub enum PatientKey<'a> {
    /// By billing's id.
    Id(&'a PatientId),
    /// By medical record number (what coding's releases carry).
    Mrn(&'a str),
}

/// The patient `key` names, if registered, and where the registry stands,
/// read in one statement (a claim needs both; see [`super::snapshot`]).
pub async fn patient_and_registry(
    conn: &mut AnyConnection,
    key: PatientKey<'_>,
) -> Result<(Option<Patient>, Stamp), ServiceError> {
    let columns: Vec<String> = PATIENT_COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect();
    let (column, value) = match key {
        PatientKey::Id(id) => ("patient_id", id.as_str()),
        PatientKey::Mrn(mrn) => ("mrn", mrn),
    };
    let sql = format!(
        "SELECT {}, r.epoch, r.version FROM registry_version r \
         LEFT JOIN patients p ON p.{column} = $1",
        columns.join(", ")
    );
    let row = sqlx::query(&sql).bind(value).fetch_one(conn).await?;
    let stamp = Stamp {
        epoch: row.try_get("epoch")?,
        version: row.try_get("version")?,
    };
    let found: Option<String> = row.try_get("patient_id")?;
    let patient = match found {
        Some(_) => Some(patient_of(&row)?),
        None => None,
    };
    Ok((patient, stamp))
}

/// Claims' patients and coverages read in one query each, at
/// [`patients_and_coverages`].
pub struct Registered {
    /// By patient id.
    pub patients: HashMap<String, Patient>,
    /// By coverage id.
    pub coverages: HashMap<String, Coverage>,
    /// Where the registry stood, read before them.
    pub stamp: Stamp,
}

/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

/// The patients `patient_ids` and coverages `coverage_ids` (either may name
/// one twice), with the registry's stamp read first: for many claims at
/// once what [`patient_and_registry`] and [`coverage`] read for one.
pub async fn patients_and_coverages(
    conn: &mut AnyConnection,
    patient_ids: &[&PatientId],
    coverage_ids: &[&CoverageId],
) -> Result<Registered, ServiceError> {
    let stamp = super::snapshot::stamp(conn).await?;
    let ids = patient_ids.iter().map(|id| id.as_str());
    let patients = rows_in(
        conn,
        PATIENT_COLUMNS,
        "patients",
        "patient_id",
        ids,
        patient_of,
    )
    .await?
    .into_iter()
    .map(|p| (p.patient_id.as_str().to_string(), p))
    .collect();
    let ids = coverage_ids.iter().map(|id| id.as_str());
    let coverages = rows_in(
        conn,
        COVERAGE_COLUMNS,
        "coverages",
        "coverage_id",
        ids,
        coverage_of,
    )
    .await?
    .into_iter()
    .map(|c| (c.coverage_id.as_str().to_string(), c))
    .collect();
    Ok(Registered {
        patients,
        coverages,
        stamp,
    })
}

/// The rows of `table` whose `key` is one of `ids` (each read once, `CHUNK`
/// per query), as `parse` makes them.
async fn rows_in<'a, T>(
    conn: &mut AnyConnection,
    columns: &str,
    table: &str,
    key: &str,
    ids: impl Iterator<Item = &'a str>,
    parse: fn(&AnyRow) -> Result<T, ServiceError>,
) -> Result<Vec<T>, ServiceError> {
    let ids: Vec<&str> = ids.collect::<BTreeSet<_>>().into_iter().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE {key} IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            out.push(parse(&row)?);
        }
    }
    Ok(out)
}

/// Saves a new coverage.
pub async fn insert_coverage(conn: &mut AnyConnection, c: &Coverage) -> Result<(), ServiceError> {
    let sql = format!(
        "INSERT INTO coverages ({COVERAGE_COLUMNS}, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    );
    let (last, first, birth, sex) = match &c.subscriber {
        Some(s) => (
            s.name.expose().last.clone(),
            s.name.expose().first.clone(),
            s.birth_date.expose().to_string(),
            s.sex.as_str().to_string(),
        ),
        None => Default::default(),
    };
    sqlx::query(&sql)
        .bind(c.coverage_id.as_str())
        .bind(c.patient_id.as_str())
        .bind(c.payer_id.as_str())
        .bind(i64::from(c.rank))
        .bind(c.member_id.expose())
        .bind(&c.group_number)
        .bind(c.relationship.as_str())
        .bind(last)
        .bind(first)
        .bind(birth)
        .bind(sex)
        .bind(c.effective.start().to_string())
        .bind(c.effective.end().map(|e| e.to_string()).unwrap_or_default())
        .bind(Timestamp::now().to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends a coverage on `end`.
pub async fn set_coverage_end(
    conn: &mut AnyConnection,
    coverage_id: &CoverageId,
    end: CalendarDate,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE coverages SET effective_end = $2 WHERE coverage_id = $1")
        .bind(coverage_id.as_str())
        .bind(end.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a coverage's member id and group number.
pub async fn set_coverage_identifiers(
    conn: &mut AnyConnection,
    coverage_id: &CoverageId,
    member_id: &str,
    group_number: &str,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE coverages SET member_id = $2, group_number = $3 WHERE coverage_id = $1")
        .bind(coverage_id.as_str())
        .bind(member_id)
        .bind(group_number)
        .execute(conn)
        .await?;
    Ok(())
}

fn coverage_of(row: &AnyRow) -> Result<Coverage, ServiceError> {
    let id: String = row.try_get("coverage_id")?;
    let bad = || corrupt("coverage", &id);
    let date = |column: &str| -> Result<Option<CalendarDate>, ServiceError> {
        let text: String = row.try_get(column)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| bad())
    };
    let relationship =
        Relationship::parse(&row.try_get::<String, _>("relationship")?).ok_or_else(bad)?;
    let subscriber = match relationship {
        Relationship::SelfInsured => None,
        Relationship::Spouse | Relationship::Child | Relationship::Other => Some(Subscriber {
            name: PersonName {
                last: row.try_get("subscriber_last")?,
                first: row.try_get("subscriber_first")?,
                ..Default::default()
            }
            .into(),
            birth_date: date("subscriber_birth_date")?.ok_or_else(bad)?.into(),
            sex: Sex::parse(&row.try_get::<String, _>("subscriber_sex")?).ok_or_else(bad)?,
        }),
    };
    let start = date("effective_start")?.ok_or_else(bad)?;
    Ok(Coverage {
        coverage_id: CoverageId::parse(&id).map_err(|_| bad())?,
        patient_id: PatientId::parse(&row.try_get::<String, _>("patient_id")?)
            .map_err(|_| bad())?,
        payer_id: PayerId::parse(&row.try_get::<String, _>("payer_id")?).map_err(|_| bad())?,
        rank: u8::try_from(row.try_get::<i64, _>("payer_rank")?).map_err(|_| bad())?,
        member_id: row.try_get::<String, _>("member_id")?.into(),
        group_number: row.try_get("group_number")?,
        relationship,
        subscriber,
        effective: DateRange::new(start, date("effective_end")?).map_err(|_| bad())?,
    })
}

/// The coverage `coverage_id`, if any.
pub async fn coverage(
    conn: &mut AnyConnection,
    coverage_id: &CoverageId,
) -> Result<Option<Coverage>, ServiceError> {
    let sql = format!("SELECT {COVERAGE_COLUMNS} FROM coverages WHERE coverage_id = $1");
    let row = sqlx::query(&sql)
        .bind(coverage_id.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(coverage_of).transpose()
}

/// Every coverage of a patient, by rank then registration.
pub async fn coverages(
    conn: &mut AnyConnection,
    patient_id: &PatientId,
) -> Result<Vec<Coverage>, ServiceError> {
    let sql = format!(
        "SELECT {COVERAGE_COLUMNS} FROM coverages WHERE patient_id = $1 \
         ORDER BY payer_rank, coverage_id"
    );
    let rows = sqlx::query(&sql)
        .bind(patient_id.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(coverage_of).collect()
}
