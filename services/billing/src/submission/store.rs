//! Persistence of batches and acknowledgments.

use medbill_kernel::{ClaimId, Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use medbill_platform::writes::Writes;

/// A batch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its id.
    pub batch_id: String,
    /// `837P` or `837I`.
    pub transaction_type: String,
    /// The payer it was limited to; empty for all.
    pub payer_id: String,
    /// created, sent, accepted, rejected, partially_accepted.
    pub status: String,
    /// ISA13 (nine digits).
    pub interchange_control_number: String,
    /// GS06.
    pub group_control_number: String,
    /// ISA15.
    pub usage_indicator: String,
    /// The file's name.
    pub file_name: String,
    /// How many claims.
    pub claim_count: u32,
    /// Σ claim charges.
    pub total_charge: Money,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// Its claims in file order.
    pub claim_ids: Vec<ClaimId>,
}

/// One claim of a batch and the transaction set that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchClaim {
    /// The claim.
    pub claim_id: ClaimId,
    /// ST02.
    pub transaction_control_number: String,
    /// CLM01.
    pub patient_control_number: String,
}

/// Stores a batch, its file and its claims.
pub async fn insert_batch(
    conn: &mut AnyConnection,
    b: &Batch,
    content: &[u8],
    claims: &[BatchClaim],
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO batches (batch_id, transaction_type, payer_id, status, \
         interchange_control_number, group_control_number, usage_indicator, file_name, content, \
         claim_count, total_charge, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&b.batch_id)
    .bind(&b.transaction_type)
    .bind(&b.payer_id)
    .bind(&b.status)
    .bind(&b.interchange_control_number)
    .bind(&b.group_control_number)
    .bind(&b.usage_indicator)
    .bind(&b.file_name)
    .bind(content)
    .bind(i64::from(b.claim_count))
    .bind(b.total_charge.cents())
    .bind(&b.created_by)
    .bind(b.created_at.to_string())
    .execute(&mut *conn)
    .await?;
    // One statement per 1,000 claims (4 values each).
    for chunk in claims.chunks(1000) {
        let mut writes = Writes::new();
        writes.insert_rows(
            "batch_claims",
            "batch_id, claim_id, transaction_control_number, patient_control_number",
            chunk
                .iter()
                .map(|c| {
                    vec![
                        b.batch_id.as_str().into(),
                        c.claim_id.as_str().into(),
                        c.transaction_control_number.as_str().into(),
                        c.patient_control_number.as_str().into(),
                    ]
                })
                .collect(),
        );
        writes.run(&mut *conn).await?;
    }
    Ok(())
}

const BATCH_COLUMNS: &str = "batch_id, transaction_type, payer_id, status, \
    interchange_control_number, group_control_number, usage_indicator, file_name, claim_count, \
    total_charge, created_by, created_at";

fn batch_of(row: &AnyRow) -> Result<Batch, ServiceError> {
    let id: String = row.try_get("batch_id")?;
    let bad = || ServiceError::Internal(format!("stored batch {id} does not parse"));
    Ok(Batch {
        transaction_type: row.try_get("transaction_type")?,
        payer_id: row.try_get("payer_id")?,
        status: row.try_get("status")?,
        interchange_control_number: row.try_get("interchange_control_number")?,
        group_control_number: row.try_get("group_control_number")?,
        usage_indicator: row.try_get("usage_indicator")?,
        file_name: row.try_get("file_name")?,
        claim_count: u32::try_from(row.try_get::<i64, _>("claim_count")?).map_err(|_| bad())?,
        total_charge: Money::from_cents(row.try_get("total_charge")?),
        created_by: row.try_get("created_by")?,
        created_at: Timestamp::parse(&row.try_get::<String, _>("created_at")?).ok_or_else(bad)?,
        claim_ids: Vec::new(),
        batch_id: id.clone(),
    })
}

/// The claims of a batch in file order.
pub async fn batch_claims(
    conn: &mut AnyConnection,
    batch_id: &str,
) -> Result<Vec<BatchClaim>, ServiceError> {
    let rows = sqlx::query(
        "SELECT claim_id, transaction_control_number, patient_control_number FROM batch_claims \
         WHERE batch_id = $1 ORDER BY transaction_control_number, patient_control_number",
    )
    .bind(batch_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("claim_id")?;
            Ok(BatchClaim {
                claim_id: ClaimId::parse(&id).map_err(|_| {
                    ServiceError::Internal(format!("stored batch claim {id} does not parse"))
                })?,
                transaction_control_number: r.try_get("transaction_control_number")?,
                patient_control_number: r.try_get("patient_control_number")?,
            })
        })
        .collect()
}

/// The batch `batch_id` with its claim ids.
pub async fn batch(
    conn: &mut AnyConnection,
    batch_id: &str,
) -> Result<Option<Batch>, ServiceError> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM batches WHERE batch_id = $1");
    let row = sqlx::query(&sql)
        .bind(batch_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut b = batch_of(&row)?;
    b.claim_ids = batch_claims(conn, batch_id)
        .await?
        .into_iter()
        .map(|c| c.claim_id)
        .collect();
    Ok(Some(b))
}

/// The batch whose interchange had group control number `group` (a 999's
/// AK102), if we sent one.
pub async fn batch_by_group(
    conn: &mut AnyConnection,
    group: &str,
) -> Result<Option<String>, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT batch_id FROM batches WHERE group_control_number = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(group)
    .fetch_optional(conn)
    .await?)
}

/// Batches, newest first, in one of `statuses` (any when empty).
pub async fn batches(
    conn: &mut AnyConnection,
    statuses: &[&str],
    limit: i64,
) -> Result<Vec<Batch>, ServiceError> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM batches \
         WHERE ($1 = '' OR ',' || $1 || ',' LIKE '%,' || status || ',%') \
         ORDER BY created_at DESC, batch_id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(statuses.join(","))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = rows.iter().map(batch_of).collect::<Result<Vec<_>, _>>()?;
    for b in &mut out {
        b.claim_ids = batch_claims(conn, &b.batch_id)
            .await?
            .into_iter()
            .map(|c| c.claim_id)
            .collect();
    }
    Ok(out)
}

/// The file of a batch: its name and bytes.
pub async fn batch_file(
    conn: &mut AnyConnection,
    batch_id: &str,
) -> Result<Option<(String, Vec<u8>)>, ServiceError> {
    let row = sqlx::query("SELECT file_name, content FROM batches WHERE batch_id = $1")
        .bind(batch_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("file_name")?, r.try_get("content")?)))
        .transpose()
}

/// Sets a batch's status, from `from` only; whether it changed.
pub async fn set_batch_status(
    conn: &mut AnyConnection,
    batch_id: &str,
    from: &[&str],
    to: &str,
) -> Result<bool, ServiceError> {
    let changed = sqlx::query(
        "UPDATE batches SET status = $1 WHERE batch_id = $2 \
         AND ',' || $3 || ',' LIKE '%,' || status || ',%'",
    )
    .bind(to)
    .bind(batch_id)
    .bind(from.join(","))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Batches created but not yet dropped for the clearinghouse.
pub async fn unsent_batches(conn: &mut AnyConnection) -> Result<Vec<String>, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT batch_id FROM batches WHERE status = 'created' ORDER BY created_at",
    )
    .fetch_all(conn)
    .await?)
}
