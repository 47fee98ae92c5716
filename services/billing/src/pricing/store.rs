//! Persistence of charge master and fee schedule versions. A version is
//! written whole (its old lines deleted first) inside the caller's
//! transaction; a read names the date of service and gets the version in
//! force on it.

use medbill_kernel::{CalendarDate, Modifier, Money, ProcedureCode, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::db::placeholders;
use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    ChargeMaster, ChargeMasterEntry, FeeRule, FeeSchedule, FeeScheduleEntry, PriceKey, RevenueCode,
};

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(format!("a stored {what} does not parse"))
}

fn key_of(row: &AnyRow, what: &str) -> Result<PriceKey, ServiceError> {
    let modifier: String = row.try_get("modifier")?;
    Ok(PriceKey {
        code: ProcedureCode::parse(&row.try_get::<String, _>("code")?)
            .map_err(|_| corrupt(what))?,
        modifier: if modifier.is_empty() {
            None
        } else {
            Some(Modifier::parse(&modifier).map_err(|_| corrupt(what))?)
        },
    })
}

/// ` AND code IN ($first, …)` for `n` codes; nothing (every code) when
/// `n` is 0.
fn code_condition(first: usize, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    format!(" AND code IN ({})", placeholders(first, n))
}

fn modifier_text(key: &PriceKey) -> String {
    key.modifier
        .as_ref()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default()
}

