//! Persistence of claims, their lines, guarantor accounts and payers.

use std::collections::HashMap;

use medbill_kernel::{AccountId, CalendarDate, ClaimId, Money, PayerId, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::db::{Backend, placeholders};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{ClaimLine, ClaimStatus, Guarantor, Payer, StoredClaim, SubmittedClaim};

/// Records the payer, or refreshes its name and filing indicator.
pub async fn upsert_payer(conn: &mut AnyConnection, payer: &Payer) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payers (payer_id, name, claim_filing_indicator) VALUES ($1, $2, $3) \
         ON CONFLICT (payer_id) DO UPDATE SET name = excluded.name, \
         claim_filing_indicator = excluded.claim_filing_indicator",
    )
    .bind(payer.payer_id.as_str())
    .bind(&payer.name)
    .bind(&payer.claim_filing_indicator)
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens the guarantor account unless it exists.
pub async fn insert_account(
    conn: &mut AnyConnection,
    guarantor: &Guarantor,
    opened_at: Timestamp,
) -> Result<(), sqlx::Error> {
    let [line1, line2, city, state, postal] = guarantor.address.expose();
    sqlx::query(
        "INSERT INTO guarantor_accounts (account_id, patient_id, patient_mrn, guarantor_last, \
         guarantor_first, address_line1, address_line2, city, state, postal_code, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(guarantor.account_id.as_str())
    .bind(guarantor.patient_id.as_str())
    .bind(guarantor.patient_mrn.expose())
    .bind(guarantor.last_name.expose())
    .bind(guarantor.first_name.expose())
    .bind(line1)
    .bind(line2)
    .bind(city)
    .bind(state)
    .bind(postal)
    .bind(opened_at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts the claim and its lines unless the claim is known; returns
/// whether it was inserted (a re-sent claim opens nothing twice).
pub async fn insert_claim(
    conn: &mut AnyConnection,
    claim: &SubmittedClaim,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO claims (claim_id, patient_control_number, account_id, payer_id, payer_rank, \
         encounter_id, frequency_code, replaces_claim_id, total_charge, first_date_of_service, \
         submitted_on, status, primary_claim_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12) \
         ON CONFLICT (claim_id) DO NOTHING",
    )
    .bind(claim.claim_id.as_str())
    .bind(&claim.patient_control_number)
    .bind(claim.guarantor.account_id.as_str())
    .bind(claim.payer.payer_id.as_str())
    .bind(i64::from(claim.payer_rank))
    .bind(
        claim
            .encounter_id
            .as_ref()
            .map(|e| e.as_str())
            .unwrap_or(""),
    )
    .bind(&claim.frequency_code)
    .bind(
        claim
            .replaces_claim_id
            .as_ref()
            .map(|c| c.as_str().to_string()),
    )
    .bind(claim.total_charge.cents())
    .bind(claim.first_date_of_service.to_string())
    .bind(claim.submitted_on.to_string())
    .bind(
        claim
            .primary_claim_id
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(false);
    }
    for line in &claim.lines {
        sqlx::query(
            "INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, \
             modifiers, units, charge, date_of_service, revenue_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(claim.claim_id.as_str())
        .bind(i64::from(line.line_number))
        .bind(&line.line_control_number)
        .bind(&line.procedure_code)
        .bind(line.modifiers.join(","))
        .bind(i64::from(line.units))
        .bind(line.charge.cents())
        .bind(line.date_of_service.to_string())
        .bind(&line.revenue_code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

const CLAIM_COLUMNS: &str =
    "claim_id, patient_control_number, account_id, payer_id, status, primary_claim_id FROM claims";

/// The claim `claim_id`, with its lines.
pub async fn by_id(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<StoredClaim>, ServiceError> {
    let row = sqlx::query(&format!("SELECT {CLAIM_COLUMNS} WHERE claim_id = $1"))
        .bind(claim_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    with_lines(conn, row).await
}

/// Claims by PCN per query: one parameter each, far below both backends'
/// limits.
const PCNS_PER_QUERY: usize = 500;

/// The advisory lock (class, key) that matching takes on PostgreSQL; the
/// two-key form never meets the one-key locks of `deposits`.
const MATCHING_LOCK: (i32, i32) = (7_835, 1);

/// Holds, until the transaction ends, the lock that orders 835 ingestion
/// and the arrival of billing's claims on PostgreSQL: an ingestion that
/// finds no claim for a patient control number and parks the payment, and
/// the feed consumer storing that claim and looking for parked payments,
/// cannot pass each other unseen. SQLite writers are serialised already.
pub async fn lock_matching(conn: &mut AnyConnection) -> Result<(), ServiceError> {
    if Backend::of_connection(conn) == Backend::Postgres {
        sqlx::query("SELECT CAST(pg_advisory_xact_lock($1, $2) AS TEXT)")
            .bind(MATCHING_LOCK.0)
            .bind(MATCHING_LOCK.1)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// Holds the rows of the claims whose CLM01 is one of `pcns` until the
/// transaction ends (PostgreSQL row locks, taken in claim id order; a
/// SQLite write transaction holds the whole database already): a
/// remittance posting and a void or write-off of the same claim — from
/// this instance or another — take turns instead of each reading the
/// balance the other is changing.
pub async fn lock_by_patient_control_numbers(
    conn: &mut AnyConnection,
    pcns: &[&str],
) -> Result<(), ServiceError> {
    let lock = Backend::of_connection(conn).row_lock();
    if lock.is_empty() {
        return Ok(());
    }
    for chunk in pcns.chunks(PCNS_PER_QUERY) {
        let sql = format!(
            "SELECT claim_id FROM claims WHERE patient_control_number IN ({}) \
             ORDER BY claim_id{lock}",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for pcn in chunk {
            query = query.bind(pcn.to_string());
        }
        query.fetch_all(&mut *conn).await?;
    }
    Ok(())
}

/// Holds claim `claim_id`'s row until the transaction ends (see
/// [`lock_by_patient_control_numbers`]).
pub async fn lock(conn: &mut AnyConnection, claim_id: &ClaimId) -> Result<(), ServiceError> {
    let lock = Backend::of_connection(conn).row_lock();
    if !lock.is_empty() {
        sqlx::query(&format!(
            "SELECT claim_id FROM claims WHERE claim_id = $1{lock}"
        ))
        .bind(claim_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The claims whose CLM01 is one of `pcns`, with their lines, by PCN (a
/// remittance looks up thousands at once).
pub async fn by_patient_control_numbers(
    conn: &mut AnyConnection,
    pcns: &[&str],
) -> Result<HashMap<String, StoredClaim>, ServiceError> {
    let mut found = HashMap::with_capacity(pcns.len());
    for chunk in pcns.chunks(PCNS_PER_QUERY) {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} WHERE patient_control_number IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for pcn in chunk {
            query = query.bind(pcn.to_string());
        }
        let mut by_id = HashMap::new();
        for row in query.fetch_all(&mut *conn).await? {
            let claim = claim_from_row(&row, Vec::new())?;
            by_id.insert(claim.claim_id.as_str().to_string(), claim);
        }
        if by_id.is_empty() {
            continue;
        }
        let ids: Vec<String> = by_id.keys().cloned().collect();
        let sql = format!(
            "SELECT line_number, line_control_number, procedure_code, modifiers, units, charge, \
             date_of_service, revenue_code, claim_id FROM claim_lines WHERE claim_id IN ({}) \
             ORDER BY claim_id, line_number",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &ids {
            query = query.bind(id.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let claim_id: String = row.try_get(8)?;
            if let Some(claim) = by_id.get_mut(&claim_id) {
                claim.lines.push(line_from_row(&row)?);
            }
        }
        for claim in by_id.into_values() {
            found.insert(claim.patient_control_number.clone(), claim);
        }
    }
    Ok(found)
}

fn claim_from_row(row: &AnyRow, lines: Vec<ClaimLine>) -> Result<StoredClaim, ServiceError> {
    let status: String = row.try_get(4)?;
    Ok(StoredClaim {
        claim_id: stored_id(ClaimId::parse(&row.try_get::<String, _>(0)?))?,
        patient_control_number: row.try_get(1)?,
        account_id: stored_id(AccountId::parse(&row.try_get::<String, _>(2)?))?,
        payer_id: stored_id(PayerId::parse(&row.try_get::<String, _>(3)?))?,
        status: ClaimStatus::parse(&status)
            .ok_or_else(|| ServiceError::Internal(format!("unknown claim status {status}")))?,
        primary_claim_id: match row.try_get::<String, _>(5)?.as_str() {
            "" => None,
            id => Some(stored_id(ClaimId::parse(id))?),
        },
        lines,
    })
}

async fn with_lines(
    conn: &mut AnyConnection,
    row: Option<AnyRow>,
) -> Result<Option<StoredClaim>, ServiceError> {
    let Some(row) = row else { return Ok(None) };
    let claim_id: String = row.try_get(0)?;
    let lines = sqlx::query(
        "SELECT line_number, line_control_number, procedure_code, modifiers, units, charge, \
         date_of_service, revenue_code FROM claim_lines WHERE claim_id = $1 ORDER BY line_number",
    )
    .bind(&claim_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_from_row)
    .collect::<Result<Vec<_>, _>>()?;
    claim_from_row(&row, lines).map(Some)
}

fn stored_id<T>(parsed: Result<T, medbill_kernel::ids::IdError>) -> Result<T, ServiceError> {
    parsed.map_err(|_| ServiceError::Internal("a stored id is not a UUID".into()))
}

fn line_from_row(row: &AnyRow) -> Result<ClaimLine, ServiceError> {
    let modifiers: String = row.try_get(3)?;
    let date: String = row.try_get(6)?;
    Ok(ClaimLine {
        line_number: u32::try_from(row.try_get::<i64, _>(0)?)
            .map_err(|_| ServiceError::Internal("line number out of range".into()))?,
        line_control_number: row.try_get(1)?,
        procedure_code: row.try_get(2)?,
        revenue_code: row.try_get(7)?,
        modifiers: modifiers
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
        units: u32::try_from(row.try_get::<i64, _>(4)?).unwrap_or(0),
        charge: Money::from_cents(row.try_get(5)?),
        date_of_service: date
            .parse::<CalendarDate>()
            .map_err(|_| ServiceError::Internal(format!("stored date {date} is not a date")))?,
    })
}

/// Marks the claim voided (the journal keeps the money history; this row
/// only says where the claim is).
pub async fn set_voided(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    replaced_by: Option<&ClaimId>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE claims SET status = 'voided', voided_at = $2, replaced_by_claim_id = $3 \
         WHERE claim_id = $1",
    )
    .bind(claim_id.as_str())
    .bind(at.to_string())
    .bind(replaced_by.map(|c| c.as_str().to_string()))
    .execute(conn)
    .await?;
    Ok(())
}
