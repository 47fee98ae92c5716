//! Reading guarantor accounts and their journal lines.

use medbill_kernel::Money;
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

/// A guarantor account with its balances.
#[derive(Debug, Clone)]
pub struct AccountView {
    /// Its id.
    pub account_id: String,
    /// The patient's MRN (patient data).
    pub patient_mrn: medbill_kernel::Redacted<String>,
    /// Patient AR plus the account's unapplied credit (negative: a credit
    /// to refund).
    pub patient_balance: Money,
    /// Insurance AR on the account's claims.
    pub insurance_balance: Money,
    /// When it was opened (RFC 3339).
    pub opened_at: String,
    /// Whether it is placed with a collection agency now.
    pub in_collections: bool,
    /// Its active payment plan, if any.
    pub payment_plan_id: Option<String>,
}

/// Placement and active plan of the account in `a.account_id`.
const COLLECTION_COLUMNS: &str = "(SELECT COUNT(*) FROM collection_cases cc \
     WHERE cc.account_id = a.account_id AND cc.status = 'placed'), \
     (SELECT pp.plan_id FROM payment_plans pp \
     WHERE pp.account_id = a.account_id AND pp.status = 'active')";

/// The account `account_id`, or the first opened for `mrn`.
pub async fn find(
    conn: &mut AnyConnection,
    account_id: Option<&str>,
    mrn: Option<&str>,
) -> Result<Option<AccountView>, ServiceError> {
    // Only the conditions asked for go into the statement, so each can use
    // its index: a catch-all `$1 IS NULL OR ...` keeps PostgreSQL's generic
    // plan of the prepared statement off them.
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (column, value) in [("a.account_id", account_id), ("a.patient_mrn", mrn)] {
        if let Some(value) = value {
            values.push(value);
            conditions.push(format!("{column} = ${}", values.len()));
        }
    }
    let filtered = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT a.account_id, a.patient_mrn, a.opened_at, {COLLECTION_COLUMNS} \
         FROM guarantor_accounts a{filtered} ORDER BY a.account_id LIMIT 1"
    );
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(value);
    }
    let row = query.fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let account_id: String = row.try_get(0)?;
    let balance = |account: &'static str| {
        sqlx::query(
            "SELECT CAST(SUM(amount) AS BIGINT) FROM journal_lines \
             WHERE account_id = $1 AND ledger_account = $2",
        )
        .bind(account_id.clone())
        .bind(account)
    };
    let patient: Option<i64> = balance("ar_patient")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    // Money the guarantor paid beyond what any claim owed is their credit.
    let credit: Option<i64> = balance("unapplied_cash")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let insurance: Option<i64> = balance("ar_insurance")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(Some(AccountView {
        patient_mrn: medbill_kernel::Redacted::new(row.try_get(1)?),
        opened_at: row.try_get(2)?,
        patient_balance: Money::from_cents(patient.unwrap_or(0) + credit.unwrap_or(0)),
        insurance_balance: Money::from_cents(insurance.unwrap_or(0)),
        in_collections: row.try_get::<i64, _>(3)? > 0,
        payment_plan_id: row.try_get(4)?,
        account_id,
    }))
}

/// Up to `limit` accounts after `after` (by id) whose patient balance
/// (patient AR plus unapplied credit) is at least `min_patient_balance`.
pub async fn list(
    conn: &mut AnyConnection,
    min_patient_balance: Money,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AccountView>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT a.account_id, a.patient_mrn, a.opened_at, {COLLECTION_COLUMNS}, \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account IN ('ar_patient', 'unapplied_cash') \
              THEN l.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_insurance' \
              THEN l.amount ELSE 0 END), 0) AS BIGINT) \
         FROM guarantor_accounts a LEFT JOIN journal_lines l ON l.account_id = a.account_id \
         WHERE ($1 IS NULL OR a.account_id > $1) \
         GROUP BY a.account_id, a.patient_mrn, a.opened_at \
         HAVING COALESCE(SUM(CASE WHEN l.ledger_account IN ('ar_patient', 'unapplied_cash') \
              THEN l.amount ELSE 0 END), 0) >= $2 \
         ORDER BY a.account_id LIMIT $3"
    ))
    .bind(after)
    .bind(min_patient_balance.cents())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(AccountView {
            account_id: row.try_get(0)?,
            patient_mrn: medbill_kernel::Redacted::new(row.try_get(1)?),
            opened_at: row.try_get(2)?,
            in_collections: row.try_get::<i64, _>(3)? > 0,
            payment_plan_id: row.try_get(4)?,
            patient_balance: Money::from_cents(row.try_get(5)?),
            insurance_balance: Money::from_cents(row.try_get(6)?),
        });
    }
    Ok(out)
}

/// One journal line of an account.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    /// The journal entry.
    pub entry_id: String,
    /// Its position in the entry.
    pub position: i64,
    /// Its kind (`claim_opened`, `remittance_payment`, ...).
    pub kind: String,
    /// The ledger account.
    pub ledger_account: String,
    /// Debit positive, credit negative.
    pub amount: Money,
    /// The claim.
    pub claim_id: Option<String>,
    /// The claim line's REF*6R control number.
    pub line_control_number: Option<String>,
    /// When posted (RFC 3339).
    pub posted_at: String,
    /// The entry's memo.
    pub memo: String,
}

impl LedgerLine {
    /// The line's paging key.
    pub fn key(&self) -> String {
        format!("{}|{}", self.entry_id, self.position)
    }
}

const LINE_SELECT: &str = "SELECT l.entry_id, l.position, e.kind, l.ledger_account, l.amount, \
     l.claim_id, c.line_control_number, e.posted_at, e.memo \
     FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id \
     LEFT JOIN claim_lines c ON c.claim_id = l.claim_id AND c.line_number = l.line_number";

/// Up to `limit` journal lines of an account, oldest first, after the
/// paging key `after`.
pub async fn lines(
    conn: &mut AnyConnection,
    account_id: &str,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<LedgerLine>, ServiceError> {
    let (after_entry, after_position) = after.unwrap_or(("", 0));
    let rows = sqlx::query(&format!(
        "{LINE_SELECT} WHERE l.account_id = $1 \
         AND (l.entry_id > $2 OR (l.entry_id = $2 AND l.position > $3)) \
         ORDER BY l.entry_id, l.position LIMIT $4"
    ))
    .bind(account_id)
    .bind(after_entry)
    .bind(after_position)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    to_lines(rows)
}

/// The journal lines of the entries `source_id` caused (a payment's).
pub async fn lines_by_source(
    conn: &mut AnyConnection,
    source_id: &str,
) -> Result<Vec<LedgerLine>, ServiceError> {
    let rows = sqlx::query(&format!(
        "{LINE_SELECT} WHERE e.source_id = $1 ORDER BY l.entry_id, l.position"
    ))
    .bind(source_id)
    .fetch_all(conn)
    .await?;
    to_lines(rows)
}

fn to_lines(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<LedgerLine>, ServiceError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(LedgerLine {
            entry_id: row.try_get(0)?,
            position: row.try_get(1)?,
            kind: row.try_get(2)?,
            ledger_account: row.try_get(3)?,
            amount: Money::from_cents(row.try_get(4)?),
            claim_id: row.try_get(5)?,
            line_control_number: row.try_get(6)?,
            posted_at: row.try_get(7)?,
            memo: row.try_get(8)?,
        });
    }
    Ok(out)
}
