//! The reads a statement run needs: the dunning and collection policy,
//! each account's claims with their figures from the ledger, credits, the
//! previous statement and the activity since it. Statements as sent are
//! kept by [`super::archive`].

use std::collections::BTreeMap;

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::db::Backend;
use sqlx::{AnyConnection, Row};

use super::domain::AccountClaim;
use super::dunning::{DunningCycle, DunningPolicy, PreviousStatement};

/// Journal entry kinds that are the guarantor paying (directly or through
/// an agency): their cash is a statement's payments.
pub const PAYMENT_KINDS: &str = "('patient_payment', 'agency_payment')";
/// Journal entry kinds that adjust patient balances outside payments.
pub const PATIENT_ADJUSTMENT_KINDS: &str = "('small_balance_write_off', 'bad_debt_write_off')";

/// The collection policy's figures (`collection_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectionPolicy {
    /// Days from statement date to due date.
    pub statement_due_days: i64,
    /// Balances below this are written off by the statement run.
    pub small_balance_write_off: Money,
    /// Missed installments after which a plan defaults.
    pub plan_misses_to_default: u32,
}

/// A stored date read back; one that does not parse is an internal fault.
pub fn text_date(text: &str, what: &str) -> Result<CalendarDate, ServiceError> {
    text.parse()
        .map_err(|_| ServiceError::Internal(format!("a stored {what} {text:?} is not a date")))
}

/// The dunning policy.
pub async fn dunning_policy(conn: &mut AnyConnection) -> Result<DunningPolicy, ServiceError> {
    let rows = sqlx::query(
        "SELECT cycle, days_after_previous, final_notice, message FROM dunning_cycles \
         ORDER BY cycle",
    )
    .fetch_all(conn)
    .await?;
    let mut cycles = Vec::with_capacity(rows.len());
    for row in rows {
        cycles.push(DunningCycle {
            cycle: u32::try_from(row.try_get::<i64, _>(0)?)
                .map_err(|_| ServiceError::Internal("a dunning cycle is out of range".into()))?,
            days_after_previous: row.try_get(1)?,
            final_notice: row.try_get::<i64, _>(2)? == 1,
            message: row.try_get(3)?,
        });
    }
    DunningPolicy::new(cycles).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The collection policy; on PostgreSQL its row stays locked until the
/// transaction ends when `lock` is set (statement runs take turns).
pub async fn collection_policy(
    conn: &mut AnyConnection,
    backend: Backend,
    lock: bool,
) -> Result<CollectionPolicy, ServiceError> {
    let sql = match (backend, lock) {
        (Backend::Postgres, true) => {
            "SELECT statement_due_days, small_balance_write_off, plan_misses_to_default \
             FROM collection_policy WHERE policy_id = 1 FOR UPDATE"
        }
        _ => {
            "SELECT statement_due_days, small_balance_write_off, plan_misses_to_default \
             FROM collection_policy WHERE policy_id = 1"
        }
    };
    let row = sqlx::query(sql).fetch_one(conn).await?;
    Ok(CollectionPolicy {
        statement_due_days: row.try_get(0)?,
        small_balance_write_off: Money::from_cents(row.try_get(1)?),
        plan_misses_to_default: u32::try_from(row.try_get::<i64, _>(2)?).unwrap_or(u32::MAX),
    })
}

/// Records a run of `run_date` (the run's first write: on SQLite it takes
/// the write lock, on PostgreSQL two runs of one day wait on this row).
pub async fn record_run(
    conn: &mut AnyConnection,
    run_date: CalendarDate,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO statement_runs (run_date, first_run_at, last_run_at, runs) \
         VALUES ($1, $2, $2, 1) ON CONFLICT (run_date) DO UPDATE \
         SET last_run_at = excluded.last_run_at, runs = statement_runs.runs + 1",
    )
    .bind(run_date.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every claim's figures from journal entries effective on or before
/// `as_of`, by guarantor account (claims oldest first).
pub async fn account_claims(
    conn: &mut AnyConnection,
    as_of: CalendarDate,
    account_id: Option<&str>,
) -> Result<BTreeMap<String, Vec<AccountClaim>>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT c.claim_id, c.account_id, c.encounter_id, c.first_date_of_service, c.status, \
         (SELECT COUNT(*) FROM remittance_claims r WHERE r.claim_id = c.claim_id) AS adjudications, \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'revenue' THEN -l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'cash' AND e.kind NOT IN {PAYMENT_KINDS} \
              THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account IN ('contractual_allowance', \
              'other_adjustment', 'bad_debt_expense') THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'cash' AND e.kind IN {PAYMENT_KINDS} \
              THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_insurance' THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_patient' THEN l.amount ELSE 0 END), 0) AS BIGINT) \
         FROM claims c JOIN journal_lines l ON l.claim_id = c.claim_id \
         JOIN journal_entries e ON e.entry_id = l.entry_id \
         WHERE e.effective_on <= $1 AND ($2 IS NULL OR c.account_id = $2) \
         GROUP BY c.claim_id, c.account_id, c.encounter_id, c.first_date_of_service, c.status \
         ORDER BY c.account_id, c.first_date_of_service, c.claim_id"
    ))
    .bind(as_of.to_string())
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    let mut out: BTreeMap<String, Vec<AccountClaim>> = BTreeMap::new();
    for row in rows {
        let dos: String = row.try_get(3)?;
        let status: String = row.try_get(4)?;
        let claim = AccountClaim {
            claim_id: row.try_get(0)?,
            encounter_id: row.try_get(2)?,
            date_of_service: text_date(&dos, "date of service")?,
            voided: status == "voided",
            adjudications: row.try_get(5)?,
            description: String::new(),
            charges: Money::from_cents(row.try_get(6)?),
            insurance_paid: Money::from_cents(row.try_get(7)?),
            adjustments: Money::from_cents(row.try_get(8)?),
            patient_paid: Money::from_cents(row.try_get(9)?),
            insurance_due: Money::from_cents(row.try_get(10)?),
            patient_due: Money::from_cents(row.try_get(11)?),
        };
        out.entry(row.try_get(1)?).or_default().push(claim);
    }
    Ok(out)
}

