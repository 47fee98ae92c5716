//! The rows billing's metrics are computed from. Periods are whole UTC days:
//! stored timestamps are RFC 3339 UTC text, so a day compares as a prefix.

use medbill_kernel::{CalendarDate, Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::metrics::{DenialRow, FirstAdjudication, Submitted};

/// A period `[from, to]` of whole days as timestamp bounds.
#[derive(Debug, Clone)]
pub struct Period {
    /// `from` at midnight.
    pub start: String,
    /// The day after `to` at midnight.
    pub end: String,
}

impl Period {
    /// The days `from` to `to`, both included.
    pub fn new(from: CalendarDate, to: CalendarDate) -> Result<Period, ServiceError> {
        let after = to
            .add_days(1)
            .map_err(|e| ServiceError::invalid("to", e.to_string()))?;
        Ok(Period {
            start: from.to_string(),
            end: after.to_string(),
        })
    }
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(format!("stored {what} does not parse"))
}

/// Claims (not voids) first submitted in the period.
pub async fn submitted(
    conn: &mut AnyConnection,
    period: &Period,
    payer_id: &str,
) -> Result<Vec<Submitted>, ServiceError> {
    let rows = sqlx::query(
        "SELECT f.first_at, r.received_at, \
         (SELECT COUNT(*) FROM claim_history x WHERE x.claim_id = c.claim_id \
          AND x.dimension = 'submission' AND x.to_state IN ('held', 'rejected')) AS bad \
         FROM (SELECT claim_id, MIN(at) AS first_at FROM claim_history \
               WHERE dimension = 'submission' AND to_state = 'submitted' GROUP BY claim_id) f \
         JOIN claims c ON c.claim_id = f.claim_id \
         JOIN released_encounters r \
           ON r.encounter_id = c.encounter_id AND r.release_number = c.release_number \
         WHERE f.first_at >= $1 AND f.first_at < $2 AND c.frequency_code <> '8' \
         AND ($3 = '' OR c.payer_id = $3)",
    )
    .bind(&period.start)
    .bind(&period.end)
    .bind(payer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let first = Timestamp::parse(&r.try_get::<String, _>("first_at")?)
                .ok_or_else(|| corrupt("claim history time"))?;
            let released = Timestamp::parse(&r.try_get::<String, _>("received_at")?)
                .ok_or_else(|| corrupt("release time"))?;
            Ok(Submitted {
                ever_held_or_rejected: r.try_get::<i64, _>("bad")? > 0,
                seconds_to_submit: first.since(released).as_secs() as i64,
            })
        })
        .collect()
}

/// Claims first adjudicated in the period, with what that adjudication
/// denied.
pub async fn first_adjudications(
    conn: &mut AnyConnection,
    period: &Period,
    payer_id: &str,
) -> Result<Vec<FirstAdjudication>, ServiceError> {
    let rows = sqlx::query(
        "SELECT a.status_code, c.total_charge, \
         (SELECT CAST(COALESCE(SUM(d.denied_amount), 0) AS BIGINT) FROM denials d \
          WHERE d.claim_id = a.claim_id AND d.remittance_id = a.remittance_id) AS denied \
         FROM adjudications a JOIN claims c ON c.claim_id = a.claim_id \
         WHERE a.received_at = (SELECT MIN(a2.received_at) FROM adjudications a2 \
                                WHERE a2.claim_id = a.claim_id) \
         AND a.received_at >= $1 AND a.received_at < $2 AND ($3 = '' OR c.payer_id = $3)",
    )
    .bind(&period.start)
    .bind(&period.end)
    .bind(payer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FirstAdjudication {
                charge: Money::from_cents(r.try_get("total_charge")?),
                denied: Money::from_cents(r.try_get("denied")?),
                status_code: r.try_get("status_code")?,
            })
        })
        .collect()
}

/// Denials recorded in the period.
pub async fn denials(
    conn: &mut AnyConnection,
    period: &Period,
    payer_id: &str,
) -> Result<Vec<DenialRow>, ServiceError> {
    let rows = sqlx::query(
        "SELECT category, origin, payer_id, carc_codes, denied_amount FROM denials \
         WHERE denied_at >= $1 AND denied_at < $2 AND ($3 = '' OR payer_id = $3)",
    )
    .bind(&period.start)
    .bind(&period.end)
    .bind(payer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DenialRow {
                category: r.try_get("category")?,
                origin: r.try_get("origin")?,
                payer_id: r.try_get("payer_id")?,
                carcs: r
                    .try_get::<String, _>("carc_codes")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                amount: Money::from_cents(r.try_get("denied_amount")?),
            })
        })
        .collect()
}

/// A standing claim not yet accepted, with its payer's filing days.
#[derive(Debug, Clone)]
pub struct Unfiled {
    /// The claim.
    pub claim_id: String,
    /// Its payer.
    pub payer_id: String,
    /// First date of service.
    pub first_day: CalendarDate,
    /// The payer's timely-filing days.
    pub filing_days: i64,
    /// Σ charges.
    pub total_charge: Money,
    /// held, ready or rejected.
    pub submission: String,
}

/// Standing claims (not voids) that have not reached the payer.
pub async fn unfiled(
    conn: &mut AnyConnection,
    payer_id: &str,
) -> Result<Vec<Unfiled>, ServiceError> {
    let rows = sqlx::query(
        "SELECT c.claim_id, c.payer_id, c.first_date_of_service, p.timely_filing_days, \
         c.total_charge, c.submission FROM claims c JOIN payers p ON p.payer_id = c.payer_id \
         WHERE c.lifecycle = 'active' AND c.frequency_code <> '8' \
         AND c.submission IN ('held', 'ready', 'rejected') AND ($1 = '' OR c.payer_id = $1) \
         ORDER BY c.first_date_of_service, c.claim_id",
    )
    .bind(payer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Unfiled {
                claim_id: r.try_get("claim_id")?,
                payer_id: r.try_get("payer_id")?,
                first_day: r
                    .try_get::<String, _>("first_date_of_service")?
                    .parse()
                    .map_err(|_| corrupt("claim date of service"))?,
                filing_days: r.try_get("timely_filing_days")?,
                total_charge: Money::from_cents(r.try_get("total_charge")?),
                submission: r.try_get("submission")?,
            })
        })
        .collect()
}
