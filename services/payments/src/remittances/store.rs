//! Persistence of remittances (the file as received), their claim matches
//! and the exceptions queue.

use medbill_kernel::{Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::{ExceptionReason, Remittance, RemittanceException};
use crate::ledger::store::values_sql;

/// A remittance about to be recorded.
#[derive(Debug, Clone)]
pub struct NewRemittance<'a> {
    /// Its new id.
    pub remittance_id: &'a str,
    /// SHA-256 of the content, hex.
    pub content_hash: &'a str,
    /// What was read from it.
    pub remittance: &'a Remittance,
    /// The file name as sent.
    pub file_name: &'a str,
    /// The file as received.
    pub content: &'a [u8],
    /// Whether every claim payment posted.
    pub fully_posted: bool,
    /// Who sent it.
    pub received_by: &'a str,
    /// When.
    pub received_at: Timestamp,
}

/// Records the remittance unless the same file, or the same payer's same
/// trace, is recorded already; returns whether it was recorded. The unique
/// constraints decide (a concurrent twin waits on them and then records
/// nothing), not a read before the write.
pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewRemittance<'_>,
) -> Result<bool, sqlx::Error> {
    let r = new.remittance;
    let inserted = sqlx::query(
        "INSERT INTO remittances (remittance_id, content_hash, payer_key, trace_number, \
         payer_identifier, payer_name, file_name, total_paid, payment_date, status, received_at, \
         received_by, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
    )
    .bind(new.remittance_id)
    .bind(new.content_hash)
    .bind(&r.payer_key)
    .bind(&r.trace_number)
    .bind(&r.payer_identifier)
    .bind(&r.payer_name)
    .bind(new.file_name)
    .bind(r.total_paid.cents())
    .bind(r.payment_date.to_string())
    .bind(if new.fully_posted {
        "posted"
    } else {
        "partially_posted"
    })
    .bind(new.received_at.to_string())
    .bind(new.received_by)
    .bind(new.content)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// A remittance recorded earlier: the one with this content, or this
/// payer's trace.
pub async fn existing(
    conn: &mut AnyConnection,
    content_hash: &str,
    payer_key: &str,
    trace_number: &str,
) -> Result<Option<StoredRemittance>, ServiceError> {
    let row = sqlx::query(
        "SELECT remittance_id, content, received_at, status, content_hash FROM remittances \
         WHERE content_hash = $1 OR (payer_key = $2 AND trace_number = $3) LIMIT 1",
    )
    .bind(content_hash)
    .bind(payer_key)
    .bind(trace_number)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StoredRemittance {
        remittance_id: row.try_get(0)?,
        content: row.try_get(1)?,
        received_at: row.try_get(2)?,
        fully_posted: row.try_get::<String, _>(3)? == "posted",
        content_hash: row.try_get(4)?,
    }))
}

/// The remittance `remittance_id`.
pub async fn by_id(
    conn: &mut AnyConnection,
    remittance_id: &str,
) -> Result<Option<StoredRemittance>, ServiceError> {
    let row = sqlx::query(
        "SELECT remittance_id, content, received_at, status, content_hash FROM remittances \
         WHERE remittance_id = $1",
    )
    .bind(remittance_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StoredRemittance {
        remittance_id: row.try_get(0)?,
        content: row.try_get(1)?,
        received_at: row.try_get(2)?,
        fully_posted: row.try_get::<String, _>(3)? == "posted",
        content_hash: row.try_get(4)?,
    }))
}

/// A remittance's summary, for lists.
#[derive(Debug, Clone)]
pub struct RemittanceSummary {
    /// Its id.
    pub remittance_id: String,
    /// N1*PR name.
    pub payer_name: String,
    /// N1*PR id, else TRN03.
    pub payer_identifier: String,
    /// TRN02.
    pub trace_number: String,
    /// BPR02.
    pub total_paid: Money,
    /// BPR16 (ISO).
    pub payment_date: String,
    /// Whether every claim payment posted.
    pub fully_posted: bool,
    /// When received (RFC 3339).
    pub received_at: String,
    /// SHA-256, hex.
    pub content_hash: String,
}

