//! Persistence of payment plans and the reads that evaluate them.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::{Installment, PlanStatus, Standing, standing};

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// Its id.
    pub plan_id: String,
    /// The account.
    pub account_id: String,
    /// Stored status.
    pub status: PlanStatus,
    /// What the plan covers.
    pub total: Money,
    /// Every installment but the last.
    pub installment_amount: Money,
    /// Day of the month installments are due.
    pub due_day: u32,
    /// The day the schedule starts from.
    pub start_date: CalendarDate,
    /// Payments received on or after this day count.
    pub created_on: CalendarDate,
    /// When created (RFC 3339).
    pub created_at: String,
    /// Why it was cancelled.
    pub close_reason: String,
    /// Its installments in order.
    pub installments: Vec<Installment>,
}

fn date(text: &str) -> Result<CalendarDate, ServiceError> {
    text.parse()
        .map_err(|_| ServiceError::Internal(format!("a stored plan date {text:?} is not a date")))
}

/// Stores `plan` and its installments.
pub async fn insert(
    conn: &mut AnyConnection,
    plan: &StoredPlan,
    created_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_plans (plan_id, account_id, status, total, installment_amount, \
         due_day, start_date, created_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&plan.plan_id)
    .bind(&plan.account_id)
    .bind(plan.status.as_str())
    .bind(plan.total.cents())
    .bind(plan.installment_amount.cents())
    .bind(i64::from(plan.due_day))
    .bind(plan.start_date.to_string())
    .bind(plan.created_on.to_string())
    .bind(&plan.created_at)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    for i in &plan.installments {
        sqlx::query(
            "INSERT INTO payment_plan_installments (plan_id, number, due_on, amount) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&plan.plan_id)
        .bind(i64::from(i.number))
        .bind(i.due.to_string())
        .bind(i.amount.cents())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const SELECT: &str = "SELECT plan_id, account_id, status, total, installment_amount, due_day, \
     start_date, created_on, created_at, close_reason FROM payment_plans";

/// The plan `plan_id`.
pub async fn by_id(
    conn: &mut AnyConnection,
    plan_id: &str,
) -> Result<Option<StoredPlan>, ServiceError> {
    let row = sqlx::query(&format!("{SELECT} WHERE plan_id = $1"))
        .bind(plan_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some(with_installments(conn, &row).await?)),
    }
}

/// The account's active plan, if any.
pub async fn active_for(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Option<StoredPlan>, ServiceError> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE account_id = $1 AND status = 'active'"
    ))
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some(with_installments(conn, &row).await?)),
    }
}

/// Plans of `account_id` (all accounts when `None`), oldest first.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: Option<&str>,
) -> Result<Vec<StoredPlan>, ServiceError> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 IS NULL OR account_id = $1) ORDER BY plan_id LIMIT 500"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_installments(conn, &row).await?);
    }
    Ok(out)
}

async fn with_installments(
    conn: &mut AnyConnection,
    row: &sqlx::any::AnyRow,
) -> Result<StoredPlan, ServiceError> {
    let status: String = row.try_get(2)?;
    let plan_id: String = row.try_get(0)?;
    let rows = sqlx::query(
        "SELECT number, due_on, amount FROM payment_plan_installments WHERE plan_id = $1 \
         ORDER BY number",
    )
    .bind(&plan_id)
    .fetch_all(conn)
    .await?;
    let mut installments = Vec::with_capacity(rows.len());
    for r in rows {
        let due: String = r.try_get(1)?;
        installments.push(Installment {
            number: u32::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0),
            due: date(&due)?,
            amount: Money::from_cents(r.try_get(2)?),
        });
    }
    let start: String = row.try_get(6)?;
    let created_on: String = row.try_get(7)?;
    Ok(StoredPlan {
        plan_id,
        account_id: row.try_get(1)?,
        status: PlanStatus::parse(&status)
            .ok_or_else(|| ServiceError::Internal(format!("unknown plan status {status}")))?,
        total: Money::from_cents(row.try_get(3)?),
        installment_amount: Money::from_cents(row.try_get(4)?),
        due_day: u32::try_from(row.try_get::<i64, _>(5)?).unwrap_or(0),
        start_date: date(&start)?,
        created_on: date(&created_on)?,
        created_at: row.try_get(8)?,
        close_reason: row.try_get(9)?,
        installments,
    })
}