/// The codes of each of an account's claims (procedure code, else revenue
/// code, line by line), by claim id.
pub async fn claim_codes(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<BTreeMap<String, String>, ServiceError> {
    let rows = sqlx::query(
        "SELECT l.claim_id, l.procedure_code, l.revenue_code FROM claim_lines l \
         JOIN claims c ON c.claim_id = l.claim_id WHERE c.account_id = $1 \
         ORDER BY l.claim_id, l.line_number",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for row in rows {
        let procedure: String = row.try_get(1)?;
        let revenue: String = row.try_get(2)?;
        let code = if procedure.is_empty() {
            revenue
        } else {
            procedure
        };
        let codes = out.entry(row.try_get(0)?).or_default();
        if !codes.is_empty() {
            codes.push(' ');
        }
        codes.push_str(&code);
    }
    Ok(out)
}

/// Each account's unapplied credit (≤ 0: a credit) as of `as_of`.
pub async fn credits(
    conn: &mut AnyConnection,
    as_of: CalendarDate,
) -> Result<BTreeMap<String, Money>, ServiceError> {
    let rows = sqlx::query(
        "SELECT l.account_id, CAST(SUM(l.amount) AS BIGINT) FROM journal_lines l \
         JOIN journal_entries e ON e.entry_id = l.entry_id \
         WHERE l.ledger_account = 'unapplied_cash' AND l.account_id IS NOT NULL \
         AND e.effective_on <= $1 GROUP BY l.account_id",
    )
    .bind(as_of.to_string())
    .fetch_all(conn)
    .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        out.insert(row.try_get(0)?, Money::from_cents(row.try_get(1)?));
    }
    Ok(out)
}

/// An account's previous statement, as the next one needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Its cycle and date.
    pub statement: PreviousStatement,
    /// Its amount due.
    pub amount_due: Money,
    /// The claims it stated.
    pub claim_ids: std::collections::BTreeSet<String>,
}

/// The account's latest statement before `before`.
pub async fn previous(
    conn: &mut AnyConnection,
    account_id: &str,
    before: CalendarDate,
) -> Result<Option<Previous>, ServiceError> {
    let row = sqlx::query(
        "SELECT cycle, statement_date, amount_due, statement_id FROM statements \
         WHERE account_id = $1 AND statement_date < $2 \
         ORDER BY statement_date DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(before.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let date: String = row.try_get(1)?;
    let statement_id: String = row.try_get(3)?;
    let claims = sqlx::query("SELECT claim_id FROM statement_lines WHERE statement_id = $1")
        .bind(&statement_id)
        .fetch_all(conn)
        .await?;
    Ok(Some(Previous {
        statement: PreviousStatement {
            cycle: u32::try_from(row.try_get::<i64, _>(0)?).unwrap_or(1),
            date: text_date(&date, "statement date")?,
        },
        amount_due: Money::from_cents(row.try_get(2)?),
        claim_ids: claims
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?,
    }))
}

/// The account's payments and patient-balance adjustments effective after
/// `after` (all when `None`) up to `until`.
pub async fn activity(
    conn: &mut AnyConnection,
    account_id: &str,
    after: Option<CalendarDate>,
    until: CalendarDate,
) -> Result<(Money, Money), ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'cash' AND e.kind IN {PAYMENT_KINDS} \
              THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_patient' \
              AND e.kind IN {PATIENT_ADJUSTMENT_KINDS} THEN -l.amount ELSE 0 END), 0) AS BIGINT) \
         FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id \
         WHERE l.account_id = $1 AND ($2 IS NULL OR e.effective_on > $2) AND e.effective_on <= $3"
    ))
    .bind(account_id)
    .bind(after.map(|d| d.to_string()))
    .bind(until.to_string())
    .fetch_one(conn)
    .await?;
    Ok((
        Money::from_cents(row.try_get(0)?),
        Money::from_cents(row.try_get(1)?),
    ))
}

/// The guarantor's name and address lines as printed.
pub async fn guarantor(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<(String, Vec<String>), ServiceError> {
    let row = sqlx::query(
        "SELECT guarantor_first, guarantor_last, address_line1, address_line2, city, state, \
         postal_code FROM guarantor_accounts WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await?;
    let get = |i: usize| row.try_get::<String, _>(i);
    let name = format!("{} {}", get(0)?, get(1)?).trim().to_string();
    let city_line = format!("{}, {} {}", get(4)?, get(5)?, get(6)?);
    Ok((name, vec![get(2)?, get(3)?, city_line]))
}

/// The accounts placed with a collection agency now: the agency works
/// them, so the hospital sends them no statements.
pub async fn placed_accounts(
    conn: &mut AnyConnection,
) -> Result<std::collections::BTreeSet<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT account_id FROM collection_cases WHERE status = 'placed'")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}