/// Up to `limit` remittances, newest first, before `before` (an id), only
/// of the given statuses (`posted`, `partially_posted`; all when empty).
pub async fn list(
    conn: &mut AnyConnection,
    statuses: &[&str],
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<RemittanceSummary>, ServiceError> {
    let posted = statuses.is_empty() || statuses.contains(&"posted");
    let partial = statuses.is_empty() || statuses.contains(&"partially_posted");
    let rows = sqlx::query(
        "SELECT remittance_id, payer_name, payer_identifier, trace_number, total_paid, \
         payment_date, status, received_at, content_hash FROM remittances \
         WHERE ($1 IS NULL OR remittance_id < $1) \
         AND ((status = 'posted' AND $2 = 1) OR (status = 'partially_posted' AND $3 = 1)) \
         ORDER BY remittance_id DESC LIMIT $4",
    )
    .bind(before)
    .bind(i64::from(posted))
    .bind(i64::from(partial))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(RemittanceSummary {
            remittance_id: row.try_get(0)?,
            payer_name: row.try_get(1)?,
            payer_identifier: row.try_get(2)?,
            trace_number: row.try_get(3)?,
            total_paid: Money::from_cents(row.try_get(4)?),
            payment_date: row.try_get(5)?,
            fully_posted: row.try_get::<String, _>(6)? == "posted",
            received_at: row.try_get(7)?,
            content_hash: row.try_get(8)?,
        });
    }
    Ok(out)
}

/// A remittance as stored.
#[derive(Debug, Clone)]
pub struct StoredRemittance {
    /// Its id.
    pub remittance_id: String,
    /// The file as received.
    pub content: Vec<u8>,
    /// When (RFC 3339).
    pub received_at: String,
    /// Whether every claim payment posted.
    pub fully_posted: bool,
    /// SHA-256 of the content, hex.
    pub content_hash: String,
}

/// What claim payment `index` of a remittance was matched to: its CLP01,
/// the claim (none when it went to exceptions) and the claim line of each
/// of its service lines.
#[derive(Debug, Clone)]
pub struct ClaimMatch<'a> {
    /// Position of the CLP in the file (0-based).
    pub index: usize,
    /// CLP01.
    pub patient_control_number: &'a str,
    /// The claim posted to.
    pub claim_id: Option<&'a str>,
    /// The claim line of each service line.
    pub lines: &'a [u32],
    /// CLP02 as sent.
    pub status_code: &'a str,
    /// CLP03: the charge the payer adjudicated.
    pub charge: medbill_kernel::Money,
}

/// Claim matches per INSERT (7 parameters each).
const MATCHES_PER_STATEMENT: usize = 1_000;

