//! Persistence of eligibility inquiries and the 271 answers recorded on
//! them.

use medbill_kernel::{CalendarDate, Money, Timestamp};
use std::collections::{BTreeSet, HashSet};

use medbill_platform::ServiceError;
use medbill_platform::db::value_rows;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::registry::coverage::CoverageId;

/// One 270 we sent and, once its 271 arrived, the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    /// Its id (a UUID).
    pub inquiry_id: String,
    /// The coverage asked about.
    pub coverage_id: CoverageId,
    /// The date of service asked about (DTP*291).
    pub date_of_service: CalendarDate,
    /// EQ01 service type codes.
    pub service_types: Vec<String>,
    /// TRN02 of the 270, echoed by the 271.
    pub trace_number: String,
    /// The 270 file's name in the clearinghouse folder, or
    /// `realtime-<PayloadID>` for one posted in real time
    /// ([`super::real_time`]).
    pub file_name: String,
    /// Who asked.
    pub created_by: String,
    /// When the 270 was sent.
    pub created_at: Timestamp,
    /// The recorded 271, if it arrived.
    pub answer: Option<Answer>,
}

/// What a 271 said about one inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Whether the coverage is active on the date asked about.
    pub active: bool,
    /// EB05 of the active coverage; empty when none.
    pub plan: String,
    /// AAA reasons (the payer could not answer, or not for this member).
    pub rejections: Vec<String>,
    /// The EB lines.
    pub benefits: Vec<BenefitLine>,
    /// When it was recorded.
    pub answered_at: Timestamp,
}

/// One EB line of a 271.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitLine {
    /// EB01.
    pub info_code: String,
    /// EB03 (comma-separated when several).
    pub service_type: String,
    /// EB06 time period qualifier.
    pub period: String,
    /// EB07.
    pub amount: Option<Money>,
    /// EB08 in basis points.
    pub percent_basis_points: u32,
    /// EB12 `Y`.
    pub in_network: bool,
}

const COLUMNS: &str = "inquiry_id, coverage_id, date_of_service, service_types, trace_number, \
    file_name, status, active, plan, rejections, created_by, created_at, answered_at";

