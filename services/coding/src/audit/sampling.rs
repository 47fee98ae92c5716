//! Audit samples: a random draw of encounters released in a period (by one
//! coder or all), the auditor's verdict on each sampled encounter, and coder
//! accuracy = correct / (correct + wrong + missing) over recorded verdicts.

use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::ServiceError;
use medbill_platform::db::Database;
use sqlx::Row;

use super::{Period, per_mille};

/// A drawn sample.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Id.
    pub sample_id: String,
    /// The sampled encounters.
    pub encounter_ids: Vec<String>,
}

/// An auditor's verdict on one encounter.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The sample it belongs to.
    pub sample_id: String,
    /// The encounter.
    pub encounter_id: String,
    /// Codes found correct.
    pub codes_correct: u32,
    /// Codes found wrong.
    pub codes_wrong: u32,
    /// Codes found missing.
    pub codes_missing: u32,
    /// Comment.
    pub comment: String,
}

/// A recorded verdict.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Id.
    pub outcome_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Who coded it.
    pub coder: String,
    /// Who audited it.
    pub auditor: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

/// Accuracy of one coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accuracy {
    /// The coder.
    pub coder: String,
    /// Encounters audited.
    pub audited: u64,
    /// Accuracy per mille.
    pub accuracy_permille: u32,
}

/// Draws up to `size` released encounters at random.
pub async fn draw(
    db: &Database,
    auditor: &str,
    period: &Period,
    coder: &str,
    size: u32,
) -> Result<Sample, ServiceError> {
    let mut tx = db.begin().await?;
    let rows = sqlx::query(
        "SELECT encounter_id, assigned_coder FROM encounters WHERE status = 'released' \
         AND released_at >= $1 AND released_at < $2 AND ($3 = '' OR assigned_coder = $3) \
         ORDER BY random() LIMIT $4",
    )
    .bind(&period.from)
    .bind(&period.to_exclusive)
    .bind(coder)
    .bind(i64::from(size))
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Err(ServiceError::FailedPrecondition(
            "no released encounter matches the period and coder".into(),
        ));
    }
    let sample_id = new_uuid_v7();
    sqlx::query(
        "INSERT INTO audit_samples (sample_id, auditor, created_at, released_from, released_to, coder) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&sample_id)
    .bind(auditor)
    .bind(Timestamp::now().to_string())
    .bind(&period.from)
    .bind(&period.to_exclusive)
    .bind(coder)
    .execute(&mut *tx)
    .await?;
    let mut encounter_ids = Vec::with_capacity(rows.len());
    for row in rows {
        let encounter_id: String = row.try_get(0)?;
        let released_by: Option<String> = row.try_get(1)?;
        sqlx::query(
            "INSERT INTO audit_sample_items (sample_id, encounter_id, coder) VALUES ($1, $2, $3)",
        )
        .bind(&sample_id)
        .bind(&encounter_id)
        .bind(released_by.unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        encounter_ids.push(encounter_id);
    }
    tx.commit().await?;
    Ok(Sample {
        sample_id,
        encounter_ids,
    })
}

/// Records a verdict; the encounter must be in the sample, once.
pub async fn record(
    db: &Database,
    auditor: &str,
    verdict: Verdict,
) -> Result<Outcome, ServiceError> {
    let mut tx = db.begin().await?;
    let coder: String = sqlx::query(
        "SELECT coder FROM audit_sample_items WHERE sample_id = $1 AND encounter_id = $2",
    )
    .bind(&verdict.sample_id)
    .bind(&verdict.encounter_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ServiceError::not_found("sampled encounter", verdict.encounter_id.clone()))?
    .try_get(0)?;
    let outcome = Outcome {
        outcome_id: new_uuid_v7(),
        verdict,
        coder,
        auditor: auditor.to_string(),
        recorded_at: Timestamp::now().to_string(),
    };
    let v = &outcome.verdict;
    sqlx::query(
        "INSERT INTO audit_outcomes (outcome_id, sample_id, encounter_id, coder, auditor, \
         codes_correct, codes_wrong, codes_missing, comment, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&outcome.outcome_id)
    .bind(&v.sample_id)
    .bind(&v.encounter_id)
    .bind(&outcome.coder)
    .bind(auditor)
    .bind(i64::from(v.codes_correct))
    .bind(i64::from(v.codes_wrong))
    .bind(i64::from(v.codes_missing))
    .bind(&v.comment)
    .bind(&outcome.recorded_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match ServiceError::from(e) {
        ServiceError::AlreadyExists(_) => ServiceError::AlreadyExists(
            "a verdict for this encounter in this sample is recorded already".into(),
        ),
        other => other,
    })?;
    tx.commit().await?;
    Ok(outcome)
}

/// Accuracy per coder over verdicts recorded in `period`.
pub async fn accuracy(db: &Database, period: &Period) -> Result<Vec<Accuracy>, ServiceError> {
    let rows = sqlx::query(
        "SELECT coder, COUNT(*), CAST(SUM(codes_correct) AS BIGINT), \
         CAST(SUM(codes_correct + codes_wrong + codes_missing) AS BIGINT) \
         FROM audit_outcomes WHERE recorded_at >= $1 AND recorded_at < $2 \
         GROUP BY coder ORDER BY coder",
    )
    .bind(&period.from)
    .bind(&period.to_exclusive)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let audited: i64 = r.try_get(1)?;
            let correct: i64 = r.try_get(2)?;
            let total: i64 = r.try_get(3)?;
            Ok(Accuracy {
                coder: r.try_get(0)?,
                audited: audited as u64,
                accuracy_permille: per_mille(correct as u64, total as u64),
            })
        })
        .collect()
}