/// Records the claim matches of a remittance.
pub async fn insert_claim_matches(
    conn: &mut AnyConnection,
    remittance_id: &str,
    matches: &[ClaimMatch<'_>],
) -> Result<(), sqlx::Error> {
    for chunk in matches.chunks(MATCHES_PER_STATEMENT) {
        let sql = values_sql(
            "INSERT INTO remittance_claims (remittance_id, claim_index, patient_control_number, \
             claim_id, line_numbers, status_code, charge) VALUES ",
            chunk.len(),
            7,
        );
        let mut query = sqlx::query(&sql);
        for m in chunk {
            let lines: Vec<String> = m.lines.iter().map(u32::to_string).collect();
            query = query
                .bind(remittance_id.to_string())
                .bind(m.index as i64)
                .bind(m.patient_control_number.to_string())
                .bind(m.claim_id.map(str::to_string))
                .bind(lines.join(","))
                .bind(m.status_code.to_string())
                .bind(m.charge.cents());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The claim each claim payment of a remittance posted to, and its lines,
/// by claim index.
pub async fn claim_matches(
    conn: &mut AnyConnection,
    remittance_id: &str,
) -> Result<Vec<(Option<String>, Vec<u32>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT claim_id, line_numbers FROM remittance_claims WHERE remittance_id = $1 \
         ORDER BY claim_index",
    )
    .bind(remittance_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let lines: String = row.try_get(1)?;
        out.push((
            row.try_get(0)?,
            lines.split(',').filter_map(|n| n.parse().ok()).collect(),
        ));
    }
    Ok(out)
}

/// Queues a claim payment for posting by hand.
pub async fn insert_exception(
    conn: &mut AnyConnection,
    exception: &RemittanceException,
    claim_index: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO remittance_exceptions (exception_id, remittance_id, claim_index, \
         patient_control_number, claim_id, reason, detail, paid, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&exception.exception_id)
    .bind(&exception.remittance_id)
    .bind(claim_index as i64)
    .bind(&exception.patient_control_number)
    .bind(exception.claim_id.as_deref())
    .bind(exception.reason.as_str())
    .bind(&exception.detail)
    .bind(exception.paid.cents())
    .bind(&exception.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` exceptions after `after` (by id, oldest first), of one
/// remittance or of all.
pub async fn list_exceptions(
    conn: &mut AnyConnection,
    remittance_id: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<RemittanceException>, ServiceError> {
    let rows = sqlx::query(
        "SELECT exception_id, remittance_id, patient_control_number, claim_id, reason, detail, \
         paid, created_at FROM remittance_exceptions \
         WHERE posted_at IS NULL \
         AND ($1 IS NULL OR remittance_id = $1) AND ($2 IS NULL OR exception_id > $2) \
         ORDER BY exception_id LIMIT $3",
    )
    .bind(remittance_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let reason: String = row.try_get(4)?;
        out.push(RemittanceException {
            exception_id: row.try_get(0)?,
            remittance_id: row.try_get(1)?,
            patient_control_number: row.try_get(2)?,
            claim_id: row.try_get(3)?,
            reason: ExceptionReason::parse(&reason)
                .ok_or_else(|| ServiceError::Internal(format!("unknown reason {reason}")))?,
            detail: row.try_get(5)?,
            paid: Money::from_cents(row.try_get(6)?),
            created_at: row.try_get(7)?,
        });
    }
    Ok(out)
}

/// An exception by id: its remittance, the index of its claim payment
/// there, whether it was posted by hand already, and why it was excepted.
pub async fn open_exception(
    conn: &mut AnyConnection,
    exception_id: &str,
) -> Result<Option<(String, usize, bool, ExceptionReason)>, ServiceError> {
    let row = sqlx::query(
        "SELECT remittance_id, claim_index, posted_at, reason FROM remittance_exceptions \
         WHERE exception_id = $1",
    )
    .bind(exception_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let index: i64 = r.try_get(1)?;
        let posted: Option<String> = r.try_get(2)?;
        let reason: String = r.try_get(3)?;
        Ok((
            r.try_get(0)?,
            usize::try_from(index).map_err(|e| ServiceError::Internal(e.to_string()))?,
            posted.is_some(),
            ExceptionReason::parse(&reason)
                .ok_or_else(|| ServiceError::Internal(format!("unknown reason {reason}")))?,
        ))
    })
    .transpose()
}

/// Open exceptions parked because no claim had patient control number
/// `pcn`, oldest first.
pub async fn open_unknown_control_number(
    conn: &mut AnyConnection,
    pcn: &str,
) -> Result<Vec<String>, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT exception_id FROM remittance_exceptions WHERE patient_control_number = $1 \
         AND reason = $2 AND posted_at IS NULL ORDER BY exception_id",
    )
    .bind(pcn)
    .bind(ExceptionReason::UnknownPatientControlNumber.as_str())
    .fetch_all(conn)
    .await?)
}

/// Marks an exception posted to `claim_id` (only if it was not), and its
/// claim payment's match; whether it changed.
pub async fn mark_exception_posted(
    conn: &mut AnyConnection,
    exception_id: &str,
    claim_id: &str,
    lines: &[u32],
    by: &str,
    at: &str,
) -> Result<bool, ServiceError> {
    let changed = sqlx::query(
        "UPDATE remittance_exceptions SET posted_claim_id = $1, posted_by = $2, posted_at = $3 \
         WHERE exception_id = $4 AND posted_at IS NULL",
    )
    .bind(claim_id)
    .bind(by)
    .bind(at)
    .bind(exception_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    let lines: Vec<String> = lines.iter().map(u32::to_string).collect();
    sqlx::query(
        "UPDATE remittance_claims SET claim_id = $1, line_numbers = $2 WHERE remittance_id = \
         (SELECT remittance_id FROM remittance_exceptions WHERE exception_id = $3) \
         AND claim_index = (SELECT claim_index FROM remittance_exceptions WHERE exception_id = $3)",
    )
    .bind(claim_id)
    .bind(lines.join(","))
    .bind(exception_id)
    .execute(conn)
    .await?;
    Ok(true)
}
