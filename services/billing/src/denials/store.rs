//! Persistence of adjudications, the CARC table, denials and appeals.

use std::collections::HashMap;

use medbill_kernel::{CalendarDate, ClaimId, Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// One CARC's root cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarcClass {
    /// Category name (`coding`, `billing`, ..., `contractual`).
    pub category: String,
    /// Who fixes it.
    pub origin: String,
}

/// The newest version of the CARC table, by code.
pub async fn carc_table(
    conn: &mut AnyConnection,
) -> Result<HashMap<String, CarcClass>, ServiceError> {
    let rows = sqlx::query(
        "SELECT carc, category, origin FROM carc_categories \
         WHERE version = (SELECT MAX(version) FROM carc_categories)",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("carc")?,
                CarcClass {
                    category: r.try_get("category")?,
                    origin: r.try_get("origin")?,
                },
            ))
        })
        .collect()
}

/// Records that a remittance adjudicated a claim; `false` when it was
/// recorded before.
#[allow(clippy::too_many_arguments)]
pub async fn record_adjudication(
    conn: &mut AnyConnection,
    remittance_id: &str,
    claim_id: &ClaimId,
    status_code: &str,
    paid: Money,
    patient_responsibility: Money,
    payer_claim_number: &str,
    payment_date: Option<CalendarDate>,
    at: Timestamp,
) -> Result<bool, ServiceError> {
    let seen: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM adjudications WHERE remittance_id = $1 AND claim_id = $2",
    )
    .bind(remittance_id)
    .bind(claim_id.as_str())
    .fetch_one(&mut *conn)
    .await?;
    if seen > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO adjudications (remittance_id, claim_id, status_code, paid, \
         patient_responsibility, payer_claim_number, payment_date, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(remittance_id)
    .bind(claim_id.as_str())
    .bind(status_code)
    .bind(paid.cents())
    .bind(patient_responsibility.cents())
    .bind(payer_claim_number)
    .bind(payment_date.map(|d| d.to_string()).unwrap_or_default())
    .bind(at.to_string())
    .execute(conn)
    .await?;
    Ok(true)
}

/// Adds a remittance's amounts to a claim and records the payer's claim
/// number when it has none.
pub async fn add_payment(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    paid: Money,
    patient_responsibility: Money,
    payer_claim_number: &str,
) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE claims SET paid = paid + $1, patient_responsibility = patient_responsibility + $2, \
         payer_claim_number = CASE WHEN $3 <> '' THEN $3 ELSE payer_claim_number END \
         WHERE claim_id = $4",
    )
    .bind(paid.cents())
    .bind(patient_responsibility.cents())
    .bind(payer_claim_number)
    .bind(claim_id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a payment to one line of a claim.
pub async fn add_line_payment(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    line_number: u32,
    paid: Money,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE claim_lines SET paid = paid + $1 WHERE claim_id = $2 AND line_number = $3")
        .bind(paid.cents())
        .bind(claim_id.as_str())
        .bind(i64::from(line_number))
        .execute(conn)
        .await?;
    Ok(())
}

/// A denial work item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// Its id.
    pub denial_id: String,
    /// The claim.
    pub claim_id: ClaimId,
    /// The remittance that denied it.
    pub remittance_id: String,
    /// The line (REF*6R); empty for the whole claim.
    pub line_control_number: String,
    /// Root-cause category.
    pub category: String,
    /// Who fixes it.
    pub origin: String,
    /// open, in_coding_review, appealed, resolved.
    pub status: String,
    /// CARCs.
    pub carc_codes: Vec<String>,
    /// RARCs.
    pub rarc_codes: Vec<String>,
    /// CAS group of the main reason.
    pub group_code: String,
    /// Denied amount.
    pub denied_amount: Money,
    /// The payer.
    pub payer_id: String,
    /// Who works it.
    pub assigned_to: String,
    /// Notes, oldest first.
    pub notes: Vec<String>,
    /// When it was recorded.
    pub denied_at: Timestamp,
    /// The payer's determination date.
    pub determined_on: CalendarDate,
    /// The last day to appeal.
    pub appeal_deadline: CalendarDate,
    /// How it was closed.
    pub resolution: String,
}

