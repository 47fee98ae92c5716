//! Persistence of patient payments and the reads that allocate them.

use medbill_kernel::{ClaimId, Money};
use medbill_platform::ServiceError;
use medbill_platform::db::Backend;
use sqlx::{AnyConnection, Row};

use super::domain::OwedClaim;

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPayment {
    /// Its id (also the source id of its journal entry).
    pub payment_id: String,
    /// The client's key.
    pub idempotency_key: String,
    /// The account paid.
    pub account_id: String,
    /// How much.
    pub amount: Money,
    /// The claim named, if any.
    pub claim_id: Option<String>,
    /// When posted (RFC 3339).
    pub posted_at: String,
}

/// Records the payment unless its key is recorded; returns whether it was.
/// The unique key decides, so two concurrent retries post once.
pub async fn insert(
    conn: &mut AnyConnection,
    payment: &RecordedPayment,
    method: &str,
    reference: &str,
    received_on: &str,
    recorded_by: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO patient_payments (payment_id, idempotency_key, account_id, amount, method, \
         reference, claim_id, received_on, posted_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&payment.payment_id)
    .bind(&payment.idempotency_key)
    .bind(&payment.account_id)
    .bind(payment.amount.cents())
    .bind(method)
    .bind(reference)
    .bind(payment.claim_id.as_deref())
    .bind(received_on)
    .bind(&payment.posted_at)
    .bind(recorded_by)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The payment recorded under `key`.
pub async fn by_key(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<RecordedPayment>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT payment_id, idempotency_key, account_id, amount, claim_id, posted_at \
         FROM patient_payments WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(RecordedPayment {
        payment_id: row.try_get(0)?,
        idempotency_key: row.try_get(1)?,
        account_id: row.try_get(2)?,
        amount: Money::from_cents(row.try_get(3)?),
        claim_id: row.try_get(4)?,
        posted_at: row.try_get(5)?,
    }))
}

/// Whether the account exists; on PostgreSQL its row stays locked until the
/// transaction ends, so two payments to one account allocate one after the
/// other (SQLite writers are serialised already). The collection policy's
/// row is shared-locked first: a statement run (which holds it exclusively)
/// and a payment take turns, so a run never writes off a small balance that
/// a payment committed while it was running (on this instance or another).
pub async fn lock_account(
    conn: &mut AnyConnection,
    backend: Backend,
    account_id: &str,
) -> Result<bool, sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT policy_id FROM collection_policy WHERE policy_id = 1 FOR SHARE")
            .fetch_optional(&mut *conn)
            .await?;
    }
    let sql = match backend {
        Backend::Postgres => {
            "SELECT account_id FROM guarantor_accounts WHERE account_id = $1 FOR UPDATE"
        }
        Backend::Sqlite => "SELECT account_id FROM guarantor_accounts WHERE account_id = $1",
    };
    Ok(sqlx::query(sql)
        .bind(account_id)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The account's claims with their patient balances, oldest first (by first
/// date of service, then submission), or only `claim_id`.
pub async fn owed_claims(
    conn: &mut AnyConnection,
    account_id: &str,
    claim_id: Option<&str>,
) -> Result<Vec<OwedClaim>, ServiceError> {
    let rows = sqlx::query(
        "SELECT c.claim_id, CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM claims c \
         LEFT JOIN journal_lines l ON l.claim_id = c.claim_id AND l.ledger_account = 'ar_patient' \
         WHERE c.account_id = $1 AND ($2 IS NULL OR c.claim_id = $2) \
         GROUP BY c.claim_id, c.first_date_of_service, c.submitted_on \
         ORDER BY c.first_date_of_service, c.submitted_on, c.claim_id",
    )
    .bind(account_id)
    .bind(claim_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0)?;
        out.push(OwedClaim {
            claim_id: ClaimId::parse(&id)
                .map_err(|_| ServiceError::Internal("a stored claim id is not a UUID".into()))?,
            balance: Money::from_cents(row.try_get(1)?),
        });
    }
    Ok(out)
}

/// The account's claims with bad debt written off and not yet recovered
/// (write-offs net of recoveries, positive), oldest first.
pub async fn written_off_claims(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Vec<OwedClaim>, ServiceError> {
    let rows = sqlx::query(
        "SELECT c.claim_id, CAST(SUM(l.amount) AS BIGINT) FROM claims c \
         JOIN journal_lines l ON l.claim_id = c.claim_id \
         AND l.ledger_account IN ('bad_debt_expense', 'bad_debt_recovery') \
         WHERE c.account_id = $1 \
         GROUP BY c.claim_id, c.first_date_of_service, c.submitted_on \
         HAVING SUM(l.amount) > 0 \
         ORDER BY c.first_date_of_service, c.submitted_on, c.claim_id",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0)?;
        out.push(OwedClaim {
            claim_id: ClaimId::parse(&id)
                .map_err(|_| ServiceError::Internal("a stored claim id is not a UUID".into()))?,
            balance: Money::from_cents(row.try_get(1)?),
        });
    }
    Ok(out)
}