/// Saves a new, pending inquiry.
pub async fn insert(conn: &mut AnyConnection, q: &Inquiry) -> Result<(), ServiceError> {
    sqlx::query(&format!(
        "INSERT INTO eligibility_inquiries ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, '', '', $7, $8, '')"
    ))
    .bind(&q.inquiry_id)
    .bind(q.coverage_id.as_str())
    .bind(q.date_of_service.to_string())
    .bind(q.service_types.join(","))
    .bind(&q.trace_number)
    .bind(&q.file_name)
    .bind(&q.created_by)
    .bind(q.created_at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the 271's answer on a pending inquiry; false when it was
/// answered already (the first answer stands).
pub async fn record_answer(
    conn: &mut AnyConnection,
    inquiry_id: &str,
    answer: &Answer,
) -> Result<bool, ServiceError> {
    let done = sqlx::query(
        "UPDATE eligibility_inquiries SET status = 'answered', active = $1, plan = $2, \
         rejections = $3, answered_at = $4 WHERE inquiry_id = $5 AND status = 'pending'",
    )
    .bind(i64::from(answer.active))
    .bind(&answer.plan)
    .bind(answer.rejections.join("\n"))
    .bind(answer.answered_at.to_string())
    .bind(inquiry_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for (i, b) in answer.benefits.iter().enumerate() {
        sqlx::query(
            "INSERT INTO eligibility_benefits (inquiry_id, position, info_code, service_type, \
             period, amount_cents, percent_basis_points, in_network) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(inquiry_id)
        .bind(i as i64)
        .bind(&b.info_code)
        .bind(&b.service_type)
        .bind(&b.period)
        .bind(b.amount.map(Money::cents))
        .bind(i64::from(b.percent_basis_points))
        .bind(i64::from(b.in_network))
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Deletes inquiry `inquiry_id` if it is still pending (a real-time
/// inquiry that got no usable answer); true when it was.
pub async fn forget_pending(
    conn: &mut AnyConnection,
    inquiry_id: &str,
) -> Result<bool, ServiceError> {
    let done = sqlx::query(
        "DELETE FROM eligibility_inquiries WHERE inquiry_id = $1 AND status = 'pending'",
    )
    .bind(inquiry_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the pending inquiries whose `file_name` starts with `prefix`
/// (no `%` or `_` in it: a LIKE pattern) created before `before`; how many
/// there were. Timestamps are stored in one fixed format, so their text
/// order is their time order.
pub async fn forget_pending_named(
    conn: &mut AnyConnection,
    prefix: &str,
    before: Timestamp,
) -> Result<u64, ServiceError> {
    let done = sqlx::query(
        "DELETE FROM eligibility_inquiries WHERE status = 'pending' \
         AND file_name LIKE $1 AND created_at < $2",
    )
    .bind(format!("{prefix}%"))
    .bind(before.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

async fn benefits(
    conn: &mut AnyConnection,
    inquiry_id: &str,
) -> Result<Vec<BenefitLine>, ServiceError> {
    let rows = sqlx::query(
        "SELECT info_code, service_type, period, amount_cents, percent_basis_points, in_network \
         FROM eligibility_benefits WHERE inquiry_id = $1 ORDER BY position",
    )
    .bind(inquiry_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BenefitLine {
                info_code: r.try_get("info_code")?,
                service_type: r.try_get("service_type")?,
                period: r.try_get("period")?,
                amount: r
                    .try_get::<Option<i64>, _>("amount_cents")?
                    .map(Money::from_cents),
                percent_basis_points: u32::try_from(r.try_get::<i64, _>("percent_basis_points")?)
                    .unwrap_or_default(),
                in_network: r.try_get::<i64, _>("in_network")? == 1,
            })
        })
        .collect()
}

async fn inquiry_of(conn: &mut AnyConnection, row: &AnyRow) -> Result<Inquiry, ServiceError> {
    let id: String = row.try_get("inquiry_id")?;
    let bad = || ServiceError::Internal(format!("stored eligibility inquiry {id} does not parse"));
    let time = |column: &str| -> Result<Timestamp, ServiceError> {
        Timestamp::parse(&row.try_get::<String, _>(column)?).ok_or_else(bad)
    };
    let answer = if row.try_get::<String, _>("status")? == "answered" {
        let rejections: String = row.try_get("rejections")?;
        Some(Answer {
            active: row.try_get::<i64, _>("active")? == 1,
            plan: row.try_get("plan")?,
            rejections: rejections.lines().map(str::to_string).collect(),
            benefits: benefits(conn, &id).await?,
            answered_at: time("answered_at")?,
        })
    } else {
        None
    };
    let types: String = row.try_get("service_types")?;
    Ok(Inquiry {
        coverage_id: CoverageId::parse(&row.try_get::<String, _>("coverage_id")?)
            .map_err(|_| bad())?,
        date_of_service: row
            .try_get::<String, _>("date_of_service")?
            .parse()
            .map_err(|_| bad())?,
        service_types: types.split(',').map(str::to_string).collect(),
        trace_number: row.try_get("trace_number")?,
        file_name: row.try_get("file_name")?,
        created_by: row.try_get("created_by")?,
        created_at: time("created_at")?,
        answer,
        inquiry_id: id,
    })
}

/// Of `keys` (a coverage and a date of service), those whose latest
/// answered inquiry says the coverage was inactive that day, read in one
/// query per `CHUNK` keys; a key with no answer is not inactive.
pub async fn inactive_on(
    conn: &mut AnyConnection,
    keys: &[(&CoverageId, CalendarDate)],
) -> Result<HashSet<(String, CalendarDate)>, ServiceError> {
    const CHUNK: usize = 250;
    let keys: BTreeSet<(&str, String)> = keys
        .iter()
        .map(|(c, d)| (c.as_str(), d.to_string()))
        .collect();
    let keys: Vec<(&str, String)> = keys.into_iter().collect();
    let mut inactive = HashSet::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = format!(
            "SELECT coverage_id, date_of_service, active FROM eligibility_inquiries \
             WHERE status = 'answered' AND (coverage_id, date_of_service) IN (VALUES {}) \
             ORDER BY answered_at DESC, inquiry_id DESC",
            value_rows(1, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (coverage, day) in chunk {
            query = query.bind(*coverage).bind(day);
        }
        let mut seen = HashSet::new();
        for row in query.fetch_all(&mut *conn).await? {
            let coverage: String = row.try_get("coverage_id")?;
            let day: String = row.try_get("date_of_service")?;
            let day: CalendarDate = day.parse().map_err(|_| {
                ServiceError::Internal(format!(
                    "stored eligibility inquiry of coverage {coverage} has a bad date"
                ))
            })?;
            // The first row of a key is its latest answer.
            if seen.insert((coverage.clone(), day)) && row.try_get::<i64, _>("active")? != 1 {
                inactive.insert((coverage, day));
            }
        }
    }
    Ok(inactive)
}

async fn one(
    conn: &mut AnyConnection,
    condition: &str,
    binds: &[&str],
) -> Result<Option<Inquiry>, ServiceError> {
    let sql = format!("SELECT {COLUMNS} FROM eligibility_inquiries WHERE {condition}");
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = query.bind(b.to_string());
    }
    let row = query.fetch_optional(&mut *conn).await?;
    match row {
        Some(row) => Ok(Some(inquiry_of(conn, &row).await?)),
        None => Ok(None),
    }
}

/// The inquiry `inquiry_id`, if any.
pub async fn inquiry(
    conn: &mut AnyConnection,
    inquiry_id: &str,
) -> Result<Option<Inquiry>, ServiceError> {
    one(conn, "inquiry_id = $1", &[inquiry_id]).await
}

/// The inquiry whose 270 carried trace `trace_number`, if any.
pub async fn by_trace(
    conn: &mut AnyConnection,
    trace_number: &str,
) -> Result<Option<Inquiry>, ServiceError> {
    one(conn, "trace_number = $1", &[trace_number]).await
}

/// The latest answered inquiry about a coverage on a date of service.
pub async fn latest_answer(
    conn: &mut AnyConnection,
    coverage_id: &CoverageId,
    date_of_service: CalendarDate,
) -> Result<Option<Inquiry>, ServiceError> {
    let day = date_of_service.to_string();
    one(
        conn,
        "coverage_id = $1 AND date_of_service = $2 AND status = 'answered' \
         ORDER BY answered_at DESC, inquiry_id DESC LIMIT 1",
        &[coverage_id.as_str(), &day],
    )
    .await
}