/// Patient payments on the account received from `since` to `until`
/// (both included): what applies to a plan created on `since`.
pub async fn paid_toward(
    conn: &mut AnyConnection,
    account_id: &str,
    since: CalendarDate,
    until: CalendarDate,
) -> Result<Money, ServiceError> {
    let total: Option<i64> = sqlx::query(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM patient_payments \
         WHERE account_id = $1 AND received_on >= $2 AND received_on <= $3",
    )
    .bind(account_id)
    .bind(since.to_string())
    .bind(until.to_string())
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(Money::from_cents(total.unwrap_or(0)))
}

/// Moves an active plan to `to` on `on`; returns whether it was active.
pub async fn close(
    conn: &mut AnyConnection,
    plan_id: &str,
    to: PlanStatus,
    on: CalendarDate,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE payment_plans SET status = $1, closed_on = $2, close_reason = $3 \
         WHERE plan_id = $4 AND status = 'active'",
    )
    .bind(to.as_str())
    .bind(on.to_string())
    .bind(reason)
    .bind(plan_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The plan's standing on `as_of`; an active plan that completed or
/// defaulted by then is stored so (its new status is in `plan.status`).
pub async fn evaluate(
    conn: &mut AnyConnection,
    plan: &mut StoredPlan,
    as_of: CalendarDate,
    misses_to_default: u32,
) -> Result<Standing, ServiceError> {
    let standing = project(conn, plan, as_of, misses_to_default).await?;
    if plan.status == PlanStatus::Active && standing.status != PlanStatus::Active {
        let reason = match standing.status {
            PlanStatus::Defaulted => format!("{} installments missed", standing.missed.len()),
            PlanStatus::Completed => "paid in full".to_string(),
            PlanStatus::Active | PlanStatus::Cancelled => String::new(),
        };
        close(conn, &plan.plan_id, standing.status, as_of, &reason).await?;
        plan.status = standing.status;
        plan.close_reason = reason;
    }
    Ok(standing)
}

/// The plan's standing on `as_of` without storing anything (for a day
/// after today, whose misses have not happened yet).
pub async fn project(
    conn: &mut AnyConnection,
    plan: &StoredPlan,
    as_of: CalendarDate,
    misses_to_default: u32,
) -> Result<Standing, ServiceError> {
    let paid = paid_toward(conn, &plan.account_id, plan.created_on, as_of).await?;
    Ok(standing(
        plan.status,
        &plan.installments,
        paid,
        as_of,
        misses_to_default,
    ))
}

/// Whether the account has a plan in good standing on `as_of` (active and
/// not defaulted by then): dunning is suspended while it has. A plan that
/// completed or defaulted by `as_of` is stored so, unless `as_of` is after
/// `today` (a day whose misses have not happened yet).
pub async fn in_good_standing(
    conn: &mut AnyConnection,
    account_id: &str,
    as_of: CalendarDate,
    today: CalendarDate,
    misses_to_default: u32,
) -> Result<bool, ServiceError> {
    let Some(mut plan) = active_for(conn, account_id).await? else {
        return Ok(false);
    };
    if plan.created_on > as_of {
        return Ok(false);
    }
    let standing = if as_of <= today {
        evaluate(conn, &mut plan, as_of, misses_to_default).await?
    } else {
        project(conn, &plan, as_of, misses_to_default).await?
    };
    Ok(standing.status == PlanStatus::Active)
}

/// The account's patient balance: patient AR plus its unapplied credit.
pub async fn patient_balance(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Money, ServiceError> {
    let total: Option<i64> = sqlx::query(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM journal_lines WHERE account_id = $1 \
         AND ledger_account IN ('ar_patient', 'unapplied_cash')",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(Money::from_cents(total.unwrap_or(0)))
}
