//! The sums KPIs are computed from: journal lines by effective date, and
//! the 835 claim payments by payment date.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

/// Ledger sums over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodSums {
    /// Revenue recognised (net of voids).
    pub charges: Money,
    /// Cash applied to claims.
    pub payments: Money,
    /// Contractual allowance.
    pub contractual: Money,
    /// Bad debt written off.
    pub bad_debt: Money,
    /// Bad debt recovered.
    pub recoveries: Money,
    /// Small balances written off by statement runs.
    pub small_balances: Money,
    /// Agency fees.
    pub agency_fees: Money,
}

/// The ledger sums of entries effective from `from` to `to`.
pub async fn period_sums(
    conn: &mut AnyConnection,
    from: CalendarDate,
    to: CalendarDate,
) -> Result<PeriodSums, ServiceError> {
    let row = sqlx::query(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'revenue' THEN -l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'cash' AND l.claim_id IS NOT NULL \
              THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'contractual_allowance' THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'bad_debt_expense' THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'bad_debt_recovery' THEN -l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'other_adjustment' \
              AND e.kind = 'small_balance_write_off' THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'collection_expense' THEN l.amount ELSE 0 END), 0) AS BIGINT) \
         FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id \
         WHERE e.effective_on >= $1 AND e.effective_on <= $2",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(conn)
    .await?;
    let m = |i: usize| -> Result<Money, sqlx::Error> { Ok(Money::from_cents(row.try_get(i)?)) };
    Ok(PeriodSums {
        charges: m(0)?,
        payments: m(1)?,
        contractual: m(2)?,
        bad_debt: m(3)?,
        recoveries: m(4)?,
        small_balances: m(5)?,
        agency_fees: m(6)?,
    })
}

/// CLP02 codes that are an adjudication of the claim (processed as
/// primary, secondary, tertiary, denied, or processed and forwarded).
const ADJUDICATED: &str = "('1', '2', '3', '4', '19', '20', '21')";

/// Charges (CLP03) of claims denied (CLP02 4) and of claims adjudicated,
/// in 835s paid from `from` to `to`.
pub async fn denials(
    conn: &mut AnyConnection,
    from: CalendarDate,
    to: CalendarDate,
) -> Result<(Money, Money), ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN c.status_code = '4' THEN c.charge ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(c.charge), 0) AS BIGINT) \
         FROM remittance_claims c JOIN remittances r ON r.remittance_id = c.remittance_id \
         WHERE c.claim_id IS NOT NULL AND c.status_code IN {ADJUDICATED} \
         AND r.payment_date >= $1 AND r.payment_date <= $2"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(conn)
    .await?;
    Ok((
        Money::from_cents(row.try_get(0)?),
        Money::from_cents(row.try_get(1)?),
    ))
}
