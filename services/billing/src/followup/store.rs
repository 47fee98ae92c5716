//! Persistence of the follow-up queue's reads, the 276 inquiries sent and
//! the 277 statuses recorded on claims.

use medbill_kernel::{CalendarDate, ClaimId, Money, PayerId, Timestamp};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

/// A claim sent and not adjudicated: a candidate for follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpaid {
    /// The claim.
    pub claim_id: ClaimId,
    /// CLM01.
    pub patient_control_number: String,
    /// Its payer.
    pub payer_id: PayerId,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// Its total charge.
    pub total_charge: Money,
    /// The payer's follow-up days.
    pub follow_up_days: u32,
}

impl Unpaid {
    /// Days from its submission (UTC date) to `today`.
    pub fn age_days(&self, today: CalendarDate) -> i64 {
        let sent: Option<CalendarDate> = self
            .submitted_at
            .to_string()
            .get(..10)
            .and_then(|d| d.parse().ok());
        sent.map_or(0, |sent| today.days_after(sent))
    }
}

/// Active claims submitted or accepted and not adjudicated (all payers',
/// or `payer_id`'s), at most `limit`.
pub async fn unpaid(
    conn: &mut AnyConnection,
    payer_id: Option<&PayerId>,
    limit: i64,
) -> Result<Vec<Unpaid>, ServiceError> {
    let rows = sqlx::query(
        "SELECT c.claim_id, c.patient_control_number, c.payer_id, c.submitted_at, \
         c.total_charge, p.follow_up_days FROM claims c JOIN payers p ON p.payer_id = c.payer_id \
         WHERE c.submission IN ('submitted', 'accepted') AND c.adjudication = 'none' \
         AND c.lifecycle = 'active' AND c.submitted_at <> '' \
         AND ($1 = '' OR c.payer_id = $1) ORDER BY c.submitted_at, c.claim_id LIMIT $2",
    )
    .bind(payer_id.map(|p| p.as_str().to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("claim_id")?;
            let bad = || ServiceError::Internal(format!("stored claim {id} does not parse"));
            Ok(Unpaid {
                patient_control_number: r.try_get("patient_control_number")?,
                payer_id: PayerId::parse(&r.try_get::<String, _>("payer_id")?)
                    .map_err(|_| bad())?,
                submitted_at: Timestamp::parse(&r.try_get::<String, _>("submitted_at")?)
                    .ok_or_else(bad)?,
                total_charge: Money::from_cents(r.try_get("total_charge")?),
                follow_up_days: u32::try_from(r.try_get::<i64, _>("follow_up_days")?)
                    .map_err(|_| bad())?,
                claim_id: ClaimId::parse(&id).map_err(|_| bad())?,
            })
        })
        .collect()
}

/// One claim asked about in a 276.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentInquiry {
    /// TRN02.
    pub trace_number: String,
    /// The claim.
    pub claim_id: ClaimId,
    /// The 276 file.
    pub file_name: String,
    /// Its ISA13.
    pub interchange_control_number: String,
    /// Who sent it.
    pub sent_by: String,
    /// When.
    pub sent_at: Timestamp,
}

/// Records a claim asked about.
pub async fn insert_inquiry(conn: &mut AnyConnection, q: &SentInquiry) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO claim_status_inquiries (trace_number, claim_id, file_name, \
         interchange_control_number, sent_by, sent_at, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '')",
    )
    .bind(&q.trace_number)
    .bind(q.claim_id.as_str())
    .bind(&q.file_name)
    .bind(&q.interchange_control_number)
    .bind(&q.sent_by)
    .bind(q.sent_at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The claim a 276 trace asked about, if it is one of ours.
pub async fn claim_of_trace(
    conn: &mut AnyConnection,
    trace_number: &str,
) -> Result<Option<ClaimId>, ServiceError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT claim_id FROM claim_status_inquiries WHERE trace_number = $1")
            .bind(trace_number)
            .fetch_optional(conn)
            .await?;
    id.map(|id| {
        ClaimId::parse(&id)
            .map_err(|_| ServiceError::Internal(format!("stored claim {id} does not parse")))
    })
    .transpose()
}

/// Marks a 276 trace answered.
pub async fn mark_answered(
    conn: &mut AnyConnection,
    trace_number: &str,
    at: Timestamp,
) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE claim_status_inquiries SET answered_at = $1 \
         WHERE trace_number = $2 AND answered_at = ''",
    )
    .bind(at.to_string())
    .bind(trace_number)
    .execute(conn)
    .await?;
    Ok(())
}

/// When the latest 276 about a claim was sent.
pub async fn last_inquiry_at(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<Timestamp>, ServiceError> {
    latest_sent_at(conn, claim_id, "").await
}

/// When the latest 276 about a claim that no 277 has answered yet was
/// sent.
pub async fn unanswered_since(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<Timestamp>, ServiceError> {
    latest_sent_at(conn, claim_id, " AND answered_at = ''").await
}

/// When the latest 276 about a claim meeting `condition` (SQL text of
/// this file, never a client's) was sent.
async fn latest_sent_at(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    condition: &'static str,
) -> Result<Option<Timestamp>, ServiceError> {
    let at: Option<String> = sqlx::query_scalar(&format!(
        "SELECT sent_at FROM claim_status_inquiries WHERE claim_id = $1{condition} \
         ORDER BY sent_at DESC LIMIT 1"
    ))
    .bind(claim_id.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(at.and_then(|t| Timestamp::parse(&t)))
}

/// One status a 277 reported on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedStatus {
    /// The claim.
    pub claim_id: ClaimId,
    /// The 276 trace it answers; empty when matched by CLM01.
    pub trace_number: String,
    /// `pending`, `paid`, `denied`, `finalized`, `information_requested`,
    /// `not_found`, `acknowledged`, `error` or `other`.
    pub outcome: String,
    /// The STC composites and message, in words.
    pub statuses: String,
    /// STC05.
    pub paid: Money,
    /// REF*1K, when sent.
    pub payer_claim_number: String,
    /// When it was recorded.
    pub received_at: Timestamp,
}

/// Records a claim's status at the payer.
pub async fn insert_status(
    conn: &mut AnyConnection,
    s: &RecordedStatus,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO claim_statuses (status_id, claim_id, trace_number, outcome, statuses, \
         paid_cents, payer_claim_number, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(medbill_kernel::ids::new_uuid_v7())
    .bind(s.claim_id.as_str())
    .bind(&s.trace_number)
    .bind(&s.outcome)
    .bind(&s.statuses)
    .bind(s.paid.cents())
    .bind(&s.payer_claim_number)
    .bind(s.received_at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// A claim's statuses at the payer, oldest first.
pub async fn statuses(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Vec<RecordedStatus>, ServiceError> {
    let rows = sqlx::query(
        "SELECT trace_number, outcome, statuses, paid_cents, payer_claim_number, received_at \
         FROM claim_statuses WHERE claim_id = $1 ORDER BY received_at, status_id",
    )
    .bind(claim_id.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RecordedStatus {
                claim_id: claim_id.clone(),
                trace_number: r.try_get("trace_number")?,
                outcome: r.try_get("outcome")?,
                statuses: r.try_get("statuses")?,
                paid: Money::from_cents(r.try_get("paid_cents")?),
                payer_claim_number: r.try_get("payer_claim_number")?,
                received_at: Timestamp::parse(&r.try_get::<String, _>("received_at")?).ok_or_else(
                    || {
                        ServiceError::Internal(format!(
                            "stored status of claim {claim_id} does not parse"
                        ))
                    },
                )?,
            })
        })
        .collect()
}