/// Writes the charge master version `master`, replacing one of the same
/// date.
pub async fn replace_charge_master(
    conn: &mut AnyConnection,
    master: &ChargeMaster,
) -> Result<(), ServiceError> {
    let from = master.effective_from.to_string();
    sqlx::query(
        "INSERT INTO charge_master_versions (effective_from, updated_at) VALUES ($1, $2) \
         ON CONFLICT (effective_from) DO UPDATE SET updated_at = excluded.updated_at",
    )
    .bind(&from)
    .bind(Timestamp::now().to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM charge_master_entries WHERE effective_from = $1")
        .bind(&from)
        .execute(&mut *conn)
        .await?;
    for e in &master.entries {
        sqlx::query(
            "INSERT INTO charge_master_entries \
             (effective_from, code, modifier, price, revenue_code, description) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&from)
        .bind(e.key.code.as_str())
        .bind(modifier_text(&e.key))
        .bind(e.price.cents())
        .bind(e.revenue_code.as_str())
        .bind(&e.description)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The charge master in force on `day` (only the lines of `codes` when
/// any are given); `None` before the first version.
pub async fn charge_master(
    conn: &mut AnyConnection,
    day: CalendarDate,
    codes: &[ProcedureCode],
) -> Result<Option<ChargeMaster>, ServiceError> {
    let from: Option<String> = sqlx::query_scalar(
        "SELECT MAX(effective_from) FROM charge_master_versions WHERE effective_from <= $1",
    )
    .bind(day.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let Some(from) = from else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT code, modifier, price, revenue_code, description FROM charge_master_entries \
         WHERE effective_from = $1{} ORDER BY code, modifier",
        code_condition(2, codes.len())
    );
    let mut query = sqlx::query(&sql).bind(&from);
    for code in codes {
        query = query.bind(code.as_str().to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let entries = rows
        .iter()
        .map(|row| {
            Ok(ChargeMasterEntry {
                key: key_of(row, "charge master line")?,
                price: Money::from_cents(row.try_get("price")?),
                revenue_code: RevenueCode::parse(&row.try_get::<String, _>("revenue_code")?)
                    .ok_or_else(|| corrupt("revenue code"))?,
                description: row.try_get("description")?,
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok(Some(ChargeMaster {
        effective_from: from.parse().map_err(|_| corrupt("charge master date"))?,
        entries,
    }))
}

/// Writes the fee schedule version `schedule` (creating the schedule or
/// renaming it), replacing one of the same date.
pub async fn replace_fee_schedule(
    conn: &mut AnyConnection,
    schedule: &FeeSchedule,
) -> Result<(), ServiceError> {
    let id = schedule.fee_schedule_id.as_str();
    let from = schedule.effective_from.to_string();
    sqlx::query(
        "INSERT INTO fee_schedules (fee_schedule_id, name) VALUES ($1, $2) \
         ON CONFLICT (fee_schedule_id) DO UPDATE SET name = excluded.name",
    )
    .bind(id)
    .bind(&schedule.name)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO fee_schedule_versions (fee_schedule_id, effective_from, conversion_factor, \
         updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (fee_schedule_id, effective_from) \
         DO UPDATE SET conversion_factor = excluded.conversion_factor, \
         updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(&from)
    .bind(
        schedule
            .conversion_factor
            .map(|f| f.to_string())
            .unwrap_or_default(),
    )
    .bind(Timestamp::now().to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM fee_schedule_entries WHERE fee_schedule_id = $1 AND effective_from = $2",
    )
    .bind(id)
    .bind(&from)
    .execute(&mut *conn)
    .await?;
    for e in &schedule.entries {
        let (method, amount, basis_points, rvu) = match e.rule {
            FeeRule::Fixed(m) => ("fixed", Some(m.cents()), None, None),
            FeeRule::PercentOfCharge(bp) => ("percent_of_charge", None, Some(i64::from(bp)), None),
            FeeRule::Rvu(r) => ("rvu", None, None, Some(r.to_string())),
        };
        sqlx::query(
            "INSERT INTO fee_schedule_entries (fee_schedule_id, effective_from, code, modifier, \
             method, amount, basis_points, rvu) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&from)
        .bind(e.key.code.as_str())
        .bind(modifier_text(&e.key))
        .bind(method)
        .bind(amount)
        .bind(basis_points)
        .bind(rvu)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn rule_of(row: &AnyRow) -> Result<FeeRule, ServiceError> {
    let bad = || corrupt("fee schedule line");
    let method: String = row.try_get("method")?;
    Ok(match method.as_str() {
        "fixed" => FeeRule::Fixed(Money::from_cents(
            row.try_get::<Option<i64>, _>("amount")?.ok_or_else(bad)?,
        )),
        "percent_of_charge" => FeeRule::PercentOfCharge(
            u32::try_from(
                row.try_get::<Option<i64>, _>("basis_points")?
                    .ok_or_else(bad)?,
            )
            .map_err(|_| bad())?,
        ),
        "rvu" => FeeRule::Rvu(
            row.try_get::<Option<String>, _>("rvu")?
                .ok_or_else(bad)?
                .parse::<Decimal>()
                .map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    })
}

/// Fee schedule `fee_schedule_id` as in force on `day` (only the lines of
/// `codes` when any are given); `None` when it does not exist or starts later.
pub async fn fee_schedule(
    conn: &mut AnyConnection,
    fee_schedule_id: &str,
    day: CalendarDate,
    codes: &[ProcedureCode],
) -> Result<Option<FeeSchedule>, ServiceError> {
    let version = sqlx::query(
        "SELECT s.name, v.effective_from, v.conversion_factor FROM fee_schedules s \
         JOIN fee_schedule_versions v ON v.fee_schedule_id = s.fee_schedule_id \
         WHERE s.fee_schedule_id = $1 AND v.effective_from <= $2 \
         ORDER BY v.effective_from DESC LIMIT 1",
    )
    .bind(fee_schedule_id)
    .bind(day.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(version) = version else {
        return Ok(None);
    };
    let from: String = version.try_get("effective_from")?;
    let factor: String = version.try_get("conversion_factor")?;
    let sql = format!(
        "SELECT code, modifier, method, amount, basis_points, rvu FROM fee_schedule_entries \
         WHERE fee_schedule_id = $1 AND effective_from = $2{} ORDER BY code, modifier",
        code_condition(3, codes.len())
    );
    let mut query = sqlx::query(&sql).bind(fee_schedule_id).bind(&from);
    for code in codes {
        query = query.bind(code.as_str().to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let entries = rows
        .iter()
        .map(|row| {
            Ok(FeeScheduleEntry {
                key: key_of(row, "fee schedule line")?,
                rule: rule_of(row)?,
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok(Some(FeeSchedule {
        fee_schedule_id: fee_schedule_id.to_string(),
        name: version.try_get("name")?,
        effective_from: from.parse().map_err(|_| corrupt("fee schedule date"))?,
        conversion_factor: if factor.is_empty() {
            None
        } else {
            Some(factor.parse().map_err(|_| corrupt("conversion factor"))?)
        },
        entries,
    }))
}

/// Whether fee schedule `fee_schedule_id` exists (any version).
pub async fn fee_schedule_exists(
    conn: &mut AnyConnection,
    fee_schedule_id: &str,
) -> Result<bool, ServiceError> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM fee_schedules WHERE fee_schedule_id = $1")
            .bind(fee_schedule_id)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}
