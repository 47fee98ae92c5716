//! Statements as sent: stored once per guarantor and day with their lines
//! and text, read back for `GetStatement` and `ListStatements`.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::render::PrintedLine;
use super::store::text_date;
use crate::reporting::domain::Buckets;

/// A statement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatement {
    /// Its id.
    pub statement_id: String,
    /// The account.
    pub account_id: String,
    /// Statement date.
    pub statement_date: CalendarDate,
    /// Due date.
    pub due_date: CalendarDate,
    /// Dunning cycle.
    pub cycle: u32,
    /// Whether it is the final notice.
    pub final_notice: bool,
    /// Whether a payment plan held the cycle back.
    pub dunning_suspended: bool,
    /// The dunning message.
    pub message: String,
    /// Previous balance, new charges, payments, adjustments, amount due.
    pub figures: super::domain::Figures,
    /// Amount due by age.
    pub aging: Buckets,
    /// The printed text.
    pub text: String,
    /// Its claims.
    pub lines: Vec<PrintedLine>,
}

/// Stores `s` unless the account has a statement of that date; returns
/// whether it was stored (the unique key decides, so concurrent runs store
/// one).
pub async fn insert(
    conn: &mut AnyConnection,
    s: &StoredStatement,
    created_at: &str,
) -> Result<bool, sqlx::Error> {
    let b = &s.aging.0;
    let inserted = sqlx::query(
        "INSERT INTO statements (statement_id, account_id, statement_date, due_date, cycle, \
         final_notice, dunning_suspended, message, previous_balance, new_charges, payments, \
         adjustments, amount_due, days_0_30, days_31_60, days_61_90, days_91_120, days_over_120, \
         rendered_text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20) \
         ON CONFLICT (account_id, statement_date) DO NOTHING",
    )
    .bind(&s.statement_id)
    .bind(&s.account_id)
    .bind(s.statement_date.to_string())
    .bind(s.due_date.to_string())
    .bind(i64::from(s.cycle))
    .bind(i64::from(s.final_notice))
    .bind(i64::from(s.dunning_suspended))
    .bind(&s.message)
    .bind(s.figures.previous_balance.cents())
    .bind(s.figures.new_charges.cents())
    .bind(s.figures.payments.cents())
    .bind(s.figures.adjustments.cents())
    .bind(s.figures.amount_due.cents())
    .bind(b[0].cents())
    .bind(b[1].cents())
    .bind(b[2].cents())
    .bind(b[3].cents())
    .bind(b[4].cents())
    .bind(&s.text)
    .bind(created_at)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(false);
    }
    for (i, l) in s.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO statement_lines (statement_id, position, claim_id, date_of_service, \
             description, charges, insurance_paid, adjustments, patient_paid, patient_due) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&s.statement_id)
        .bind(i as i64 + 1)
        .bind(&l.claim_id)
        .bind(l.date_of_service.to_string())
        .bind(&l.description)
        .bind(l.charges.cents())
        .bind(l.insurance_paid.cents())
        .bind(l.adjustments.cents())
        .bind(l.patient_paid.cents())
        .bind(l.patient_due.cents())
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The ids of the statements dated `date`.
pub async fn ids_of_date(
    conn: &mut AnyConnection,
    date: CalendarDate,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT statement_id FROM statements WHERE statement_date = $1 ORDER BY statement_id",
    )
    .bind(date.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

const SELECT: &str = "SELECT statement_id, account_id, statement_date, due_date, cycle, \
     final_notice, dunning_suspended, message, previous_balance, new_charges, payments, \
     adjustments, amount_due, days_0_30, days_31_60, days_61_90, days_91_120, days_over_120, \
     rendered_text FROM statements";

/// The statement `statement_id` with its lines.
pub async fn by_id(
    conn: &mut AnyConnection,
    statement_id: &str,
) -> Result<Option<StoredStatement>, ServiceError> {
    let row = sqlx::query(&format!("{SELECT} WHERE statement_id = $1"))
        .bind(statement_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut s = from_row(&row)?;
    s.lines = lines(conn, &s.statement_id).await?;
    Ok(Some(s))
}

/// Up to `limit` statements of an account, newest first, after the paging
/// key `after` (`date|id`).
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<StoredStatement>, ServiceError> {
    let (after_date, after_id) = after.unzip();
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE account_id = $1 AND ($2 IS NULL OR statement_date < $2 \
         OR (statement_date = $2 AND statement_id < $3)) \
         ORDER BY statement_date DESC, statement_id DESC LIMIT $4"
    ))
    .bind(account_id)
    .bind(after_date)
    .bind(after_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut s = from_row(&row)?;
        s.lines = lines(conn, &s.statement_id).await?;
        out.push(s);
    }
    Ok(out)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredStatement, ServiceError> {
    let cents = |i: usize| -> Result<Money, sqlx::Error> { Ok(Money::from_cents(row.try_get(i)?)) };
    let statement_date: String = row.try_get(2)?;
    let due_date: String = row.try_get(3)?;
    Ok(StoredStatement {
        statement_id: row.try_get(0)?,
        account_id: row.try_get(1)?,
        statement_date: text_date(&statement_date, "statement date")?,
        due_date: text_date(&due_date, "due date")?,
        cycle: u32::try_from(row.try_get::<i64, _>(4)?).unwrap_or(0),
        final_notice: row.try_get::<i64, _>(5)? == 1,
        dunning_suspended: row.try_get::<i64, _>(6)? == 1,
        message: row.try_get(7)?,
        figures: super::domain::Figures {
            previous_balance: cents(8)?,
            new_charges: cents(9)?,
            payments: cents(10)?,
            adjustments: cents(11)?,
            amount_due: cents(12)?,
        },
        aging: Buckets([cents(13)?, cents(14)?, cents(15)?, cents(16)?, cents(17)?]),
        text: row.try_get(18)?,
        lines: Vec::new(),
    })
}

async fn lines(
    conn: &mut AnyConnection,
    statement_id: &str,
) -> Result<Vec<PrintedLine>, ServiceError> {
    let rows = sqlx::query(
        "SELECT claim_id, date_of_service, description, charges, insurance_paid, adjustments, \
         patient_paid, patient_due FROM statement_lines WHERE statement_id = $1 ORDER BY position",
    )
    .bind(statement_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let dos: String = row.try_get(1)?;
        out.push(PrintedLine {
            claim_id: row.try_get(0)?,
            date_of_service: text_date(&dos, "date of service")?,
            description: row.try_get(2)?,
            charges: Money::from_cents(row.try_get(3)?),
            insurance_paid: Money::from_cents(row.try_get(4)?),
            adjustments: Money::from_cents(row.try_get(5)?),
            patient_paid: Money::from_cents(row.try_get(6)?),
            patient_due: Money::from_cents(row.try_get(7)?),
        });
    }
    Ok(out)
}