fn split(text: &str, on: char) -> Vec<String> {
    text.split(on)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Stores a new denial.
pub async fn insert_denial(conn: &mut AnyConnection, d: &Denial) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO denials (denial_id, claim_id, remittance_id, line_control_number, category, \
         origin, status, carc_codes, rarc_codes, group_code, denied_amount, payer_id, \
         assigned_to, notes, denied_at, determined_on, appeal_deadline, resolution) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&d.denial_id)
    .bind(d.claim_id.as_str())
    .bind(&d.remittance_id)
    .bind(&d.line_control_number)
    .bind(&d.category)
    .bind(&d.origin)
    .bind(&d.status)
    .bind(d.carc_codes.join(","))
    .bind(d.rarc_codes.join(","))
    .bind(&d.group_code)
    .bind(d.denied_amount.cents())
    .bind(&d.payer_id)
    .bind(&d.assigned_to)
    .bind(d.notes.join("\n"))
    .bind(d.denied_at.to_string())
    .bind(d.determined_on.to_string())
    .bind(d.appeal_deadline.to_string())
    .bind(&d.resolution)
    .execute(conn)
    .await?;
    Ok(())
}

const DENIAL_COLUMNS: &str = "denial_id, claim_id, remittance_id, line_control_number, category, \
    origin, status, carc_codes, rarc_codes, group_code, denied_amount, payer_id, assigned_to, \
    notes, denied_at, determined_on, appeal_deadline, resolution";

fn denial_of(r: &AnyRow) -> Result<Denial, ServiceError> {
    let id: String = r.try_get("denial_id")?;
    let bad = || ServiceError::Internal(format!("stored denial {id} does not parse"));
    let date = |col: &str| -> Result<CalendarDate, ServiceError> {
        r.try_get::<String, _>(col)?.parse().map_err(|_| bad())
    };
    Ok(Denial {
        claim_id: ClaimId::parse(&r.try_get::<String, _>("claim_id")?).map_err(|_| bad())?,
        remittance_id: r.try_get("remittance_id")?,
        line_control_number: r.try_get("line_control_number")?,
        category: r.try_get("category")?,
        origin: r.try_get("origin")?,
        status: r.try_get("status")?,
        carc_codes: split(&r.try_get::<String, _>("carc_codes")?, ','),
        rarc_codes: split(&r.try_get::<String, _>("rarc_codes")?, ','),
        group_code: r.try_get("group_code")?,
        denied_amount: Money::from_cents(r.try_get("denied_amount")?),
        payer_id: r.try_get("payer_id")?,
        assigned_to: r.try_get("assigned_to")?,
        notes: split(&r.try_get::<String, _>("notes")?, '\n'),
        denied_at: Timestamp::parse(&r.try_get::<String, _>("denied_at")?).ok_or_else(bad)?,
        determined_on: date("determined_on")?,
        appeal_deadline: date("appeal_deadline")?,
        resolution: r.try_get("resolution")?,
        denial_id: id.clone(),
    })
}

/// The denial `denial_id`, or `NOT_FOUND`.
pub async fn require_denial(
    conn: &mut AnyConnection,
    denial_id: &str,
) -> Result<Denial, ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT {DENIAL_COLUMNS} FROM denials WHERE denial_id = $1"
    ))
    .bind(denial_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref()
        .map(denial_of)
        .transpose()?
        .ok_or_else(|| ServiceError::not_found("denial", denial_id))
}

/// Which denials a work queue shows.
#[derive(Debug, Default)]
pub struct DenialFilter {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<String>,
    /// Any of these categories (all when empty).
    pub categories: Vec<String>,
    /// This origin only.
    pub origin: String,
    /// This payer only.
    pub payer_id: String,
    /// This assignee only.
    pub assigned_to: String,
}

/// Denials matching `filter`, oldest first, after the id `after`.
pub async fn denials(
    conn: &mut AnyConnection,
    f: &DenialFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Denial>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {DENIAL_COLUMNS} FROM denials \
         WHERE ($1 = '' OR ',' || $1 || ',' LIKE '%,' || status || ',%') \
         AND ($2 = '' OR ',' || $2 || ',' LIKE '%,' || category || ',%') \
         AND ($3 = '' OR origin = $3) AND ($4 = '' OR payer_id = $4) \
         AND ($5 = '' OR assigned_to = $5) AND denial_id > $6 ORDER BY denial_id LIMIT $7"
    ))
    .bind(f.statuses.join(","))
    .bind(f.categories.join(","))
    .bind(&f.origin)
    .bind(&f.payer_id)
    .bind(&f.assigned_to)
    .bind(after.unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(denial_of).collect()
}

/// Rewrites a denial's worked fields (status, assignee, notes, resolution).
pub async fn update_denial(conn: &mut AnyConnection, d: &Denial) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE denials SET status = $1, assigned_to = $2, notes = $3, resolution = $4 \
         WHERE denial_id = $5",
    )
    .bind(&d.status)
    .bind(&d.assigned_to)
    .bind(d.notes.join("\n"))
    .bind(&d.resolution)
    .bind(&d.denial_id)
    .execute(conn)
    .await?;
    Ok(())
}
