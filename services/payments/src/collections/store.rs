//! Persistence of agencies, collection cases and agency payments, and the
//! reads that decide placement.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::db::Backend;
use sqlx::{AnyConnection, Row};

use super::domain::{CaseStatus, FeeRate, PlacementRow};

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Its code.
    pub agency_id: String,
    /// Its name.
    pub name: String,
    /// Its fee rate.
    pub fee_rate: FeeRate,
}

/// Adds or changes `agency`.
pub async fn upsert_agency(
    conn: &mut AnyConnection,
    agency: &Agency,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO collection_agencies (agency_id, name, fee_rate, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (agency_id) DO UPDATE \
         SET name = excluded.name, fee_rate = excluded.fee_rate, updated_at = excluded.updated_at",
    )
    .bind(&agency.agency_id)
    .bind(&agency.name)
    .bind(agency.fee_rate.as_text())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The agency `agency_id`.
pub async fn agency(
    conn: &mut AnyConnection,
    agency_id: &str,
) -> Result<Option<Agency>, ServiceError> {
    let row = sqlx::query(
        "SELECT agency_id, name, fee_rate FROM collection_agencies WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let rate: String = row.try_get(2)?;
    Ok(Some(Agency {
        agency_id: row.try_get(0)?,
        name: row.try_get(1)?,
        fee_rate: FeeRate::parse(&rate)
            .ok_or_else(|| ServiceError::Internal(format!("stored fee rate {rate:?}")))?,
    }))
}

/// A case as stored, with its agency fees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    /// Its id.
    pub case_id: String,
    /// The account.
    pub account_id: String,
    /// The agency.
    pub agency_id: String,
    /// Status.
    pub status: CaseStatus,
    /// Balance placed.
    pub placed_balance: Money,
    /// Oldest date of service placed.
    pub oldest_date_of_service: CalendarDate,
    /// Day placed.
    pub placed_on: CalendarDate,
    /// When placed (RFC 3339).
    pub placed_at: String,
    /// Note at placement.
    pub note: String,
    /// When closed (RFC 3339).
    pub closed_at: Option<String>,
    /// Why recalled or written off.
    pub close_reason: String,
    /// Bad debt written off.
    pub written_off: Money,
    /// The approving manager.
    pub approved_by: String,
    /// Gross the agency collected.
    pub recovered: Money,
    /// Fees it kept.
    pub fees: Money,
}

fn date(text: &str) -> Result<CalendarDate, ServiceError> {
    text.parse()
        .map_err(|_| ServiceError::Internal(format!("a stored case date {text:?} is not a date")))
}

/// Stores a new placed case.
pub async fn insert_case(
    conn: &mut AnyConnection,
    case: &StoredCase,
    placed_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO collection_cases (case_id, account_id, agency_id, status, placed_balance, \
         oldest_date_of_service, placed_on, placed_at, placed_by, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&case.case_id)
    .bind(&case.account_id)
    .bind(&case.agency_id)
    .bind(case.status.as_str())
    .bind(case.placed_balance.cents())
    .bind(case.oldest_date_of_service.to_string())
    .bind(case.placed_on.to_string())
    .bind(&case.placed_at)
    .bind(placed_by)
    .bind(&case.note)
    .execute(conn)
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT c.case_id, c.account_id, c.agency_id, c.status, c.placed_balance, \
     c.oldest_date_of_service, c.placed_on, c.placed_at, c.note, c.closed_at, c.close_reason, \
     c.written_off, c.approved_by, \
     CAST(COALESCE((SELECT SUM(p.gross) FROM agency_payments p WHERE p.case_id = c.case_id), 0) AS BIGINT), \
     CAST(COALESCE((SELECT SUM(p.fee) FROM agency_payments p WHERE p.case_id = c.case_id), 0) AS BIGINT) \
     FROM collection_cases c";

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredCase, ServiceError> {
    let status: String = row.try_get(3)?;
    let oldest: String = row.try_get(5)?;
    let placed_on: String = row.try_get(6)?;
    Ok(StoredCase {
        case_id: row.try_get(0)?,
        account_id: row.try_get(1)?,
        agency_id: row.try_get(2)?,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| ServiceError::Internal(format!("unknown case status {status}")))?,
        placed_balance: Money::from_cents(row.try_get(4)?),
        oldest_date_of_service: date(&oldest)?,
        placed_on: date(&placed_on)?,
        placed_at: row.try_get(7)?,
        note: row.try_get(8)?,
        closed_at: row.try_get(9)?,
        close_reason: row.try_get(10)?,
        written_off: Money::from_cents(row.try_get(11)?),
        approved_by: row.try_get(12)?,
        recovered: Money::from_cents(row.try_get(13)?),
        fees: Money::from_cents(row.try_get(14)?),
    })
}

/// The case `case_id`; on PostgreSQL its row stays locked until the
/// transaction ends when `lock` is set.
pub async fn case(
    conn: &mut AnyConnection,
    backend: Backend,
    case_id: &str,
    lock: bool,
) -> Result<Option<StoredCase>, ServiceError> {
    if lock && backend == Backend::Postgres {
        sqlx::query("SELECT case_id FROM collection_cases WHERE case_id = $1 FOR UPDATE")
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let row = sqlx::query(&format!("{SELECT} WHERE c.case_id = $1"))
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Up to `limit` cases after `after` (by id), filtered.
pub async fn list(
    conn: &mut AnyConnection,
    statuses: &[CaseStatus],
    agency: Option<&str>,
    account_id: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredCase>, ServiceError> {
    let all: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let wanted = if all.is_empty() {
        None
    } else {
        Some(format!(",{},", all.join(",")))
    };
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 IS NULL OR $1 LIKE '%,' || c.status || ',%') \
         AND ($2 IS NULL OR c.agency_id = $2) AND ($3 IS NULL OR c.account_id = $3) \
         AND ($4 IS NULL OR c.case_id > $4) ORDER BY c.case_id LIMIT $5"
    ))
    .bind(wanted)
    .bind(agency)
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Moves the case from `from` to `to`; returns whether it was in `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    case_id: &str,
    from: CaseStatus,
    to: CaseStatus,
    closed_at: &str,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE collection_cases SET status = $1, closed_at = $2, close_reason = $3 \
         WHERE case_id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(closed_at)
    .bind(reason)
    .bind(case_id)
    .bind(from.as_str())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Records the write-off on the case.
pub async fn record_write_off(
    conn: &mut AnyConnection,
    case_id: &str,
    amount: Money,
    approved_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE collection_cases SET written_off = $1, approved_by = $2 WHERE case_id = $3",
    )
    .bind(amount.cents())
    .bind(approved_by)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account's placed case, if any.
pub async fn placed_case_of(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT case_id FROM collection_cases WHERE account_id = $1 AND status = 'placed'",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Whether the account's latest statement was a final notice.
pub async fn final_notice_sent(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT final_notice FROM statements WHERE account_id = $1 \
         ORDER BY statement_date DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>(0)? == 1,
        None => false,
    })
}

/// The oldest first date of service among the account's claims with a
/// patient balance.
pub async fn oldest_owed_service(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Option<CalendarDate>, ServiceError> {
    let row = sqlx::query(
        "SELECT MIN(first_date_of_service) FROM claims c WHERE c.account_id = $1 AND \
         (SELECT COALESCE(SUM(l.amount), 0) FROM journal_lines l WHERE l.claim_id = c.claim_id \
          AND l.ledger_account = 'ar_patient') > 0",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await?;
    let text: Option<String> = row.try_get(0)?;
    text.as_deref().map(date).transpose()
}

/// Records an agency payment unless its key was; returns the id recorded
/// under the key and whether it was recorded now.
#[allow(clippy::too_many_arguments)]
pub async fn insert_payment(
    conn: &mut AnyConnection,
    payment_id: &str,
    key: &str,
    case_id: &str,
    gross: Money,
    fee: Money,
    received_on: CalendarDate,
    posted_at: &str,
    recorded_by: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO agency_payments (payment_id, idempotency_key, case_id, gross, fee, \
         received_on, posted_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(payment_id)
    .bind(key)
    .bind(case_id)
    .bind(gross.cents())
    .bind(fee.cents())
    .bind(received_on.to_string())
    .bind(posted_at)
    .bind(recorded_by)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The agency payment recorded under `key`: id, case, gross, fee.
pub async fn payment_by_key(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<(String, String, Money, Money)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT payment_id, case_id, gross, fee FROM agency_payments WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            Money::from_cents(r.try_get(2)?),
            Money::from_cents(r.try_get(3)?),
        ))
    })
    .transpose()
}

/// The placement file's rows: the agency's placed cases, oldest first.
pub async fn placements(
    conn: &mut AnyConnection,
    agency_id: &str,
) -> Result<Vec<PlacementRow>, ServiceError> {
    let rows = sqlx::query(
        "SELECT c.account_id, g.guarantor_first, g.guarantor_last, g.address_line1, \
         g.address_line2, g.city, g.state, g.postal_code, c.placed_balance, \
         c.oldest_date_of_service, c.placed_on FROM collection_cases c \
         JOIN guarantor_accounts g ON g.account_id = c.account_id \
         WHERE c.agency_id = $1 AND c.status = 'placed' ORDER BY c.case_id",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let get = |i: usize| row.try_get::<String, _>(i);
        let street: Vec<String> = [get(3)?, get(4)?]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let oldest: String = get(9)?;
        let placed: String = get(10)?;
        out.push(PlacementRow {
            account_id: get(0)?,
            guarantor_name: format!("{} {}", get(1)?, get(2)?).trim().to_string(),
            address: format!("{}, {}, {} {}", street.join(" "), get(5)?, get(6)?, get(7)?),
            balance: Money::from_cents(row.try_get(8)?),
            oldest_date_of_service: date(&oldest)?,
            placed_on: date(&placed)?,
        });
    }
    Ok(out)
}
