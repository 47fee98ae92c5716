//! Persistence of deposits and the matching of deposits to 835s.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::db::Backend;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A deposit as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeposit {
    /// Its id.
    pub deposit_id: String,
    /// The client's key, or trace|cents|date.
    pub idempotency_key: String,
    /// The ACH trace number.
    pub trace_number: String,
    /// Positive.
    pub amount: Money,
    /// When the bank credited it.
    pub deposit_date: CalendarDate,
    /// The 835 it matched, if any.
    pub remittance_id: Option<String>,
    /// When recorded (RFC 3339).
    pub recorded_at: String,
}

/// An 835 that no deposit matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedRemittance {
    /// Its id.
    pub remittance_id: String,
    /// N1*PR name.
    pub payer_name: String,
    /// TRN02.
    pub trace_number: String,
    /// BPR02.
    pub total_paid: Money,
    /// BPR16.
    pub payment_date: CalendarDate,
}

const DEPOSIT_COLUMNS: &str = "deposit_id, idempotency_key, trace_number, amount, deposit_date, \
     remittance_id, recorded_at";

fn date(row: &AnyRow, column: &str) -> Result<CalendarDate, ServiceError> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| ServiceError::Internal(format!("stored {column} {text:?} is not a date")))
}

fn deposit(row: &AnyRow) -> Result<StoredDeposit, ServiceError> {
    Ok(StoredDeposit {
        deposit_id: row.try_get("deposit_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        trace_number: row.try_get("trace_number")?,
        amount: Money::from_cents(row.try_get("amount")?),
        deposit_date: date(row, "deposit_date")?,
        remittance_id: row.try_get("remittance_id")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Records the deposit unless its key is recorded; returns whether it was.
pub async fn insert(
    conn: &mut AnyConnection,
    deposit: &StoredDeposit,
    recorded_by: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO deposits (deposit_id, idempotency_key, trace_number, amount, deposit_date, \
         recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&deposit.deposit_id)
    .bind(&deposit.idempotency_key)
    .bind(&deposit.trace_number)
    .bind(deposit.amount.cents())
    .bind(deposit.deposit_date.to_string())
    .bind(&deposit.recorded_at)
    .bind(recorded_by)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The deposit recorded under `key`.
pub async fn by_key(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<StoredDeposit>, ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE idempotency_key = $1"
    ))
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(deposit).transpose()
}

/// On PostgreSQL, holds the trace's advisory lock until the transaction
/// ends, so a deposit and an 835 of one trace recorded at once match each
/// other (the second to lock sees the first committed); SQLite writers are
/// serialised already.
pub async fn lock_trace(
    conn: &mut AnyConnection,
    backend: Backend,
    trace_number: &str,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT CAST(pg_advisory_xact_lock(hashtext($1)) AS TEXT)")
            .bind(trace_number)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// The earliest ingested 835 with this trace and amount that no deposit
/// matches yet.
pub async fn unmatched_remittance_for(
    conn: &mut AnyConnection,
    trace_number: &str,
    amount: Money,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.remittance_id FROM remittances r WHERE r.trace_number = $1 \
         AND r.total_paid = $2 \
         AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.remittance_id = r.remittance_id) \
         ORDER BY r.received_at, r.remittance_id LIMIT 1",
    )
    .bind(trace_number)
    .bind(amount.cents())
    .fetch_optional(conn)
    .await
}

/// The earliest deposit in suspense with this trace and amount.
pub async fn unmatched_deposit_for(
    conn: &mut AnyConnection,
    trace_number: &str,
    amount: Money,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT deposit_id FROM deposits WHERE trace_number = $1 AND amount = $2 \
         AND remittance_id IS NULL ORDER BY deposit_date, deposit_id LIMIT 1",
    )
    .bind(trace_number)
    .bind(amount.cents())
    .fetch_optional(conn)
    .await
}

/// Matches the deposit to the 835 (the unique `remittance_id` refuses a
/// second deposit for one 835).
pub async fn set_match(
    conn: &mut AnyConnection,
    deposit_id: &str,
    remittance_id: &str,
    matched_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE deposits SET remittance_id = $1, matched_at = $2 \
         WHERE deposit_id = $3 AND remittance_id IS NULL",
    )
    .bind(remittance_id)
    .bind(matched_at)
    .bind(deposit_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deposits in suspense, oldest deposit date first, after the key
/// `after` (`<date>|<deposit id>`).
pub async fn unmatched_deposits(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredDeposit>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE remittance_id IS NULL \
         AND ($1 IS NULL OR deposit_date || '|' || deposit_id > $1) \
         ORDER BY deposit_date, deposit_id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(deposit).collect()
}

/// The BPR02 amounts of the 835s carrying `trace_number`, each with whether
/// a deposit matches it.
pub async fn remittances_with_trace(
    conn: &mut AnyConnection,
    trace_number: &str,
) -> Result<Vec<(Money, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.total_paid, CAST(CASE WHEN EXISTS (SELECT 1 FROM deposits d \
         WHERE d.remittance_id = r.remittance_id) THEN 1 ELSE 0 END AS BIGINT) \
         FROM remittances r \
         WHERE r.trace_number = $1 ORDER BY r.received_at, r.remittance_id",
    )
    .bind(trace_number)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Money::from_cents(r.try_get::<i64, _>(0)?),
                r.try_get::<i64, _>(1)? == 1,
            ))
        })
        .collect()
}

/// Ingested 835s paying money (BPR02 above zero: no EFT follows one that
/// pays nothing) that no deposit matches, oldest payment date first, after
/// the key `after` (`<date>|<remittance id>`).
pub async fn unmatched_remittances(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UnmatchedRemittance>, ServiceError> {
    let rows = sqlx::query(
        "SELECT r.remittance_id, r.payer_name, r.trace_number, r.total_paid, r.payment_date \
         FROM remittances r \
         WHERE r.total_paid > 0 \
         AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.remittance_id = r.remittance_id) \
         AND ($1 IS NULL OR r.payment_date || '|' || r.remittance_id > $1) \
         ORDER BY r.payment_date, r.remittance_id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UnmatchedRemittance {
                remittance_id: row.try_get("remittance_id")?,
                payer_name: row.try_get("payer_name")?,
                trace_number: row.try_get("trace_number")?,
                total_paid: Money::from_cents(row.try_get("total_paid")?),
                payment_date: date(row, "payment_date")?,
            })
        })
        .collect()
}
