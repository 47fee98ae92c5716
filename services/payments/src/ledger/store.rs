//! Appending journal entries and summing journal lines. Entries are only
//! inserted (the tables' triggers refuse anything else); every balance is a
//! `SUM` over lines.

use std::collections::BTreeMap;

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{CalendarDate, Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::{ClaimAudit, JournalEntry, JournalLine, LedgerAccount};

/// Lines per INSERT: 8 parameters a line stays far below both backends'
/// limits on bound parameters.
const LINES_PER_STATEMENT: usize = 400;

/// Where an entry came from and when it counts.
#[derive(Debug, Clone)]
pub struct EntrySource<'a> {
    /// What caused it (a remittance id, a billing event id).
    pub source_id: &'a str,
    /// The day the money moved.
    pub effective_on: CalendarDate,
    /// When it was posted.
    pub posted_at: Timestamp,
}

/// Entries per INSERT into `journal_entries` (6 parameters each).
const ENTRIES_PER_STATEMENT: usize = 500;

/// Appends `entry`; returns its id.
pub async fn append(
    conn: &mut AnyConnection,
    entry: &JournalEntry,
    source: &EntrySource<'_>,
) -> Result<String, sqlx::Error> {
    let mut ids = append_many(conn, std::slice::from_ref(entry), source).await?;
    Ok(ids.pop().unwrap_or_default())
}

/// Appends `entries` from one source in a few multi-row statements (a
/// remittance posts thousands); returns their ids in order.
pub async fn append_many(
    conn: &mut AnyConnection,
    entries: &[JournalEntry],
    source: &EntrySource<'_>,
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> = entries.iter().map(|_| new_uuid_v7()).collect();
    let posted_at = source.posted_at.to_string();
    let effective_on = source.effective_on.to_string();
    let numbered: Vec<(&String, &JournalEntry)> = ids.iter().zip(entries).collect();
    for chunk in numbered.chunks(ENTRIES_PER_STATEMENT) {
        let sql = values_sql(
            "INSERT INTO journal_entries (entry_id, kind, posted_at, effective_on, source_id, memo) VALUES ",
            chunk.len(),
            6,
        );
        let mut query = sqlx::query(&sql);
        for (id, entry) in chunk {
            query = query
                .bind((*id).clone())
                .bind(entry.kind)
                .bind(posted_at.clone())
                .bind(effective_on.clone())
                .bind(source.source_id.to_string())
                .bind(entry.memo.clone());
        }
        query.execute(&mut *conn).await?;
    }
    let lines: Vec<(&String, usize, &JournalLine)> = numbered
        .iter()
        .flat_map(|(id, entry)| {
            entry
                .lines
                .iter()
                .enumerate()
                .map(move |(i, line)| (*id, i + 1, line))
        })
        .collect();
    for chunk in lines.chunks(LINES_PER_STATEMENT) {
        let sql = values_sql(
            "INSERT INTO journal_lines (entry_id, position, ledger_account, amount, claim_id, \
             line_number, account_id, payer_id) VALUES ",
            chunk.len(),
            8,
        );
        let mut query = sqlx::query(&sql);
        for (id, position, line) in chunk {
            query = query
                .bind((*id).clone())
                .bind(*position as i64)
                .bind(line.account.as_str())
                .bind(line.amount.cents())
                .bind(line.refs.claim_id.as_ref().map(|c| c.as_str().to_string()))
                .bind(line.refs.line_number.map(i64::from))
                .bind(
                    line.refs
                        .account_id
                        .as_ref()
                        .map(|a| a.as_str().to_string()),
                )
                .bind(line.refs.payer_id.as_ref().map(|p| p.as_str().to_string()));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// `prefix` followed by `rows` groups of `width` numbered parameters:
/// `($1, $2), ($3, $4)`.
pub fn values_sql(prefix: &str, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * width * 5);
    sql.push_str(prefix);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * width + column + 1));
        }
        sql.push(')');
    }
    sql
}

/// What the audit read from the journal.
#[derive(Debug, Clone, Default)]
pub struct LedgerAuditRows {
    /// Every claim with journal lines, with its figures.
    pub claims: BTreeMap<String, ClaimAudit>,
    /// Entries whose lines do not sum to zero.
    pub unbalanced_entries: Vec<String>,
    /// How many entries there are.
    pub entries: u64,
}

/// Sums the journal per claim and account, and finds unbalanced entries.
pub async fn audit(conn: &mut AnyConnection) -> Result<LedgerAuditRows, ServiceError> {
    let mut out = LedgerAuditRows::default();
    let rows = sqlx::query(
        "SELECT claim_id, ledger_account, CAST(SUM(amount) AS BIGINT) FROM journal_lines \
         WHERE claim_id IS NOT NULL GROUP BY claim_id, ledger_account",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let claim_id: String = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let total: i64 = row.try_get(2)?;
        let account = LedgerAccount::parse(&name)
            .ok_or_else(|| ServiceError::Internal(format!("unknown ledger account {name}")))?;
        out.claims
            .entry(claim_id)
            .or_default()
            .add(account, Money::from_cents(total))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    let rows = sqlx::query(
        "SELECT entry_id FROM journal_lines GROUP BY entry_id HAVING SUM(amount) <> 0 \
         ORDER BY entry_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        out.unbalanced_entries.push(row.try_get(0)?);
    }
    let entries: i64 = sqlx::query("SELECT COUNT(*) FROM journal_entries")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    out.entries = entries as u64;
    Ok(out)
}

/// The balance of `account` for one claim (debit positive).
pub async fn claim_balance(
    conn: &mut AnyConnection,
    claim_id: &str,
    account: LedgerAccount,
) -> Result<Money, sqlx::Error> {
    let total: Option<i64> = sqlx::query(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM journal_lines \
         WHERE claim_id = $1 AND ledger_account = $2",
    )
    .bind(claim_id)
    .bind(account.as_str())
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(Money::from_cents(total.unwrap_or(0)))
}

/// The balance of `account` per line of one claim's receivable owed by or
/// to one payer (debit positive; claim level under `None`): a claim billed
/// to a second payer carries the first claim's receivable on.
pub async fn claim_line_balances_of_payer(
    conn: &mut AnyConnection,
    claim_id: &str,
    payer_id: &str,
    account: LedgerAccount,
) -> Result<BTreeMap<Option<u32>, Money>, sqlx::Error> {
    line_balances(conn, claim_id, Some(payer_id), account).await
}

/// The balance of `account` per line of one claim (debit positive; lines
/// posted at claim level are under `None`).
pub async fn claim_line_balances(
    conn: &mut AnyConnection,
    claim_id: &str,
    account: LedgerAccount,
) -> Result<BTreeMap<Option<u32>, Money>, sqlx::Error> {
    line_balances(conn, claim_id, None, account).await
}

async fn line_balances(
    conn: &mut AnyConnection,
    claim_id: &str,
    payer_id: Option<&str>,
    account: LedgerAccount,
) -> Result<BTreeMap<Option<u32>, Money>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT line_number, CAST(SUM(amount) AS BIGINT) FROM journal_lines \
         WHERE claim_id = $1 AND ledger_account = $2 AND ($3 = '' OR payer_id = $3) \
         GROUP BY line_number",
    )
    .bind(claim_id)
    .bind(account.as_str())
    .bind(payer_id.unwrap_or(""))
    .fetch_all(conn)
    .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        let line: Option<i64> = row.try_get(0)?;
        let total: i64 = row.try_get(1)?;
        out.insert(
            line.and_then(|l| u32::try_from(l).ok()),
            Money::from_cents(total),
        );
    }
    Ok(out)
}
